/*
 * PCI buses and devices, in the shape of QEMU's hw/pci.
 *
 * A PCI device is a qdev device on a PCI bus ("PCI", or its subtype "PCIE"
 * for the root bus of a PCI Express host).  Its address on the bus is the
 * "addr" property ("SLOT[.FN]" in hex, default: the first free slot).  Its
 * configuration space is emulated from four byte arrays:
 *   config   the register values
 *   wmask    bits software may write
 *   w1cmask  bits software clears by writing 1
 *   cmask    bits that must not change across migration/reset checks (info)
 * BARs are MemoryRegions mapped into system memory at the address the guest
 * programs, while COMMAND.MEMORY is set.
 *
 * Source files include "qemu/osdep.h" before this header.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/irq.h"
#include "system/memory.h"
#include "system/dma.h"
#include "hw/pci/pci_regs.h"
#include "hw/pci/pci_ids.h"

#define TYPE_PCI_BUS            "PCI"
#define TYPE_PCIE_BUS           "PCIE"
#define TYPE_PCI_DEVICE         "pci-device"

/* Interface markers QEMU uses; accepted as names, not enforced. */
#define INTERFACE_PCIE_DEVICE           "pci-express-device"
#define INTERFACE_CONVENTIONAL_PCI_DEVICE "conventional-pci-device"

#define PCI_SLOT_MAX            32
#define PCI_FUNC_MAX            8
#define PCI_DEVFN_MAX           256
#define PCI_BUS_MAX             256

#define PCI_DEVFN(slot, func)   ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
#define PCI_BUILD_BDF(bus, devfn) \
    ((uint16_t)((((bus) & 0xff) << 8) | ((devfn) & 0xff)))
#define PCI_BUS_NUM(bdf)        (((bdf) >> 8) & 0xff)
#define PCI_BDF_TO_DEVFN(bdf)   ((bdf) & 0xff)

/* Value of the "addr" property before an address is assigned. */
#define PCI_DEVFN_AUTO          (-1)

/* A PASID value meaning "no PASID" (requests without a PASID prefix). */
#define PCI_NO_PASID            UINT32_MAX

typedef uint64_t pcibus_t;
#define PCI_BAR_UNMAPPED        (~(pcibus_t)0)

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;
typedef struct PCIDeviceClass PCIDeviceClass;
/* Defined by the host IOMMU device code (iommufd/vfio); opaque here. */
typedef struct HostIOMMUDevice HostIOMMUDevice;

/* An MSI/MSI-X message: a 32-bit write of @data to @address. */
typedef struct MSIMessage {
    uint64_t address;
    uint32_t data;
} MSIMessage;

typedef struct PCIIORegion {
    pcibus_t addr;              /* where it is mapped, or PCI_BAR_UNMAPPED */
    pcibus_t size;              /* 0: BAR not registered */
    uint8_t type;               /* PCI_BASE_ADDRESS_* flags */
    MemoryRegion *memory;
} PCIIORegion;

/* PCI Express capabilities of a device (offsets in config space; 0: absent). */
typedef struct PCIExpressDevice {
    uint8_t exp_cap;            /* PCI Express capability (ID 0x10) */
    uint16_t ats_cap;
    uint16_t pri_cap;
    uint16_t pasid_cap;
} PCIExpressDevice;

/* Bits of PCIDevice.cap_present */
enum {
    QEMU_PCI_CAP_MSI = 0x1,
    QEMU_PCI_CAP_MSIX = 0x2,
    QEMU_PCI_CAP_EXPRESS = 0x4,
    QEMU_PCI_CAP_MULTIFUNCTION = 0x8,
};

/* Page Request Interface: the IOMMU's answer to a page request group. */
typedef enum IOMMUPRIResponseCode {
    IOMMU_PRI_RESP_SUCCESS,
    IOMMU_PRI_RESP_INVALID_REQUEST,
    IOMMU_PRI_RESP_FAILURE,
} IOMMUPRIResponseCode;

typedef struct IOMMUPRIResponse {
    IOMMUPRIResponseCode response_code;
    uint16_t prgi;              /* page request group index */
} IOMMUPRIResponse;

typedef struct IOMMUPRINotifier IOMMUPRINotifier;
typedef void (*IOMMUPRINotify)(IOMMUPRINotifier *notifier,
                               IOMMUPRIResponse *response);
/* Embedded in the device's state; the IOMMU calls notify per response. */
struct IOMMUPRINotifier {
    IOMMUPRINotify notify;
};

/*
 * What a vIOMMU (intel-iommu, arm-smmuv3) installs on the bus it
 * translates for, with pci_setup_iommu().  Every callback is optional.
 */
typedef struct PCIIOMMUOps {
    /*
     * The address space DMA and MSI writes of device @devfn on @bus go
     * through.  NULL (or no callback): address_space_memory.
     */
    AddressSpace *(*get_address_space)(PCIBus *bus, void *opaque, int devfn);
    /*
     * A passthrough device attaches its host IOMMU device (vfio-pci realize).
     */
    bool (*set_iommu_device)(PCIBus *bus, void *opaque, int devfn,
                             HostIOMMUDevice *dev, Error **errp);
    void (*unset_iommu_device)(PCIBus *bus, void *opaque, int devfn);
    /* VIOMMU_FLAG_* that the vIOMMU wants from passthrough devices. */
    uint64_t (*get_viommu_flags)(void *opaque);
    /*
     * PRI from emulated devices (see pci_pri_request_page): queue a page
     * request; 0 or a negative errno (-ENOSPC: queue full, dropped).
     */
    int (*pri_request_page)(PCIBus *bus, void *opaque, int devfn,
                            uint32_t pasid, bool priv_req, bool exec_req,
                            hwaddr addr, bool lpig, uint16_t prgi,
                            bool is_read, bool is_write);
    int (*pri_register_notifier)(PCIBus *bus, void *opaque, int devfn,
                                 uint32_t pasid, IOMMUPRINotifier *notifier);
    void (*pri_unregister_notifier)(PCIBus *bus, void *opaque, int devfn,
                                    uint32_t pasid);
} PCIIOMMUOps;

/*
 * A PCI bus: the root bus of a host bridge, or the secondary bus of a
 * PCI-to-PCI bridge (a PCIe root port).  A secondary bus has no number of
 * its own: it is whatever the guest wrote into the bridge's Secondary Bus
 * Number register, read each time (see pci_bus_num()).
 */
struct PCIBus {
    BusState qbus;
    uint8_t bus_num;            /* root bus only: its number (0) */
    PCIDevice *parent_dev;      /* the bridge above a secondary bus, or NULL */
    /*
     * The slot behind a hot-plug port is powered off: its devices answer
     * no configuration request and make no request of their own.
     */
    bool powered_off;
    PCIDevice *devices[PCI_DEVFN_MAX];
    const PCIIOMMUOps *iommu_ops;
    void *iommu_opaque;
    /* INTx: wired lines INTA..INTD after the standard swizzle. */
    qemu_irq intx[PCI_NUM_PINS];
    int intx_count[PCI_NUM_PINS];
};

struct PCIDeviceClass {
    DeviceClass parent_class;

    /* Device model setup, after config space allocation and ID fields. */
    void (*realize)(PCIDevice *dev, Error **errp);
    /* Undo realize (device_del, shutdown). */
    void (*exit)(PCIDevice *dev);
    /*
     * Config space accessors; default pci_default_read_config /
     * pci_default_write_config.  An override that does not handle a range
     * itself should call the default.  @len is 1, 2 or 4 and the access
     * never crosses the end of config space.
     */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t address, int len);
    void (*config_write)(PCIDevice *dev, uint32_t address, uint32_t val,
                         int len);
    /*
     * Device reset after the common PCI reset (COMMAND, BARs, MSI/MSI-X
     * enables); set this rather than DeviceClass.reset.
     */
    void (*reset)(PCIDevice *dev);

    /*
     * Bridges: a device is being added to the secondary bus (@hot: after
     * machine creation; refuse with @errp), was added, or has left it.
     */
    bool (*child_pre_plug)(PCIDevice *bridge, PCIDevice *child, bool hot,
                           Error **errp);
    void (*child_plugged)(PCIDevice *bridge, PCIDevice *child, bool hot);
    void (*child_unplugged)(PCIDevice *bridge, PCIDevice *child);
    /*
     * Bridges: device_del of a device on the secondary bus.  0: remove it
     * now; 1: the guest was asked (attention button) and the bridge calls
     * qdev_unplug_complete() once the guest lets go; -errno: refused.
     */
    int (*child_unplug_request)(PCIDevice *bridge, PCIDevice *child,
                                Error **errp);

    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;
    uint16_t subsystem_vendor_id;   /* 0: none */
    uint16_t subsystem_id;
    bool is_express;                /* 4 KiB config space */
};

#define PCI_BUS(obj)            OBJECT_CHECK(PCIBus, (obj), TYPE_PCI_BUS)
OBJECT_DECLARE_TYPE(PCIDevice, PCIDeviceClass, PCI_DEVICE)

struct PCIDevice {
    DeviceState qdev;

    /* Properties */
    int32_t devfn;              /* "addr"; PCI_DEVFN_AUTO until realized */
    bool multifunction;         /* "multifunction" */

    PCIBus *bus;                /* set at realize */
    uint32_t config_size;       /* 256 or 4096 */
    uint8_t *config;
    uint8_t *cmask;
    uint8_t *wmask;
    uint8_t *w1cmask;
    uint8_t *used;              /* bytes claimed by capabilities */

    PCIIORegion io_regions[PCI_NUM_REGIONS];
    uint32_t cap_present;       /* QEMU_PCI_CAP_* */

    /* INTx level as driven by the device (before INTX_DISABLE). */
    int irq_state;

    /* MSI */
    uint8_t msi_cap;            /* capability offset, 0 if none */
    uint8_t msi_cap_size;

    /* MSI-X */
    uint8_t msix_cap;
    uint16_t msix_entries_nr;
    uint8_t *msix_table;        /* msix_entries_nr * 16 bytes */
    uint8_t *msix_pba;
    uint32_t msix_table_offset; /* in the table BAR */
    uint32_t msix_pba_offset;
    bool msix_function_masked;
    MemoryRegion msix_table_mmio;
    MemoryRegion msix_pba_mmio;
    MemoryRegion *msix_table_bar;   /* containers the two are mapped into */
    MemoryRegion *msix_pba_bar;
    MemoryRegion msix_exclusive_bar;

    PCIExpressDevice exp;
};

/* Config space accessors on a byte pointer (little-endian). */
static inline uint8_t pci_get_byte(const uint8_t *config)
{
    return *config;
}

static inline void pci_set_byte(uint8_t *config, uint8_t val)
{
    *config = val;
}

static inline uint16_t pci_get_word(const uint8_t *config)
{
    return (uint16_t)ldn_le_p(config, 2);
}

static inline void pci_set_word(uint8_t *config, uint16_t val)
{
    stn_le_p(config, 2, val);
}

static inline uint32_t pci_get_long(const uint8_t *config)
{
    return ldl_le_p(config);
}

static inline void pci_set_long(uint8_t *config, uint32_t val)
{
    stl_le_p(config, val);
}

static inline uint64_t pci_get_quad(const uint8_t *config)
{
    return ldq_le_p(config);
}

static inline void pci_set_quad(uint8_t *config, uint64_t val)
{
    stq_le_p(config, val);
}

/* Set bits of @mask, clear the others, in a word/long. */
static inline void pci_word_test_and_set_mask(uint8_t *config, uint16_t mask)
{
    pci_set_word(config, pci_get_word(config) | mask);
}

static inline void pci_word_test_and_clear_mask(uint8_t *config, uint16_t mask)
{
    pci_set_word(config, pci_get_word(config) & ~mask);
}

static inline void pci_long_test_and_set_mask(uint8_t *config, uint32_t mask)
{
    pci_set_long(config, pci_get_long(config) | mask);
}

static inline void pci_long_test_and_clear_mask(uint8_t *config, uint32_t mask)
{
    pci_set_long(config, pci_get_long(config) & ~mask);
}

static inline void pci_config_set_vendor_id(uint8_t *config, uint16_t val)
{
    pci_set_word(config + PCI_VENDOR_ID, val);
}

static inline void pci_config_set_device_id(uint8_t *config, uint16_t val)
{
    pci_set_word(config + PCI_DEVICE_ID, val);
}

static inline void pci_config_set_revision(uint8_t *config, uint8_t val)
{
    pci_set_byte(config + PCI_REVISION_ID, val);
}

static inline void pci_config_set_class(uint8_t *config, uint16_t val)
{
    pci_set_word(config + PCI_CLASS_DEVICE, val);
}

static inline void pci_config_set_prog_interface(uint8_t *config, uint8_t val)
{
    pci_set_byte(config + PCI_CLASS_PROG, val);
}

/* 1 = INTA .. 4 = INTD, 0 = no INTx. */
static inline void pci_config_set_interrupt_pin(uint8_t *config, uint8_t val)
{
    pci_set_byte(config + PCI_INTERRUPT_PIN, val);
}

static inline bool pci_is_express(const PCIDevice *d)
{
    return d->cap_present & QEMU_PCI_CAP_EXPRESS;
}

static inline uint32_t pci_config_size(const PCIDevice *d)
{
    return d->config_size;
}

static inline PCIBus *pci_get_bus(const PCIDevice *d)
{
    return d->bus;
}

static inline bool pci_bus_is_root(const PCIBus *bus)
{
    return !bus->parent_dev;
}

/*
 * The bus number now: fixed for a root bus, the bridge's Secondary Bus
 * Number for the others (0 until the guest numbers the bridge).  Never
 * cache it: a guest may renumber bridges at any time.
 */
static inline int pci_bus_num(const PCIBus *bus)
{
    const PCIDevice *br = bus->parent_dev;

    if (!br) {
        return bus->bus_num;
    }
    return br->config ? br->config[PCI_SECONDARY_BUS] : 0;
}

static inline uint8_t pci_dev_bus_num(const PCIDevice *d)
{
    return d->bus ? pci_bus_num(d->bus) : 0;
}

/*
 * Requester ID of function @devfn on @bus as of now (bus << 8 | devfn):
 * the VT-d source-id and the SMMUv3 StreamID of its requests.  vIOMMUs
 * derive it at every use from the PCIBus they were handed, never at plug
 * time (see docs/devel/pcie-root-port.md).
 */
static inline uint16_t pci_bus_requester_id(const PCIBus *bus, int devfn)
{
    return PCI_BUILD_BDF(pci_bus_num(bus), devfn);
}

/*
 * Has the guest numbered every bridge above @bus, with ranges that route
 * configuration requests for pci_bus_num(@bus) to it (and its slot has
 * power)?  Until then, bus:devfn names no device of @bus: a vIOMMU must
 * not look up tables or deliver faults under that number, which may be
 * another device's.  Cost: the depth of the bus, no scan.
 */
bool pci_bus_is_addressable(const PCIBus *bus);

/* Requester ID (bus << 8 | devfn): the StreamID / source-id of its DMA. */
uint16_t pci_requester_id(PCIDevice *dev);
/* Bus/device/function of @dev, same encoding. */
uint16_t pci_get_bdf(PCIDevice *dev);

/* Default config space behaviour (masks, BAR and MSI/MSI-X side effects). */
uint32_t pci_default_read_config(PCIDevice *dev, uint32_t address, int len);
void pci_default_write_config(PCIDevice *dev, uint32_t address, uint32_t val,
                              int len);
/*
 * A config access as the host bridge makes it (ECAM): goes through the
 * class hooks; accesses at or beyond the device's config size read as all
 * ones and are dropped on write.
 */
uint32_t pci_host_config_read(PCIDevice *dev, uint32_t address, int len);
void pci_host_config_write(PCIDevice *dev, uint32_t address, uint32_t val,
                           int len);

/*
 * Register BAR @region_num (0..5; PCI_ROM_SLOT unsupported) of
 * memory_region_size(@memory) bytes, a power of two >= 16.  @type is
 * PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64 |
 * PCI_BASE_ADDRESS_MEM_PREFETCH as wanted (a 64-bit BAR also takes
 * region_num + 1).  I/O BARs are accepted but never mapped (no port I/O).
 * Called from the PCIDeviceClass realize.
 */
void pci_register_bar(PCIDevice *dev, int region_num, uint8_t type,
                      MemoryRegion *memory);
/* Address the BAR is mapped at, or PCI_BAR_UNMAPPED. */
pcibus_t pci_get_bar_addr(PCIDevice *dev, int region_num);
/* Re-evaluate BAR mappings from COMMAND and the BAR registers. */
void pci_update_mappings(PCIDevice *dev);

/*
 * Standard capability list.  Adds capability @cap_id of @size bytes at
 * @offset (0: first free dword-aligned space from 0x40), links it at the
 * head of the list and sets STATUS.CAP_LIST.  Returns the offset, or -1
 * with @errp set if it does not fit or overlaps another capability.
 */
int pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp);
void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size);
/* Offset of the first capability @cap_id in the standard list, 0 if none. */
uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id);

/* INTx: the pin is PCI_INTERRUPT_PIN of config space (1..4). */
void pci_set_irq(PCIDevice *dev, int level);
static inline void pci_irq_assert(PCIDevice *dev) { pci_set_irq(dev, 1); }
static inline void pci_irq_deassert(PCIDevice *dev) { pci_set_irq(dev, 0); }
static inline void pci_irq_pulse(PCIDevice *dev)
{
    pci_set_irq(dev, 1);
    pci_set_irq(dev, 0);
}
/*
 * Connect the root bus's INTA..INTD to interrupt controller inputs; a
 * device in slot S asserting pin P (0-based) drives line (P + S) % 4.
 */
void pci_bus_irqs(PCIBus *bus, const qemu_irq irqs[PCI_NUM_PINS]);

/*
 * Bus master enable: COMMAND.MASTER of the device and of every bridge
 * between it and the root bus (a bridge forwards requests upstream only
 * with its own bus mastering on); DMA and MSI are dropped while clear.
 */
bool pci_bus_master_enabled(const PCIDevice *dev);

/* IOMMU hook-up (see PCIIOMMUOps). */
void pci_setup_iommu(PCIBus *bus, const PCIIOMMUOps *ops, void *opaque);
/* The address space the device's DMA goes through (vIOMMU or memory). */
AddressSpace *pci_device_iommu_address_space(PCIDevice *dev);
/* Same, for a device not created yet at (@bus, @devfn). */
AddressSpace *pci_bus_iommu_address_space(PCIBus *bus, int devfn);
static inline AddressSpace *pci_get_address_space(PCIDevice *dev)
{
    return pci_device_iommu_address_space(dev);
}
/* True with no vIOMMU (nothing to do); else the vIOMMU's answer. */
bool pci_device_set_iommu_device(PCIDevice *dev, HostIOMMUDevice *hiod,
                                 Error **errp);
void pci_device_unset_iommu_device(PCIDevice *dev);
/* VIOMMU_FLAG_* of the vIOMMU translating for @dev, 0 if none. */
uint64_t pci_device_get_viommu_flags(PCIDevice *dev);

/*
 * Page request from an emulated device for @addr (page aligned) in
 * @pasid (PCI_NO_PASID: none).  -EPERM unless bus mastering and PRI are
 * enabled (and the PASID capability, for a PASID); -ENODEV if no vIOMMU
 * handles page requests; else the vIOMMU's result.
 */
int pci_pri_request_page(PCIDevice *dev, uint32_t pasid, bool priv_req,
                         bool exec_req, hwaddr addr, bool lpig, uint16_t prgi,
                         bool is_read, bool is_write);
/* Where responses for @pasid go; -ENODEV without a vIOMMU that does PRI. */
int pci_pri_register_notifier(PCIDevice *dev, uint32_t pasid,
                              IOMMUPRINotifier *notifier);
void pci_pri_unregister_notifier(PCIDevice *dev, uint32_t pasid);

/* Memory attributes of the device's requests (requester ID set). */
static inline MemTxAttrs pci_requester_attrs(PCIDevice *dev)
{
    MemTxAttrs attrs = { .requester_id = pci_requester_id(dev) };
    return attrs;
}

/*
 * DMA by the device, through its IOMMU address space.  Fails with
 * MEMTX_DECODE_ERROR (nothing moved) while bus mastering is disabled.
 */
MemTxResult pci_dma_rw(PCIDevice *dev, dma_addr_t addr, void *buf,
                       dma_addr_t len, bool is_write);
static inline MemTxResult pci_dma_read(PCIDevice *dev, dma_addr_t addr,
                                       void *buf, dma_addr_t len)
{
    return pci_dma_rw(dev, addr, buf, len, false);
}
static inline MemTxResult pci_dma_write(PCIDevice *dev, dma_addr_t addr,
                                        const void *buf, dma_addr_t len)
{
    return pci_dma_rw(dev, addr, (void *)buf, len, true);
}

/*
 * Look-ups by bus number, as a config cycle is routed: from @bus down
 * through the bridges whose [secondary, subordinate] range holds
 * @bus_num.  NULL (nothing) for a number no bridge forwards.
 */
PCIBus *pci_find_bus_nr(PCIBus *bus, int bus_num);
PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn);
void pci_for_each_device(PCIBus *bus, int bus_num,
                         void (*fn)(PCIBus *bus, PCIDevice *dev, void *opaque),
                         void *opaque);
/* Root bus above @dev (through its bridges). */
PCIBus *pci_device_root_bus(const PCIDevice *dev);
/* The bridge whose secondary bus is @bus, NULL for a root bus. */
static inline PCIDevice *pci_bridge_get_device(const PCIBus *bus)
{
    return bus->parent_dev;
}
/* The machine's root bus "pcie.0", NULL before the machine creates it. */
PCIBus *pci_find_primary_bus(void);

/* The common reset: called by the DeviceClass reset of every PCI device. */
void pci_device_reset(PCIDevice *dev);

/* Machine-code helpers: create a PCI device at @devfn (or PCI_DEVFN_AUTO). */
PCIDevice *pci_new(int devfn, const char *name);
bool pci_realize_and_unref(PCIDevice *dev, PCIBus *bus, Error **errp);

/* "addr" property type: "SLOT[.FN]" in hex, stored as devfn (int32). */
extern const PropertyInfo qdev_prop_pci_devfn;
#define DEFINE_PROP_PCI_DEVFN(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_pci_devfn, int32_t, \
                .set_default = true, .defval.i = (_d))

#endif
