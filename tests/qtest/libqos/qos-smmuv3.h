/*
 * A minimal SMMUv3 guest driver over libqtest: what Linux's arm-smmu-v3
 * driver does at probe (stream table, command queue, event queue,
 * enables with CR0/CR0ACK), and the helpers tests need afterwards (STEs,
 * CDs, commands with CMD_SYNC, consuming events with the overflow ack).
 *
 * Guest memory comes from a bump allocator in RAM; nothing is freed.
 */
#ifndef QOS_SMMUV3_H
#define QOS_SMMUV3_H

#include "libqtest.h"
#include "qos-sim.h"

#define QSMMU_BASE              0x09050000ULL
#define QSMMU_SPI_EVTQ          74
#define QSMMU_SPI_PRIQ          75
#define QSMMU_SPI_CMD_SYNC      76
#define QSMMU_SPI_GERROR        77

/* Register offsets */
#define QSMMU_IDR0              0x00
#define QSMMU_IDR1              0x04
#define QSMMU_IDR3              0x0c
#define QSMMU_IDR5              0x14
#define QSMMU_IIDR              0x18
#define QSMMU_AIDR              0x1c
#define QSMMU_CR0               0x20
#define QSMMU_CR0ACK            0x24
#define QSMMU_CR1               0x28
#define QSMMU_CR2               0x2c
#define QSMMU_GBPA              0x44
#define QSMMU_IRQ_CTRL          0x50
#define QSMMU_IRQ_CTRLACK       0x54
#define QSMMU_GERROR            0x60
#define QSMMU_GERRORN           0x64
#define QSMMU_GERROR_IRQ_CFG0   0x68
#define QSMMU_STRTAB_BASE       0x80
#define QSMMU_STRTAB_BASE_CFG   0x88
#define QSMMU_CMDQ_BASE         0x90
#define QSMMU_CMDQ_PROD         0x98
#define QSMMU_CMDQ_CONS         0x9c
#define QSMMU_EVENTQ_BASE       0xa0
#define QSMMU_EVENTQ_PROD       0x100a8
#define QSMMU_EVENTQ_CONS       0x100ac
#define QSMMU_EVENTQ_IRQ_CFG0   0xb0
#define QSMMU_EVENTQ_IRQ_CFG1   0xb8

#define QSMMU_CR0_SMMUEN        (1u << 0)
#define QSMMU_CR0_EVENTQEN      (1u << 2)
#define QSMMU_CR0_CMDQEN        (1u << 3)
#define QSMMU_IRQ_GERROR        (1u << 0)
#define QSMMU_IRQ_EVTQ          (1u << 2)
#define QSMMU_GERROR_CMDQ_ERR   (1u << 0)
#define QSMMU_GERROR_EVTQ_ABT   (1u << 2)
#define QSMMU_GBPA_UPDATE       (1u << 31)
#define QSMMU_GBPA_ABORT        (1u << 20)
#define QSMMU_Q_OVF             (1u << 31)

/* Commands */
#define QSMMU_CMD_CFGI_STE      0x03
#define QSMMU_CMD_CFGI_STE_RANGE 0x04
#define QSMMU_CMD_CFGI_CD       0x05
#define QSMMU_CMD_CFGI_CD_ALL   0x06
#define QSMMU_CMD_TLBI_NH_ALL   0x10
#define QSMMU_CMD_TLBI_NH_ASID  0x11
#define QSMMU_CMD_TLBI_NH_VA    0x12
#define QSMMU_CMD_TLBI_NSNH_ALL 0x30
#define QSMMU_CMD_PRI_RESP      0x41
#define QSMMU_CMD_SYNC          0x46
#define QSMMU_SYNC_CS_IRQ       (1ULL << 12)

/* STE word 0 */
#define QSMMU_STE_V             1ULL
#define QSMMU_STE_CFG_ABORT     (0ULL << 1)
#define QSMMU_STE_CFG_BYPASS    (4ULL << 1)
#define QSMMU_STE_CFG_S1        (5ULL << 1)

typedef struct QSMMUv3 {
    QTestState *qts;
    uint64_t base;
    uint64_t alloc_next;        /* bump allocator in guest RAM */
    uint64_t alloc_end;
    /* stream table */
    uint64_t strtab;
    unsigned sid_bits;
    bool two_level;
    unsigned split;
    uint64_t *l2_tables;        /* 2-level: L2 table per L1 index, or 0 */
    /* command queue */
    uint64_t cmdq;
    unsigned cmdq_log2;
    uint32_t cmdq_prod;
    /* event queue */
    uint64_t evtq;
    unsigned evtq_log2;
    uint32_t evtq_cons;
} QSMMUv3;

/* @ram/@ram_size: guest RAM the driver may use for its tables. */
void qsmmu_init(QSMMUv3 *s, QTestState *qts, uint64_t ram, uint64_t ram_size);
void qsmmu_cleanup(QSMMUv3 *s);
uint64_t qsmmu_alloc(QSMMUv3 *s, uint64_t size, uint64_t align);

uint32_t qsmmu_readl(QSMMUv3 *s, uint32_t off);
void qsmmu_writel(QSMMUv3 *s, uint32_t off, uint32_t val);
uint64_t qsmmu_readq(QSMMUv3 *s, uint32_t off);
void qsmmu_writeq(QSMMUv3 *s, uint32_t off, uint64_t val);

/* Set CR0 and wait for CR0ACK to match; false if it never does. */
bool qsmmu_write_cr0(QSMMUv3 *s, uint32_t cr0);

void qsmmu_setup_strtab_linear(QSMMUv3 *s, unsigned sid_bits);
void qsmmu_setup_strtab_2lvl(QSMMUv3 *s, unsigned sid_bits, unsigned split);
void qsmmu_setup_cmdq(QSMMUv3 *s, unsigned log2size);
/* @base: 0 to allocate in RAM, else that address (e.g. outside RAM). */
void qsmmu_setup_evtq(QSMMUv3 *s, unsigned log2size, uint64_t base);
/* The probe: tables and queues written, then CMDQEN, EVENTQEN, SMMUEN. */
bool qsmmu_probe(QSMMUv3 *s, unsigned sid_bits, bool two_level,
                 unsigned evtq_log2);

void qsmmu_write_ste(QSMMUv3 *s, uint32_t sid, const uint64_t ste[8]);
/* A stage-1 STE pointing at a one-entry CD table with @asid and @ttb0. */
void qsmmu_make_ste_s1(QSMMUv3 *s, uint64_t ste[8], uint16_t asid,
                       uint64_t ttb0);
void qsmmu_make_ste(uint64_t ste[8], uint64_t word0);

/*
 * Append one command (PROD written at once), first waiting (bounded)
 * for room if the queue is full.
 */
void qsmmu_cmd(QSMMUv3 *s, uint64_t w0, uint64_t w1);
/*
 * Append CMD_SYNC (@w0_extra: CS bits...) and poll CONS, bounded, until
 * it was consumed; false on a CMDQ error, a stall or the timeout.
 */
bool qsmmu_sync(QSMMUv3 *s, uint64_t w0_extra, uint64_t w1);
/*
 * Poll CONS (bounded) until it reaches the driver's PROD; false if a
 * CMDQ error stopped consumption first, or it stalled or timed out.
 */
bool qsmmu_cmdq_wait(QSMMUv3 *s);
void qsmmu_cfgi_ste(QSMMUv3 *s, uint32_t sid);
uint32_t qsmmu_cmdq_cons(QSMMUv3 *s);

/*
 * Event queue consumer: take one record if PROD != CONS and write CONS
 * with OVACKFLG copied from PROD (Linux acks overflow that way).
 * Returns false when empty.
 */
bool qsmmu_evtq_pop(QSMMUv3 *s, uint64_t evt[4]);
/* Entries between CONS and PROD. */
unsigned qsmmu_evtq_pending(QSMMUv3 *s);

/* ---- iommufd simulator control (its $IOMMUFD_SIM_SOCKET) ---- */

/* qsim_cmd(), qsim_ok(): see libqos/qos-sim.h */
/* Value of "key=N" in the "stats" reply. */
uint64_t qsim_stat(const char *sock, const char *key);
/* Number of live objects ("objects" reply count). */
unsigned qsim_live_objects(const char *sock);
/* Ask the simulator to report an SMMUv3 event record for @bdf. */
bool qsim_vevent(const char *sock, const char *bdf, const uint64_t evt[4]);

#endif
