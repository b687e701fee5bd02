/*
 * PCI Express capability and the extended capability list.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "trace.h"

/* Upper bound on list length: every dword of extended space. */
#define PCIE_EXT_CAP_MAX_WALK \
    ((PCIE_CONFIG_SPACE_SIZE - PCI_CONFIG_SPACE_SIZE) / 4)

/* DEVCTL after reset: relaxed ordering, no snoop, 512-byte read requests. */
#define PCIE_DEVCTL_RESET_VALUE (PCI_EXP_DEVCTL_RELAX_EN | \
                                 PCI_EXP_DEVCTL_NOSNOOP_EN | 0x2000)

static const char *pcie_dev_name(const PCIDevice *dev)
{
    return object_get_typename(OBJECT(dev));
}

/* ------------------------------------------------------------------ */
/* PCI Express capability                                              */

int pcie_cap_init(PCIDevice *dev, uint8_t offset, uint8_t type, uint8_t port,
                  Error **errp)
{
    uint8_t *exp;
    int pos;

    if (!pci_is_express(dev)) {
        error_setg(errp, "%s: PCI Express capability on a conventional PCI "
                   "device or bus", pcie_dev_name(dev));
        return -EINVAL;
    }
    pos = pci_add_capability(dev, PCI_CAP_ID_EXP, offset, PCI_EXP_VER2_SIZEOF,
                             errp);
    if (pos < 0) {
        return pos;
    }
    dev->exp.exp_cap = pos;
    exp = dev->config + pos;

    pci_set_word(exp + PCI_EXP_FLAGS,
                 ((type << PCI_EXP_FLAGS_TYPE_SHIFT) & PCI_EXP_FLAGS_TYPE) |
                 PCI_EXP_FLAGS_VER2);
    pci_set_long(exp + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
    pci_set_word(exp + PCI_EXP_DEVCTL, PCIE_DEVCTL_RESET_VALUE);
    pci_set_word(dev->wmask + pos + PCI_EXP_DEVCTL,
                 PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE |
                 PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE |
                 PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD |
                 PCI_EXP_DEVCTL_EXT_TAG | PCI_EXP_DEVCTL_NOSNOOP_EN |
                 PCI_EXP_DEVCTL_READRQ);
    pci_set_word(dev->w1cmask + pos + PCI_EXP_DEVSTA,
                 PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED |
                 PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD);

    /* Root-complex integrated devices have no link. */
    if (type != PCI_EXP_TYPE_RC_END && type != PCI_EXP_TYPE_RC_EC) {
        pci_set_long(exp + PCI_EXP_LNKCAP,
                     ((uint32_t)port << PCI_EXP_LNKCAP_PN_SHIFT) |
                     (PCI_EXP_LNK_MLW_1 << 4) | PCI_EXP_LNK_LS_2_5GT);
        pci_set_word(exp + PCI_EXP_LNKSTA,
                     (PCI_EXP_LNK_MLW_1 << PCI_EXP_LNKSTA_NLW_SHIFT) |
                     PCI_EXP_LNK_LS_2_5GT);
        pci_set_long(exp + PCI_EXP_LNKCAP2, 1u << PCI_EXP_LNK_LS_2_5GT);
        pci_set_word(exp + PCI_EXP_LNKSTA2, 0);
    }
    trace_pcie_cap_init(pcie_dev_name(dev), pos, type);
    return pos;
}

int pcie_endpoint_cap_init(PCIDevice *dev, uint8_t offset)
{
    uint8_t type = PCI_EXP_TYPE_ENDPOINT;

    /*
     * As in QEMU: an endpoint on a root bus is integrated in the root complex.
     */
    if (dev->bus && pci_bus_is_root(dev->bus)) {
        type = PCI_EXP_TYPE_RC_END;
    }
    return pcie_cap_init(dev, offset, type, 0, NULL);
}

uint8_t pcie_cap_get_type(const PCIDevice *dev)
{
    if (!dev->exp.exp_cap) {
        return 0;
    }
    return (pci_get_word(dev->config + dev->exp.exp_cap + PCI_EXP_FLAGS) &
            PCI_EXP_FLAGS_TYPE) >> PCI_EXP_FLAGS_TYPE_SHIFT;
}

/* ------------------------------------------------------------------ */
/* Extended capability list                                            */

static bool pcie_ext_range_free(PCIDevice *dev, uint32_t offset, uint32_t size)
{
    for (uint32_t i = offset; i < offset + size; i++) {
        if (dev->used[i]) {
            return false;
        }
    }
    return true;
}

static void pcie_claim(PCIDevice *dev, uint32_t offset, uint32_t size)
{
    memset(dev->used + offset, 0xff, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    memset(dev->cmask + offset, 0xff, size);
}

static void pcie_release(PCIDevice *dev, uint32_t offset, uint32_t size)
{
    memset(dev->config + offset, 0, size);
    memset(dev->used + offset, 0, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    memset(dev->cmask + offset, 0, size);
}

static bool pcie_ext_list_empty(PCIDevice *dev)
{
    return !dev->used[PCI_EXT_CAP_START] &&
           !pci_get_long(dev->config + PCI_EXT_CAP_START);
}

/*
 * Walk the list.  Returns the offset of the capability @cap_id (0 if
 * absent) and, in *@prev, the capability before it (0 if it is first).
 * With @cap_id < 0 walks to the end: returns the last capability.
 */
static uint16_t pcie_ext_walk(PCIDevice *dev, int cap_id, uint16_t *prev)
{
    uint16_t off = PCI_EXT_CAP_START, last = 0;

    if (prev) {
        *prev = 0;
    }
    if (!pci_is_express(dev) || pcie_ext_list_empty(dev)) {
        return 0;
    }
    for (int n = 0; n < PCIE_EXT_CAP_MAX_WALK; n++) {
        uint32_t header = pci_get_long(dev->config + off);
        uint16_t next = PCI_EXT_CAP_NEXT(header);

        /* Headers count whether we built them or a device copied them in. */
        if (cap_id >= 0 && PCI_EXT_CAP_ID(header) == (uint32_t)cap_id) {
            if (prev) {
                *prev = last;
            }
            return off;
        }
        if (next < PCI_EXT_CAP_START) {
            return cap_id < 0 ? off : 0;
        }
        last = off;
        off = next;
    }
    return 0;
}

uint16_t pcie_find_capability(PCIDevice *dev, uint16_t cap_id)
{
    if (!cap_id) {
        return 0;   /* ID 0 is the filler header, never a capability */
    }
    return pcie_ext_walk(dev, cap_id, NULL);
}

static void pcie_ext_set_next(PCIDevice *dev, uint16_t at, uint16_t next)
{
    uint32_t header = pci_get_long(dev->config + at);

    header = (header & ~PCI_EXT_CAP_NEXT_MASK) |
             ((uint32_t)next << PCI_EXT_CAP_NEXT_SHIFT);
    pci_set_long(dev->config + at, header);
}

int pcie_add_capability(PCIDevice *dev, uint16_t cap_id, uint8_t cap_ver,
                        uint16_t offset, uint16_t size)
{
    uint32_t sz = QEMU_ALIGN_UP(size, 4);
    bool empty;

    if (!pci_is_express(dev) || sz < PCI_EXT_CAP_HEADER_SIZEOF ||
        !cap_id) {
        trace_pcie_add_capability_failed(pcie_dev_name(dev), cap_id, offset,
                                         size);
        return -EINVAL;
    }
    empty = pcie_ext_list_empty(dev);
    if (!offset) {
        for (uint32_t off = PCI_EXT_CAP_START;
             off + sz <= PCIE_CONFIG_SPACE_SIZE; off += 4) {
            /* Leave room for the filler header if the list is empty. */
            if (empty && off != PCI_EXT_CAP_START &&
                off < PCI_EXT_CAP_START + PCI_EXT_CAP_HEADER_SIZEOF) {
                continue;
            }
            if (pcie_ext_range_free(dev, off, sz)) {
                offset = off;
                break;
            }
        }
        if (!offset) {
            trace_pcie_add_capability_failed(pcie_dev_name(dev), cap_id, 0,
                                             size);
            return -ENOSPC;
        }
    } else if (offset < PCI_EXT_CAP_START || (offset & 3) ||
               offset + sz > PCIE_CONFIG_SPACE_SIZE ||
               !pcie_ext_range_free(dev, offset, sz) ||
               (empty && offset != PCI_EXT_CAP_START &&
                offset < PCI_EXT_CAP_START + PCI_EXT_CAP_HEADER_SIZEOF)) {
        trace_pcie_add_capability_failed(pcie_dev_name(dev), cap_id, offset,
                                         size);
        return -EINVAL;
    }

    if (empty) {
        if (offset != PCI_EXT_CAP_START) {
            /* A filler header at 0x100 keeps the list walkable. */
            if (!pcie_ext_range_free(dev, PCI_EXT_CAP_START,
                                     PCI_EXT_CAP_HEADER_SIZEOF)) {
                return -EBUSY;
            }
            pcie_claim(dev, PCI_EXT_CAP_START, PCI_EXT_CAP_HEADER_SIZEOF);
            pci_set_long(dev->config + PCI_EXT_CAP_START,
                         PCI_EXT_CAP(0, 0, offset));
        }
    } else {
        uint16_t last = pcie_ext_walk(dev, -1, NULL);

        if (!last) {
            return -EIO;    /* broken list: cannot link */
        }
        pcie_ext_set_next(dev, last, offset);
    }
    pcie_claim(dev, offset, sz);
    memset(dev->config + offset, 0, sz);
    pci_set_long(dev->config + offset, PCI_EXT_CAP(cap_id, cap_ver, 0));
    trace_pcie_add_capability(pcie_dev_name(dev), cap_id, cap_ver, offset, sz);
    return offset;
}

void pcie_del_capability(PCIDevice *dev, uint16_t cap_id, uint16_t size)
{
    uint16_t prev = 0;
    uint16_t off = pcie_find_capability(dev, cap_id);
    uint16_t next;

    if (!off) {
        return;
    }
    pcie_ext_walk(dev, cap_id, &prev);
    next = PCI_EXT_CAP_NEXT(pci_get_long(dev->config + off));
    if (prev) {
        pcie_ext_set_next(dev, prev, next);
        pcie_release(dev, off, QEMU_ALIGN_UP(size, 4));
    } else if (off == PCI_EXT_CAP_START) {
        uint32_t sz = QEMU_ALIGN_UP(size, 4);

        pcie_release(dev, off, sz);
        if (next) {
            pcie_claim(dev, off, PCI_EXT_CAP_HEADER_SIZEOF);
            pci_set_long(dev->config + off, PCI_EXT_CAP(0, 0, next));
        }
    } else {
        /* First after the filler header. */
        pcie_ext_set_next(dev, PCI_EXT_CAP_START, next);
        pcie_release(dev, off, QEMU_ALIGN_UP(size, 4));
        if (!next) {
            pcie_release(dev, PCI_EXT_CAP_START, PCI_EXT_CAP_HEADER_SIZEOF);
        }
    }
    if (cap_id == PCI_EXT_CAP_ID_ATS) {
        dev->exp.ats_cap = 0;
    } else if (cap_id == PCI_EXT_CAP_ID_PRI) {
        dev->exp.pri_cap = 0;
    } else if (cap_id == PCI_EXT_CAP_ID_PASID) {
        dev->exp.pasid_cap = 0;
    }
}

/* ------------------------------------------------------------------ */
/* ATS, PRI, PASID, DSN                                                */

int pcie_ats_init(PCIDevice *dev, uint16_t offset, bool aligned)
{
    int pos = pcie_add_capability(dev, PCI_EXT_CAP_ID_ATS, 1, offset,
                                  PCI_EXT_CAP_ATS_SIZEOF);

    if (pos < 0) {
        return pos;
    }
    dev->exp.ats_cap = pos;
    /* Invalidate Queue Depth 0 means 32. */
    pci_set_word(dev->config + pos + PCI_ATS_CAP,
                 aligned ? PCI_ATS_CAP_PAGE_ALIGNED : 0);
    pci_set_word(dev->wmask + pos + PCI_ATS_CTRL,
                 PCI_ATS_CTRL_ENABLE | PCI_ATS_CTRL_STU_MASK);
    return pos;
}

static uint16_t pcie_pri_status_reset(const PCIDevice *dev)
{
    uint16_t keep = pci_get_word(dev->config + dev->exp.pri_cap +
                                 PCI_PRI_STATUS) & PCI_PRI_STATUS_PASID;

    return keep | PCI_PRI_STATUS_STOPPED;
}

int pcie_pri_init(PCIDevice *dev, uint16_t offset, uint32_t outstanding_pr_cap,
                  bool prg_response_pasid_req)
{
    int pos = pcie_add_capability(dev, PCI_EXT_CAP_ID_PRI, 1, offset,
                                  PCI_EXT_CAP_PRI_SIZEOF);

    if (pos < 0) {
        return pos;
    }
    dev->exp.pri_cap = pos;
    pci_set_word(dev->config + pos + PCI_PRI_STATUS,
                 PCI_PRI_STATUS_STOPPED |
                 (prg_response_pasid_req ? PCI_PRI_STATUS_PASID : 0));
    pci_set_long(dev->config + pos + PCI_PRI_MAX_REQ, outstanding_pr_cap);
    /* Control.Reset is write-only (reads 0): not stored. */
    pci_set_word(dev->wmask + pos + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
    pci_set_word(dev->w1cmask + pos + PCI_PRI_STATUS,
                 PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI);
    pci_set_long(dev->wmask + pos + PCI_PRI_ALLOC_REQ, 0xffffffff);
    return pos;
}

int pcie_pasid_init(PCIDevice *dev, uint16_t offset, uint8_t pasid_width,
                    bool exec_perm, bool priv_mode)
{
    uint16_t cap = 0, ctrl_mask = PCI_PASID_CTRL_ENABLE;
    int pos;

    if (pasid_width < 1 || pasid_width > PCI_EXT_CAP_PASID_MAX_WIDTH) {
        trace_pcie_add_capability_failed(pcie_dev_name(dev),
                                         PCI_EXT_CAP_ID_PASID, offset,
                                         pasid_width);
        return -EINVAL;
    }
    pos = pcie_add_capability(dev, PCI_EXT_CAP_ID_PASID, 1, offset,
                              PCI_EXT_CAP_PASID_SIZEOF);
    if (pos < 0) {
        return pos;
    }
    dev->exp.pasid_cap = pos;
    if (exec_perm) {
        cap |= PCI_PASID_CAP_EXEC;
        ctrl_mask |= PCI_PASID_CTRL_EXEC;
    }
    if (priv_mode) {
        cap |= PCI_PASID_CAP_PRIV;
        ctrl_mask |= PCI_PASID_CTRL_PRIV;
    }
    cap |= ((uint16_t)pasid_width << PCI_PASID_CAP_WIDTH_SHIFT) &
           PCI_PASID_CAP_WIDTH_MASK;
    pci_set_word(dev->config + pos + PCI_PASID_CAP, cap);
    pci_set_word(dev->wmask + pos + PCI_PASID_CTRL, ctrl_mask);
    return pos;
}

int pcie_dev_ser_num_init(PCIDevice *dev, uint16_t offset, uint64_t ser_num)
{
    int pos = pcie_add_capability(dev, PCI_EXT_CAP_ID_DSN, 1, offset,
                                  PCI_EXT_CAP_DSN_SIZEOF);

    if (pos < 0) {
        return pos;
    }
    pci_set_quad(dev->config + pos + 4, ser_num);
    return pos;
}

bool pcie_ats_enabled(const PCIDevice *dev)
{
    return dev->exp.ats_cap &&
           (pci_get_word(dev->config + dev->exp.ats_cap + PCI_ATS_CTRL) &
            PCI_ATS_CTRL_ENABLE);
}

bool pcie_pri_enabled(const PCIDevice *dev)
{
    return dev->exp.pri_cap &&
           (pci_get_word(dev->config + dev->exp.pri_cap + PCI_PRI_CTRL) &
            PCI_PRI_CTRL_ENABLE);
}

bool pcie_pasid_enabled(const PCIDevice *dev)
{
    return dev->exp.pasid_cap &&
           (pci_get_word(dev->config + dev->exp.pasid_cap + PCI_PASID_CTRL) &
            PCI_PASID_CTRL_ENABLE);
}

uint8_t pcie_pasid_width(const PCIDevice *dev)
{
    if (!dev->exp.pasid_cap) {
        return 0;
    }
    return (pci_get_word(dev->config + dev->exp.pasid_cap + PCI_PASID_CAP) &
            PCI_PASID_CAP_WIDTH_MASK) >> PCI_PASID_CAP_WIDTH_SHIFT;
}

void pcie_write_config(PCIDevice *dev, uint32_t address, uint32_t val, int len)
{
    uint16_t pri = dev->exp.pri_cap;

    /* PRI: Stopped is set while the interface is disabled. */
    if (pri && address < pri + PCI_PRI_STATUS &&
        address + len > pri + PCI_PRI_CTRL) {
        if (pcie_pri_enabled(dev)) {
            pci_word_test_and_clear_mask(dev->config + pri + PCI_PRI_STATUS,
                                         PCI_PRI_STATUS_STOPPED);
        } else {
            pci_word_test_and_set_mask(dev->config + pri + PCI_PRI_STATUS,
                                       PCI_PRI_STATUS_STOPPED);
        }
    }
}

void pcie_cap_reset(PCIDevice *dev)
{
    if (dev->exp.exp_cap) {
        uint8_t pos = dev->exp.exp_cap;

        pci_set_word(dev->config + pos + PCI_EXP_DEVCTL,
                     PCIE_DEVCTL_RESET_VALUE);
        pci_set_word(dev->config + pos + PCI_EXP_DEVSTA, 0);
    }
    if (dev->exp.ats_cap) {
        pci_set_word(dev->config + dev->exp.ats_cap + PCI_ATS_CTRL, 0);
    }
    if (dev->exp.pri_cap) {
        pci_set_word(dev->config + dev->exp.pri_cap + PCI_PRI_CTRL, 0);
        pci_set_word(dev->config + dev->exp.pri_cap + PCI_PRI_STATUS,
                     pcie_pri_status_reset(dev));
        pci_set_long(dev->config + dev->exp.pri_cap + PCI_PRI_ALLOC_REQ, 0);
    }
    if (dev->exp.pasid_cap) {
        pci_set_word(dev->config + dev->exp.pasid_cap + PCI_PASID_CTRL, 0);
    }
}
