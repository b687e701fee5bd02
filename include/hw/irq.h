/*
 * Interrupt lines between device models.  A line is a handler plus its
 * line number; raising or lowering it calls the handler with the level.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

typedef struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
} IRQState;

typedef IRQState *qemu_irq;

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
void qemu_set_irq(qemu_irq irq, int level);

static inline void qemu_irq_raise(qemu_irq irq) { qemu_set_irq(irq, 1); }
static inline void qemu_irq_lower(qemu_irq irq) { qemu_set_irq(irq, 0); }
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

#endif
