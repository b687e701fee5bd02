/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Synthesized 4 KiB PCI Express configuration space of a simulated device.
 *
 * Type 0 header, one PCI capability (PCI Express, v2, endpoint) and a linked
 * extended-capability chain from 0x100 with ATS, PRI and PASID as
 * configured, so a VMM can walk it the way it walks a real device.  Writes
 * go through a per-byte mask: only the command register and the control
 * registers a VMM legitimately programs (ATS, PRI, PASID, device control)
 * change; everything else is read-only, as on hardware.
 */
#include <errno.h>
#include <string.h>

#include "sim-internal.h"

#define PCI_CAP_ID_EXP 0x10
#define PCI_EXT_CAP_ID_ATS 0x000f
#define PCI_EXT_CAP_ID_PRI 0x0013
#define PCI_EXT_CAP_ID_PASID 0x001b

#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_STATUS_CAP_LIST 0x0010
#define CFG_CAP_PTR 0x34
#define CFG_EXP_OFF 0x40
#define CFG_EXT_START 0x100

#define PASID_CAP_EXEC 0x0002
#define PASID_CAP_PRIV 0x0004
#define PASID_CTRL_ENABLE 0x0001
#define PASID_CTRL_EXEC 0x0002
#define PASID_CTRL_PRIV 0x0004
#define PRI_STATUS_STOPPED 0x0100
#define PRI_STATUS_PASID 0x8000

static void put8(struct sim_pdev *p, unsigned int off, uint8_t v, uint8_t wmask)
{
    p->cfg[off] = v;
    p->wmask[off] = wmask;
}

/* Config space is little-endian whatever the host is */
static void put16(struct sim_pdev *p, unsigned int off, uint16_t v,
                  uint16_t wmask)
{
    put8(p, off, v & 0xff, wmask & 0xff);
    put8(p, off + 1, v >> 8, wmask >> 8);
}

static void put32(struct sim_pdev *p, unsigned int off, uint32_t v,
                  uint32_t wmask)
{
    put16(p, off, v & 0xffff, wmask & 0xffff);
    put16(p, off + 2, v >> 16, wmask >> 16);
}

static uint16_t get16(const struct sim_pdev *p, unsigned int off)
{
    return p->cfg[off] | (uint16_t)p->cfg[off + 1] << 8;
}

static void build_header(struct sim_pdev *p)
{
    put16(p, 0x00, p->vendor, 0);
    put16(p, 0x02, p->device, 0);
    /* I/O, memory, bus master, parity, SERR#, INTx disable */
    put16(p, CFG_COMMAND, 0, 0x0547);
    put16(p, CFG_STATUS, CFG_STATUS_CAP_LIST, 0);
    put8(p, 0x08, 0x01, 0); /* revision */
    put8(p, 0x09, p->class_code & 0xff, 0);
    put16(p, 0x0a, p->class_code >> 8, 0);
    put8(p, 0x0c, 0, 0xff);       /* cache line */
    put8(p, 0x0e, 0x00, 0);       /* header type 0 */
    put16(p, 0x2c, p->vendor, 0); /* subsystem */
    put16(p, 0x2e, p->device, 0);
    put8(p, CFG_CAP_PTR, CFG_EXP_OFF, 0);
    put8(p, 0x3c, 0, 0xff); /* interrupt line */
}

static void build_pcie_cap(struct sim_pdev *p)
{
    unsigned int o = CFG_EXP_OFF;

    put8(p, o, PCI_CAP_ID_EXP, 0);
    put8(p, o + 1, 0, 0);            /* last capability */
    put16(p, o + 2, 0x0002, 0);      /* v2, PCIe endpoint */
    put32(p, o + 4, 0x10008000, 0);  /* DevCap: RBER, FLR */
    put16(p, o + 8, 0x2810, 0x7fff); /* DevCtl; bit 15 = FLR */
    put32(p, o + 0x24, 0, 0);        /* DevCap2 */
    put16(p, o + 0x28, 0, 0x0400);   /* DevCtl2: IDO req */
}

static void ext_header(struct sim_pdev *p, unsigned int off, uint16_t id,
                       unsigned int next)
{
    put32(p, off, id | (1u << 16) | ((uint32_t)next << 20), 0);
}

static unsigned int build_ats(struct sim_pdev *p, unsigned int off)
{
    p->ats_off = off;
    put16(p, off + 4, 0x0020, 0); /* page-aligned requests */
    put16(p, off + 6, 0, 0x801f); /* enable + STU */
    return off + 8;
}

static unsigned int build_pri(struct sim_pdev *p, unsigned int off)
{
    uint16_t status = PRI_STATUS_STOPPED;

    if (p->pasid_width) {
        status |= PRI_STATUS_PASID;
    }
    p->pri_off = off;
    put16(p, off + 4, 0, 0x0003); /* enable, reset */
    put16(p, off + 6, status, 0);
    put32(p, off + 8, p->pri_capacity, 0);
    put32(p, off + 12, 0, 0xffffffff); /* allocation */
    return off + 16;
}

/*
 * The host kernel enables PASID with every feature the function has when
 * the IOMMU probes it; GET_HW_INFO then reports EXEC/PRIV from this control
 * register, so start from that state.
 */
static unsigned int build_pasid(struct sim_pdev *p, unsigned int off)
{
    uint16_t cap = (uint16_t)(p->pasid_width << 8);
    uint16_t ctrl = PASID_CTRL_ENABLE;
    uint16_t wmask = PASID_CTRL_ENABLE;

    if (p->pasid_exec) {
        cap |= PASID_CAP_EXEC;
        ctrl |= PASID_CTRL_EXEC;
        wmask |= PASID_CTRL_EXEC;
    }
    if (p->pasid_priv) {
        cap |= PASID_CAP_PRIV;
        ctrl |= PASID_CTRL_PRIV;
        wmask |= PASID_CTRL_PRIV;
    }
    p->pasid_off = off;
    put16(p, off + 4, cap, 0);
    put16(p, off + 6, ctrl, wmask);
    return off + 8;
}

void sim_pciconf_build(struct sim_pdev *p)
{
    struct {
        bool present;
        uint16_t id;
        unsigned int (*build)(struct sim_pdev *, unsigned int);
    } ext[] = {
        {p->ats, PCI_EXT_CAP_ID_ATS, build_ats},
        {p->pri, PCI_EXT_CAP_ID_PRI, build_pri},
        {p->pasid_width > 0, PCI_EXT_CAP_ID_PASID, build_pasid},
    };
    unsigned int off = CFG_EXT_START, prev = 0;

    memset(p->cfg, 0, sizeof(p->cfg));
    memset(p->wmask, 0, sizeof(p->wmask));
    build_header(p);
    build_pcie_cap(p);

    /* link each present capability from the previous one's header */
    for (size_t i = 0; i < G_N_ELEMENTS(ext); i++) {
        unsigned int next;

        if (!ext[i].present) {
            continue;
        }
        next = ext[i].build(p, off);
        if (prev) {
            ext_header(p, prev, get16(p, prev), off);
        }
        ext_header(p, off, ext[i].id, 0);
        prev = off;
        off = next;
    }
}

ssize_t sim_pciconf_read(struct sim_pdev *p, void *buf, size_t count,
                         uint64_t off)
{
    if (off >= SIM_CFG_SIZE) {
        return -EINVAL;
    }
    count = MIN(count, SIM_CFG_SIZE - off);
    memcpy(buf, p->cfg + off, count);
    return count;
}

ssize_t sim_pciconf_write(struct sim_pdev *p, const void *buf, size_t count,
                          uint64_t off)
{
    const uint8_t *in = buf;

    if (off >= SIM_CFG_SIZE) {
        return -EINVAL;
    }
    count = MIN(count, SIM_CFG_SIZE - off);
    for (size_t i = 0; i < count; i++) {
        uint8_t m = p->wmask[off + i];

        p->cfg[off + i] = (p->cfg[off + i] & ~m) | (in[i] & m);
    }
    return count;
}

uint16_t sim_pciconf_pasid_ctrl(struct sim_pdev *p)
{
    return p->pasid_off ? get16(p, p->pasid_off + 6) : 0;
}
