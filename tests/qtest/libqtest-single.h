/*
 * libqtest-single: the libqtest API on one implicit QTestState, for tests
 * that drive a single binary (as QEMU's libqtest-single.h).
 */
#ifndef LIBQTEST_SINGLE_H
#define LIBQTEST_SINGLE_H

#include "libqtest.h"

static QTestState *global_qtest G_GNUC_UNUSED;

static inline QTestState *qtest_start(const char *args)
{
    global_qtest = qtest_init(args);
    return global_qtest;
}

static inline void qtest_end(void)
{
    if (global_qtest) {
        qtest_quit(global_qtest);
        global_qtest = NULL;
    }
}

static inline JsonObject *G_GNUC_PRINTF(1, 2) qmp(const char *fmt, ...)
{
    JsonObject *resp;
    va_list ap;

    va_start(ap, fmt);
    resp = qtest_vqmp(global_qtest, fmt, ap);
    va_end(ap);
    return resp;
}

static inline void qmp_eventwait(const char *event)
{
    qtest_qmp_eventwait(global_qtest, event);
}

static inline uint8_t readb(uint64_t addr)
{
    return qtest_readb(global_qtest, addr);
}

static inline uint16_t readw(uint64_t addr)
{
    return qtest_readw(global_qtest, addr);
}

static inline uint32_t readl(uint64_t addr)
{
    return qtest_readl(global_qtest, addr);
}

static inline uint64_t readq(uint64_t addr)
{
    return qtest_readq(global_qtest, addr);
}

static inline void writeb(uint64_t addr, uint8_t value)
{
    qtest_writeb(global_qtest, addr, value);
}

static inline void writew(uint64_t addr, uint16_t value)
{
    qtest_writew(global_qtest, addr, value);
}

static inline void writel(uint64_t addr, uint32_t value)
{
    qtest_writel(global_qtest, addr, value);
}

static inline void writeq(uint64_t addr, uint64_t value)
{
    qtest_writeq(global_qtest, addr, value);
}

static inline void memread(uint64_t addr, void *data, size_t size)
{
    qtest_memread(global_qtest, addr, data, size);
}

static inline void memwrite(uint64_t addr, const void *data, size_t size)
{
    qtest_memwrite(global_qtest, addr, data, size);
}

static inline int64_t clock_step(int64_t step)
{
    return qtest_clock_step(global_qtest, step);
}

static inline int64_t clock_step_next(void)
{
    return qtest_clock_step_next(global_qtest);
}

static inline bool get_irq(int num)
{
    return qtest_get_irq(global_qtest, num);
}

#endif
