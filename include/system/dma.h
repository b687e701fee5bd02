/*
 * DMA from device models into guest memory: what an IOMMU model uses to
 * read guest tables and write queue entries.  Every call returns a
 * MemTxResult so that a bad guest address becomes the architectural error
 * state, never a crash.
 */
#ifndef SYSTEM_DMA_H
#define SYSTEM_DMA_H

#include "system/memory.h"

typedef uint64_t dma_addr_t;

static inline MemTxResult dma_memory_read(AddressSpace *as, dma_addr_t addr,
                                          void *buf, dma_addr_t len,
                                          MemTxAttrs attrs)
{
    return address_space_read(as, addr, attrs, buf, len);
}

static inline MemTxResult dma_memory_write(AddressSpace *as, dma_addr_t addr,
                                           const void *buf, dma_addr_t len,
                                           MemTxAttrs attrs)
{
    return address_space_write(as, addr, attrs, buf, len);
}

static inline MemTxResult ldl_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint32_t *pval, MemTxAttrs attrs)
{
    MemTxResult r = dma_memory_read(as, addr, pval, 4, attrs);
    *pval = le32_to_cpu(*pval);
    return r;
}

static inline MemTxResult ldq_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint64_t *pval, MemTxAttrs attrs)
{
    MemTxResult r = dma_memory_read(as, addr, pval, 8, attrs);
    *pval = le64_to_cpu(*pval);
    return r;
}

static inline MemTxResult stl_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint32_t val, MemTxAttrs attrs)
{
    val = cpu_to_le32(val);
    return dma_memory_write(as, addr, &val, 4, attrs);
}

static inline MemTxResult stq_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint64_t val, MemTxAttrs attrs)
{
    val = cpu_to_le64(val);
    return dma_memory_write(as, addr, &val, 8, attrs);
}

#endif
