/*
 * arm-smmuv3: register offsets, field positions, command/event/STE
 * encodings (Arm IHI0070, SMMUv3 architecture specification) shared by
 * smmuv3.c and smmuv3-accel.c.  Nothing here is visible outside hw/arm.
 */
#ifndef HW_ARM_SMMUV3_INTERNAL_H
#define HW_ARM_SMMUV3_INTERNAL_H

#include "hw/arm/smmuv3.h"

/* ---- Register map (Page 0; Page 1 at +0x10000 aliases it) ---- */

#define A_IDR0              0x00
#define A_IDR1              0x04
#define A_IDR2              0x08
#define A_IDR3              0x0c
#define A_IDR4              0x10
#define A_IDR5              0x14
#define A_IIDR              0x18
#define A_AIDR              0x1c
#define A_CR0               0x20
#define A_CR0ACK            0x24
#define A_CR1               0x28
#define A_CR2               0x2c
#define A_STATUSR           0x40
#define A_GBPA              0x44
#define A_AGBPA             0x48
#define A_IRQ_CTRL          0x50
#define A_IRQ_CTRLACK       0x54
#define A_GERROR            0x60
#define A_GERRORN           0x64
#define A_GERROR_IRQ_CFG0   0x68    /* 64-bit */
#define A_GERROR_IRQ_CFG1   0x70
#define A_GERROR_IRQ_CFG2   0x74
#define A_STRTAB_BASE       0x80    /* 64-bit */
#define A_STRTAB_BASE_CFG   0x88
#define A_CMDQ_BASE         0x90    /* 64-bit */
#define A_CMDQ_PROD         0x98
#define A_CMDQ_CONS         0x9c
#define A_EVENTQ_BASE       0xa0    /* 64-bit */
#define A_EVENTQ_PROD       0xa8    /* Page 0 alias of 0x100a8 */
#define A_EVENTQ_CONS       0xac
#define A_EVENTQ_IRQ_CFG0   0xb0    /* 64-bit */
#define A_EVENTQ_IRQ_CFG1   0xb8
#define A_EVENTQ_IRQ_CFG2   0xbc
#define A_IDREGS            0xfd0   /* ..0xffc: peripheral/component IDs */

#define SMMU_PAGE1_OFFSET   0x10000

/* IDR0 */
#define IDR0_S1P            (1u << 1)
#define IDR0_S2P            (1u << 0)
#define IDR0_TTF_SHIFT      2
#define IDR0_TTF_AA64       2u
#define IDR0_COHACC         (1u << 4)
#define IDR0_BTM            (1u << 5)
#define IDR0_HYP            (1u << 9)
#define IDR0_ATS            (1u << 10)
#define IDR0_ASID16         (1u << 12)
#define IDR0_MSI            (1u << 13)
#define IDR0_PRI            (1u << 16)
#define IDR0_VMID16         (1u << 18)
#define IDR0_TTENDIAN_SHIFT 21
#define IDR0_TTENDIAN_LE    2u
#define IDR0_STALL_MODEL_SHIFT 24
#define IDR0_STALL_TERMINATE 1u     /* terminate only: no RESUME/STALL_TERM */
#define IDR0_TERM_MODEL     (1u << 26)
#define IDR0_STLEVEL_SHIFT  27
#define IDR0_STLEVEL_2LVL   1u

/* IDR1 */
#define IDR1_SIDSIZE_SHIFT  0
#define IDR1_SSIDSIZE_SHIFT 6
#define IDR1_EVENTQS_SHIFT  16
#define IDR1_CMDQS_SHIFT    21

/* IDR3 */
#define IDR3_HAD            (1u << 2)
#define IDR3_RIL            (1u << 10)
#define IDR3_BBML_SHIFT     11

/* IDR5 */
#define IDR5_OAS_MASK       7u
#define IDR5_OAS_44         4u
#define IDR5_OAS_48         5u
#define IDR5_GRAN4K         (1u << 4)
#define IDR5_GRAN16K        (1u << 5)
#define IDR5_GRAN64K        (1u << 6)

#define SMMU_SIDSIZE        16
#define SMMU_CMDQS          19
#define SMMU_EVENTQS        19
#define SMMU_AIDR           0x1     /* SMMUv3.1 */

/* CR0 */
#define CR0_SMMUEN          (1u << 0)
#define CR0_PRIQEN          (1u << 1)
#define CR0_EVENTQEN        (1u << 2)
#define CR0_CMDQEN          (1u << 3)
#define CR0_ATSCHK          (1u << 4)
#define CR0_IMPLEMENTED     (CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN | \
                             CR0_ATSCHK)

/* CR2 */
#define CR2_RECINVSID       (1u << 1)

/* GBPA */
#define GBPA_UPDATE         (1u << 31)
#define GBPA_ABORT          (1u << 20)
#define GBPA_RESET_VAL      0x1000u     /* SHCFG = use incoming */
#define GBPA_WRITABLE       0x003ff3ffu /* INSTCFG..MEMATTR, ABORT */

/* IRQ_CTRL */
#define IRQ_CTRL_GERROR_IRQEN   (1u << 0)
#define IRQ_CTRL_PRIQ_IRQEN     (1u << 1)
#define IRQ_CTRL_EVENTQ_IRQEN   (1u << 2)
#define IRQ_CTRL_IMPLEMENTED    (IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN)

/* GERROR / GERRORN */
#define GERROR_CMDQ_ERR         (1u << 0)
#define GERROR_EVENTQ_ABT_ERR   (1u << 2)
#define GERROR_PRIQ_ABT_ERR     (1u << 3)
#define GERROR_MSI_CMDQ_ABT_ERR (1u << 4)
#define GERROR_MSI_EVENTQ_ABT_ERR (1u << 5)
#define GERROR_MSI_PRIQ_ABT_ERR (1u << 6)
#define GERROR_MSI_GERROR_ABT_ERR (1u << 7)
#define GERROR_SFM_ERR          (1u << 8)
#define GERROR_MASK             0x1fdu

/* STRTAB_BASE / _CFG */
#define STRTAB_BASE_ADDR_MASK   0x00ffffffffffffc0ULL   /* 55:6 */
#define STRTAB_BASE_RA          (1ULL << 62)
#define STRTAB_BASE_MASK        (STRTAB_BASE_ADDR_MASK | STRTAB_BASE_RA)
#define STRTAB_CFG_LOG2SIZE(v)  ((v) & 0x3f)
#define STRTAB_CFG_SPLIT(v)     (((v) >> 6) & 0x1f)
#define STRTAB_CFG_FMT(v)       (((v) >> 16) & 3)
#define STRTAB_CFG_FMT_LINEAR   0
#define STRTAB_CFG_FMT_2LVL     1
#define STRTAB_CFG_MASK         0x00030fffu

/* Queue base registers */
#define Q_BASE_ADDR_MASK        0x00ffffffffffffe0ULL   /* 55:5 */
#define Q_BASE_LOG2SIZE(v)      ((v) & 0x1f)
#define Q_BASE_MASK             (Q_BASE_ADDR_MASK | (1ULL << 62) | 0x1f)

#define Q_OVERFLOW_FLAG         (1u << 31)   /* PROD.OVFLG / CONS.OVACKFLG */
#define CMDQ_CONS_ERR_SHIFT     24
#define CMDQ_CONS_ERR_MASK      (0x7fu << CMDQ_CONS_ERR_SHIFT)

/* IRQ_CFG0 address field (55:2) */
#define IRQ_CFG0_ADDR_MASK      0x00fffffffffffffcULL

/* Command errors (CMDQ_CONS.ERR) */
typedef enum SMMUCmdError {
    SMMU_CERROR_NONE = 0,
    SMMU_CERROR_ILL = 1,
    SMMU_CERROR_ABT = 2,
    SMMU_CERROR_ATC_INV_SYNC = 3,
} SMMUCmdError;

/* ---- Commands (16 bytes; opcode in bits 7:0) ---- */

typedef enum SMMUCommandType {
    SMMU_CMD_PREFETCH_CONFIG = 0x01,
    SMMU_CMD_PREFETCH_ADDR = 0x02,
    SMMU_CMD_CFGI_STE = 0x03,
    SMMU_CMD_CFGI_STE_RANGE = 0x04,
    SMMU_CMD_CFGI_CD = 0x05,
    SMMU_CMD_CFGI_CD_ALL = 0x06,
    SMMU_CMD_TLBI_NH_ALL = 0x10,
    SMMU_CMD_TLBI_NH_ASID = 0x11,
    SMMU_CMD_TLBI_NH_VA = 0x12,
    SMMU_CMD_TLBI_NH_VAA = 0x13,
    SMMU_CMD_TLBI_EL3_ALL = 0x18,
    SMMU_CMD_TLBI_EL3_VA = 0x1a,
    SMMU_CMD_TLBI_EL2_ALL = 0x20,
    SMMU_CMD_TLBI_EL2_ASID = 0x21,
    SMMU_CMD_TLBI_EL2_VA = 0x22,
    SMMU_CMD_TLBI_EL2_VAA = 0x23,
    SMMU_CMD_TLBI_S12_VMALL = 0x28,
    SMMU_CMD_TLBI_S2_IPA = 0x2a,
    SMMU_CMD_TLBI_NSNH_ALL = 0x30,
    SMMU_CMD_ATC_INV = 0x40,
    SMMU_CMD_PRI_RESP = 0x41,
    SMMU_CMD_RESUME = 0x44,
    SMMU_CMD_STALL_TERM = 0x45,
    SMMU_CMD_SYNC = 0x46,
} SMMUCommandType;

typedef struct SMMUCmd {
    uint64_t word[2];
} SMMUCmd;

#define CMD_OPCODE(c)           ((c)->word[0] & 0xff)
#define CMD_SID(c)              ((uint32_t)((c)->word[0] >> 32))
#define CMD_STE_RANGE(c)        ((c)->word[1] & 0x1f)
#define CMD_SYNC_CS(c)          (((c)->word[0] >> 12) & 3)
#define CMD_SYNC_CS_NONE        0
#define CMD_SYNC_CS_IRQ         1
#define CMD_SYNC_CS_SEV         2
#define CMD_SYNC_MSIDATA(c)     ((uint32_t)((c)->word[0] >> 32))
#define CMD_SYNC_MSIADDR(c)     ((c)->word[1] & 0x00fffffffffffffcULL)

/* ---- Event records (32 bytes) ---- */

typedef enum SMMUEventType {
    SMMU_EVT_F_UUT = 0x01,
    SMMU_EVT_C_BAD_STREAMID = 0x02,
    SMMU_EVT_F_STE_FETCH = 0x03,
    SMMU_EVT_C_BAD_STE = 0x04,
    SMMU_EVT_F_STREAM_DISABLED = 0x06,
    SMMU_EVT_C_BAD_SUBSTREAMID = 0x08,
    SMMU_EVT_F_CD_FETCH = 0x09,
    SMMU_EVT_C_BAD_CD = 0x0a,
    SMMU_EVT_F_TRANSLATION = 0x10,
    SMMU_EVT_F_ADDR_SIZE = 0x11,
    SMMU_EVT_F_ACCESS = 0x12,
    SMMU_EVT_F_PERMISSION = 0x13,
} SMMUEventType;

typedef struct SMMUEvent {
    uint64_t word[4];           /* little-endian in guest memory */
} SMMUEvent;

#define EVT_TYPE(e)             ((e)->word[0] & 0xff)
#define EVT_SID(e)              ((uint32_t)((e)->word[0] >> 32))

static inline void smmu_event_init(SMMUEvent *e, SMMUEventType type,
                                   uint32_t sid)
{
    memset(e, 0, sizeof(*e));
    e->word[0] = (uint64_t)type | ((uint64_t)sid << 32);
}

/* FetchAddr[55:3] lives in bits 247:195, i.e. word 3 bits 55:3. */
static inline void smmu_event_set_fetch_addr(SMMUEvent *e, uint64_t addr)
{
    e->word[3] = addr & 0x00fffffffffffff8ULL;
}

/* ---- Stream table ---- */

#define STE_SIZE                64
#define STE_DWORDS              8
#define STE_L1_DESC_SIZE        8
#define STE_L1_SPAN(d)          ((d) & 0x1f)
#define STE_L1_L2PTR(d)         ((d) & 0x00ffffffffffffc0ULL)

#define STE0_V                  (1ULL << 0)
#define STE0_CONFIG(w)          (((w) >> 1) & 7)
#define STE_CONFIG_ABORT        0
#define STE_CONFIG_BYPASS       4
#define STE_CONFIG_S1           5
#define STE_CONFIG_S2           6
#define STE_CONFIG_NESTED       7

/*
 * The STE fields a guest controls in a nested HWPT (the host builds the
 * rest): word 0: V, Config, S1Fmt, S1ContextPtr[51:6], S1CDMax; word 1:
 * S1DSS, S1CIR/COR/CSH, S1STALLD, EATS.
 */
#define STE0_NESTED_MASK        (0x3fULL | 0x000fffffffffffc0ULL | \
                                 (0x1fULL << 59))
#define STE1_NESTED_MASK        (0xffULL | (1ULL << 27) | (3ULL << 28))
#define STE0_S1FMT_MASK         (3ULL << 4)
#define STE0_S1CDMAX_MASK       (0x1fULL << 59)
#define STE1_S1DSS_MASK         3ULL

/*
 * The guest STE words handed to the host for a nested HWPT of @sid:
 * the fields the guest controls, minus what this SMMU ignores.
 */
void smmuv3_ste_nested_words(const SMMUv3State *s, uint32_t sid,
                             const uint64_t *ste, uint64_t *ste0,
                             uint64_t *ste1);

/* Queue index helpers: WR/RD = {wrap bit at log2size, index}. */
static inline uint32_t smmu_q_idx(uint32_t v, uint8_t log2size)
{
    return v & ((1u << log2size) - 1);
}

static inline uint32_t smmu_q_wrap(uint32_t v, uint8_t log2size)
{
    return (v >> log2size) & 1;
}

/* The {wrap, index} part of a PROD/CONS value. */
static inline uint32_t smmu_q_ptr(uint32_t v, uint8_t log2size)
{
    return v & ((2u << log2size) - 1);
}

static inline bool smmu_q_empty(const SMMUQueue *q)
{
    return smmu_q_ptr(q->prod, q->log2size) == smmu_q_ptr(q->cons, q->log2size);
}

static inline bool smmu_q_full(const SMMUQueue *q)
{
    uint8_t n = q->log2size;

    return smmu_q_idx(q->prod, n) == smmu_q_idx(q->cons, n) &&
           smmu_q_wrap(q->prod, n) != smmu_q_wrap(q->cons, n);
}

/* Advance @v by one entry, keeping the bits above the wrap bit. */
static inline uint32_t smmu_q_inc(uint32_t v, uint8_t log2size)
{
    uint32_t ptr_mask = (2u << log2size) - 1;

    return (v & ~ptr_mask) | ((v + 1) & ptr_mask);
}

static inline hwaddr smmu_q_entry_addr(const SMMUQueue *q, uint32_t idx,
                                       unsigned entry_size)
{
    return (q->base & Q_BASE_ADDR_MASK) + (hwaddr)idx * entry_size;
}

/* Internal entry points shared with smmuv3-accel.c */

/* Record @evt in the guest Event Queue (the one propagation path). */
void smmuv3_propagate_event(SMMUv3State *s, const SMMUEvent *evt);

/*
 * Fetch the STE of @sid as the guest programmed it.  Returns 0, or the
 * event type describing the failure (C_BAD_STREAMID, F_STE_FETCH) with
 * *@fetch_addr set for fetch aborts.
 */
int smmuv3_read_ste(SMMUv3State *s, uint32_t sid, uint64_t ste[STE_DWORDS],
                    hwaddr *fetch_addr);

static inline bool smmuv3_enabled(const SMMUv3State *s)
{
    return s->cr[0] & CR0_SMMUEN;
}

#endif
