/*
 * PCI / PCI Express configuration space layout: register offsets, bits
 * and capability layouts (PCI Local Bus 3.0, PCI Express Base 4.0).
 */
#ifndef HW_PCI_PCI_REGS_H
#define HW_PCI_PCI_REGS_H

#define PCI_CONFIG_SPACE_SIZE           0x100
#define PCIE_CONFIG_SPACE_SIZE          0x1000
#define PCI_CONFIG_HEADER_SIZE          0x40

/* Type 0 header */
#define PCI_VENDOR_ID                   0x00    /* 16 bits */
#define PCI_DEVICE_ID                   0x02    /* 16 bits */
#define PCI_COMMAND                     0x04    /* 16 bits */
#define  PCI_COMMAND_IO                 0x0001
#define  PCI_COMMAND_MEMORY             0x0002
#define  PCI_COMMAND_MASTER             0x0004
#define  PCI_COMMAND_SPECIAL            0x0008
#define  PCI_COMMAND_INVALIDATE         0x0010
#define  PCI_COMMAND_VGA_PALETTE        0x0020
#define  PCI_COMMAND_PARITY             0x0040
#define  PCI_COMMAND_WAIT               0x0080
#define  PCI_COMMAND_SERR               0x0100
#define  PCI_COMMAND_FAST_BACK          0x0200
#define  PCI_COMMAND_INTX_DISABLE       0x0400
#define PCI_STATUS                      0x06    /* 16 bits */
#define  PCI_STATUS_IMM_READY           0x0001
#define  PCI_STATUS_INTERRUPT           0x0008
#define  PCI_STATUS_CAP_LIST            0x0010
#define  PCI_STATUS_66MHZ               0x0020
#define  PCI_STATUS_FAST_BACK           0x0080
#define  PCI_STATUS_PARITY              0x0100
#define  PCI_STATUS_DEVSEL_MASK         0x0600
#define  PCI_STATUS_SIG_TARGET_ABORT    0x0800
#define  PCI_STATUS_REC_TARGET_ABORT    0x1000
#define  PCI_STATUS_REC_MASTER_ABORT    0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR    0x4000
#define  PCI_STATUS_DETECTED_PARITY     0x8000
/* Status bits software clears by writing 1 */
#define  PCI_STATUS_W1C_MASK            (PCI_STATUS_PARITY | \
                                         PCI_STATUS_SIG_TARGET_ABORT | \
                                         PCI_STATUS_REC_TARGET_ABORT | \
                                         PCI_STATUS_REC_MASTER_ABORT | \
                                         PCI_STATUS_SIG_SYSTEM_ERROR | \
                                         PCI_STATUS_DETECTED_PARITY)
#define PCI_REVISION_ID                 0x08    /* 8 bits */
#define PCI_CLASS_PROG                  0x09    /* 8 bits */
/* 16 bits: base class << 8 | sub */
#define PCI_CLASS_DEVICE                0x0a
#define PCI_CACHE_LINE_SIZE             0x0c
#define PCI_LATENCY_TIMER               0x0d
#define PCI_HEADER_TYPE                 0x0e
#define  PCI_HEADER_TYPE_NORMAL         0x00
#define  PCI_HEADER_TYPE_BRIDGE         0x01
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST                        0x0f

#define PCI_BASE_ADDRESS_0              0x10    /* 32 bits each */
#define PCI_BASE_ADDRESS_1              0x14
#define PCI_BASE_ADDRESS_2              0x18
#define PCI_BASE_ADDRESS_3              0x1c
#define PCI_BASE_ADDRESS_4              0x20
#define PCI_BASE_ADDRESS_5              0x24
#define  PCI_BASE_ADDRESS_SPACE         0x01
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_SPACE_MEMORY  0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define  PCI_BASE_ADDRESS_MEM_TYPE_32   0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define  PCI_BASE_ADDRESS_MEM_MASK      (~0x0fU)
#define  PCI_BASE_ADDRESS_IO_MASK       (~0x03U)
#define PCI_CARDBUS_CIS                 0x28
#define PCI_SUBSYSTEM_VENDOR_ID         0x2c
#define PCI_SUBSYSTEM_ID                0x2e
#define PCI_ROM_ADDRESS                 0x30
#define PCI_CAPABILITY_LIST             0x34    /* 8 bits */
#define PCI_INTERRUPT_LINE              0x3c
#define PCI_INTERRUPT_PIN               0x3d    /* 1 = INTA .. 4 = INTD */
#define PCI_MIN_GNT                     0x3e
#define PCI_MAX_LAT                     0x3f

/* Type 1 header (PCI-to-PCI bridge), PCI-to-PCI Bridge Architecture 1.2 */
#define PCI_PRIMARY_BUS                 0x18
#define PCI_SECONDARY_BUS               0x19
#define PCI_SUBORDINATE_BUS             0x1a
#define PCI_SEC_LATENCY_TIMER           0x1b
#define PCI_IO_BASE                     0x1c
#define PCI_IO_LIMIT                    0x1d
#define  PCI_IO_RANGE_TYPE_32           0x01
#define  PCI_IO_RANGE_MASK              0xf0
#define PCI_SEC_STATUS                  0x1e    /* 16 bits */
#define PCI_MEMORY_BASE                 0x20    /* 16 bits */
#define PCI_MEMORY_LIMIT                0x22
#define  PCI_MEMORY_RANGE_MASK          0xfff0
#define PCI_PREF_MEMORY_BASE            0x24
#define PCI_PREF_MEMORY_LIMIT           0x26
#define  PCI_PREF_RANGE_TYPE_64         0x0001
#define  PCI_PREF_RANGE_MASK            0xfff0
#define PCI_PREF_BASE_UPPER32           0x28
#define PCI_PREF_LIMIT_UPPER32          0x2c
#define PCI_IO_BASE_UPPER16             0x30
#define PCI_IO_LIMIT_UPPER16            0x32
#define PCI_ROM_ADDRESS1                0x38
#define PCI_BRIDGE_CONTROL              0x3e    /* 16 bits */
#define  PCI_BRIDGE_CTL_PARITY          0x0001
#define  PCI_BRIDGE_CTL_SERR            0x0002
#define  PCI_BRIDGE_CTL_ISA             0x0004
#define  PCI_BRIDGE_CTL_VGA             0x0008
#define  PCI_BRIDGE_CTL_MASTER_ABORT    0x0020
#define  PCI_BRIDGE_CTL_BUS_RESET       0x0040

#define PCI_NUM_REGIONS                 7       /* 6 BARs + expansion ROM */
#define PCI_ROM_SLOT                    6
#define PCI_NUM_PINS                    4

/* Standard capability list */
#define PCI_CAP_LIST_ID                 0x00
#define PCI_CAP_LIST_NEXT               0x01
#define PCI_CAP_FLAGS                   0x02
#define PCI_CAP_SIZEOF                  4

#define PCI_CAP_ID_PM                   0x01
#define PCI_CAP_ID_MSI                  0x05
#define PCI_CAP_ID_VNDR                 0x09
#define PCI_CAP_ID_EXP                  0x10
#define PCI_CAP_ID_MSIX                 0x11

/* MSI capability */
#define PCI_MSI_FLAGS                   0x02    /* 16 bits */
#define  PCI_MSI_FLAGS_ENABLE           0x0001
#define  PCI_MSI_FLAGS_QMASK            0x000e  /* multiple message capable */
#define  PCI_MSI_FLAGS_QSIZE            0x0070  /* multiple message enable */
#define  PCI_MSI_FLAGS_64BIT            0x0080
#define  PCI_MSI_FLAGS_MASKBIT          0x0100
#define PCI_MSI_ADDRESS_LO              0x04
#define PCI_MSI_ADDRESS_HI              0x08    /* 64-bit only */
#define PCI_MSI_DATA_32                 0x08
#define PCI_MSI_MASK_32                 0x0c
#define PCI_MSI_PENDING_32              0x10
#define PCI_MSI_DATA_64                 0x0c
#define PCI_MSI_MASK_64                 0x10
#define PCI_MSI_PENDING_64              0x14
#define PCI_MSI_32_SIZEOF               0x0a
#define PCI_MSI_64_SIZEOF               0x0e
#define PCI_MSI_32_MASK_SIZEOF          0x14
#define PCI_MSI_64_MASK_SIZEOF          0x18
#define PCI_MSI_VECTORS_MAX             32

/* MSI-X capability */
#define PCI_MSIX_FLAGS                  0x02    /* 16 bits */
#define  PCI_MSIX_FLAGS_QSIZE           0x07ff  /* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL         0x4000
#define  PCI_MSIX_FLAGS_ENABLE          0x8000
#define PCI_MSIX_TABLE                  0x04    /* offset | BIR */
#define PCI_MSIX_PBA                    0x08    /* offset | BIR */
#define  PCI_MSIX_BIR_MASK              0x00000007
#define  PCI_MSIX_OFFSET_MASK           0xfffffff8
#define PCI_MSIX_SIZEOF                 0x0c
#define PCI_MSIX_VECTORS_MAX            2048
/* MSI-X table entry */
#define PCI_MSIX_ENTRY_SIZE             16
#define PCI_MSIX_ENTRY_LOWER_ADDR       0x0
#define PCI_MSIX_ENTRY_UPPER_ADDR       0x4
#define PCI_MSIX_ENTRY_DATA             0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL      0xc
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT    0x00000001

/* PCI Express capability (ID 0x10) */
#define PCI_EXP_FLAGS                   0x02    /* 16 bits */
#define  PCI_EXP_FLAGS_VERS             0x000f
#define  PCI_EXP_FLAGS_TYPE             0x00f0
#define  PCI_EXP_FLAGS_TYPE_SHIFT       4
#define  PCI_EXP_FLAGS_SLOT             0x0100
#define  PCI_EXP_FLAGS_IRQ              0x3e00
#define  PCI_EXP_FLAGS_IRQ_SHIFT        9
#define PCI_EXP_TYPE_ENDPOINT           0x0
#define PCI_EXP_TYPE_LEG_END            0x1
#define PCI_EXP_TYPE_ROOT_PORT          0x4
#define PCI_EXP_TYPE_UPSTREAM           0x5
#define PCI_EXP_TYPE_DOWNSTREAM         0x6
#define PCI_EXP_TYPE_RC_END             0x9
#define PCI_EXP_TYPE_RC_EC              0xa
#define PCI_EXP_DEVCAP                  0x04    /* 32 bits */
#define  PCI_EXP_DEVCAP_PAYLOAD         0x00000007
#define  PCI_EXP_DEVCAP_RBER            0x00008000
#define  PCI_EXP_DEVCAP_FLR             0x10000000
#define PCI_EXP_DEVCTL                  0x08    /* 16 bits */
#define  PCI_EXP_DEVCTL_CERE            0x0001
#define  PCI_EXP_DEVCTL_NFERE           0x0002
#define  PCI_EXP_DEVCTL_FERE            0x0004
#define  PCI_EXP_DEVCTL_URRE            0x0008
#define  PCI_EXP_DEVCTL_RELAX_EN        0x0010
#define  PCI_EXP_DEVCTL_PAYLOAD         0x00e0
#define  PCI_EXP_DEVCTL_EXT_TAG         0x0100
#define  PCI_EXP_DEVCTL_NOSNOOP_EN      0x0800
#define  PCI_EXP_DEVCTL_READRQ          0x7000
#define  PCI_EXP_DEVCTL_BCR_FLR         0x8000
#define PCI_EXP_DEVSTA                  0x0a    /* 16 bits */
#define  PCI_EXP_DEVSTA_CED             0x0001
#define  PCI_EXP_DEVSTA_NFED            0x0002
#define  PCI_EXP_DEVSTA_FED             0x0004
#define  PCI_EXP_DEVSTA_URD             0x0008
#define PCI_EXP_LNKCAP                  0x0c    /* 32 bits */
#define  PCI_EXP_LNKCAP_SLS             0x0000000f
#define  PCI_EXP_LNKCAP_MLW             0x000003f0
#define  PCI_EXP_LNKCAP_PN_SHIFT        24
#define  PCI_EXP_LNKCAP_DLLLARC         0x00100000  /* DLL active reporting */
#define PCI_EXP_LNKCTL                  0x10    /* 16 bits */
#define PCI_EXP_LNKSTA                  0x12    /* 16 bits */
#define  PCI_EXP_LNKSTA_CLS             0x000f
#define  PCI_EXP_LNKSTA_NLW             0x03f0
#define  PCI_EXP_LNKSTA_NLW_SHIFT       4
#define  PCI_EXP_LNKSTA_DLLLA           0x2000  /* data link layer active */
#define PCI_EXP_LNK_LS_2_5GT            0x1
#define PCI_EXP_LNK_MLW_1               0x1
#define PCI_EXP_SLTCAP                  0x14    /* 32 bits */
#define  PCI_EXP_SLTCAP_ABP             0x00000001  /* attention button */
#define  PCI_EXP_SLTCAP_PCP             0x00000002  /* power controller */
#define  PCI_EXP_SLTCAP_MRLSP           0x00000004
#define  PCI_EXP_SLTCAP_AIP             0x00000008  /* attention indicator */
#define  PCI_EXP_SLTCAP_PIP             0x00000010  /* power indicator */
#define  PCI_EXP_SLTCAP_HPS             0x00000020  /* hot-plug surprise */
#define  PCI_EXP_SLTCAP_HPC             0x00000040  /* hot-plug capable */
#define  PCI_EXP_SLTCAP_EIP             0x00020000
#define  PCI_EXP_SLTCAP_NCCS            0x00040000
#define  PCI_EXP_SLTCAP_PSN_SHIFT       19          /* physical slot number */
#define  PCI_EXP_SLTCAP_PSN             0xfff80000
#define PCI_EXP_SLTCTL                  0x18    /* 16 bits */
#define  PCI_EXP_SLTCTL_ABPE            0x0001
#define  PCI_EXP_SLTCTL_PFDE            0x0002
#define  PCI_EXP_SLTCTL_MRLSCE          0x0004
#define  PCI_EXP_SLTCTL_PDCE            0x0008
#define  PCI_EXP_SLTCTL_CCIE            0x0010
#define  PCI_EXP_SLTCTL_HPIE            0x0020
#define  PCI_EXP_SLTCTL_AIC             0x00c0
#define  PCI_EXP_SLTCTL_ATTN_IND_ON     0x0040
#define  PCI_EXP_SLTCTL_ATTN_IND_BLINK  0x0080
#define  PCI_EXP_SLTCTL_ATTN_IND_OFF    0x00c0
#define  PCI_EXP_SLTCTL_PIC             0x0300
#define  PCI_EXP_SLTCTL_PWR_IND_ON      0x0100
#define  PCI_EXP_SLTCTL_PWR_IND_BLINK   0x0200
#define  PCI_EXP_SLTCTL_PWR_IND_OFF     0x0300
#define  PCI_EXP_SLTCTL_PCC             0x0400  /* 1: power off */
#define  PCI_EXP_SLTCTL_EIC             0x0800
#define  PCI_EXP_SLTCTL_DLLSCE          0x1000
#define PCI_EXP_SLTSTA                  0x1a    /* 16 bits */
#define  PCI_EXP_SLTSTA_ABP             0x0001  /* W1C */
#define  PCI_EXP_SLTSTA_PFD             0x0002  /* W1C */
#define  PCI_EXP_SLTSTA_MRLSC           0x0004  /* W1C */
#define  PCI_EXP_SLTSTA_PDC             0x0008  /* W1C */
#define  PCI_EXP_SLTSTA_CC              0x0010  /* W1C */
#define  PCI_EXP_SLTSTA_MRLSS           0x0020
#define  PCI_EXP_SLTSTA_PDS             0x0040  /* presence detect state */
#define  PCI_EXP_SLTSTA_EIS             0x0080
#define  PCI_EXP_SLTSTA_DLLSC           0x0100  /* W1C */
#define PCI_EXP_RTCTL                   0x1c
#define PCI_EXP_RTCAP                   0x1e
#define PCI_EXP_RTSTA                   0x20
#define PCI_EXP_DEVCAP2                 0x24    /* 32 bits */
#define  PCI_EXP_DEVCAP2_ARI            0x00000020
#define PCI_EXP_DEVCTL2                 0x28    /* 16 bits */
#define  PCI_EXP_DEVCTL2_ARI            0x0020
#define PCI_EXP_DEVSTA2                 0x2a
#define PCI_EXP_LNKCAP2                 0x2c
#define PCI_EXP_LNKCTL2                 0x30
#define PCI_EXP_LNKSTA2                 0x32
#define PCI_EXP_SLTCAP2                 0x34
#define PCI_EXP_VER1_SIZEOF             0x14    /* v1 endpoint */
#define PCI_EXP_VER2_SIZEOF             0x3c    /* v2 */
#define PCI_EXP_FLAGS_VER2              2

/*
 * Extended capabilities: a list from 0x100, each starting with a 32-bit
 * header [15:0] ID, [19:16] version, [31:20] next offset (0 ends the list).
 */
#define PCI_EXT_CAP_START               PCI_CONFIG_SPACE_SIZE
#define PCI_EXT_CAP_ID(header)          ((header) & 0x0000ffff)
#define PCI_EXT_CAP_VER(header)         (((header) >> 16) & 0xf)
#define PCI_EXT_CAP_NEXT(header)        (((header) >> 20) & 0xffc)
#define PCI_EXT_CAP(id, ver, next)      \
    ((uint32_t)(id) | ((uint32_t)(ver) << 16) | ((uint32_t)(next) << 20))
#define PCI_EXT_CAP_NEXT_SHIFT          20
#define PCI_EXT_CAP_NEXT_MASK           0xfff00000u
#define PCI_EXT_CAP_HEADER_SIZEOF       4

#define PCI_EXT_CAP_ID_ERR              0x01    /* AER */
#define PCI_EXT_CAP_ID_DSN              0x03
#define PCI_EXT_CAP_ID_VNDR             0x0b
#define PCI_EXT_CAP_ID_ARI              0x0e
#define PCI_EXT_CAP_ID_ATS              0x0f
#define PCI_EXT_CAP_ID_SRIOV            0x10
#define PCI_EXT_CAP_ID_PRI              0x13
#define PCI_EXT_CAP_ID_PASID            0x1b

/* ATS extended capability */
#define PCI_ATS_CAP                     0x04    /* 16 bits */
#define  PCI_ATS_CAP_QDEP_MASK          0x001f  /* 0 means 32 */
#define  PCI_ATS_CAP_PAGE_ALIGNED       0x0020
#define  PCI_ATS_CAP_GLOBAL_INV         0x0040
#define PCI_ATS_CTRL                    0x06    /* 16 bits */
#define  PCI_ATS_CTRL_STU_MASK          0x001f
#define  PCI_ATS_CTRL_ENABLE            0x8000
#define PCI_EXT_CAP_ATS_SIZEOF          8

/* Page Request Interface extended capability */
#define PCI_PRI_CTRL                    0x04    /* 16 bits */
#define  PCI_PRI_CTRL_ENABLE            0x0001
#define  PCI_PRI_CTRL_RESET             0x0002
#define PCI_PRI_STATUS                  0x06    /* 16 bits */
#define  PCI_PRI_STATUS_RF              0x0001  /* response failure, W1C */
#define  PCI_PRI_STATUS_UPRGI           0x0002  /* unexpected PRG index, W1C */
#define  PCI_PRI_STATUS_STOPPED         0x0100
#define  PCI_PRI_STATUS_PASID           0x8000  /* PRG response needs PASID */
#define PCI_PRI_MAX_REQ                 0x08    /* 32 bits, capacity */
#define PCI_PRI_ALLOC_REQ               0x0c    /* 32 bits, allocation */
#define PCI_EXT_CAP_PRI_SIZEOF          16
#define PCI_PRI_PRGI_MASK               0x1ff

/* PASID extended capability */
#define PCI_PASID_CAP                   0x04    /* 16 bits */
#define  PCI_PASID_CAP_EXEC             0x0002
#define  PCI_PASID_CAP_PRIV             0x0004
#define  PCI_PASID_CAP_WIDTH_MASK       0x1f00
#define  PCI_PASID_CAP_WIDTH_SHIFT      8
#define PCI_PASID_CTRL                  0x06    /* 16 bits */
#define  PCI_PASID_CTRL_ENABLE          0x0001
#define  PCI_PASID_CTRL_EXEC            0x0002
#define  PCI_PASID_CTRL_PRIV            0x0004
#define PCI_EXT_CAP_PASID_SIZEOF        8
#define PCI_EXT_CAP_PASID_MAX_WIDTH     20

/* Device serial number extended capability */
#define PCI_EXT_CAP_DSN_SIZEOF          12

/* Class codes (base class << 8 | subclass) */
#define PCI_CLASS_OTHERS                0xff00
#define PCI_CLASS_BRIDGE_HOST           0x0600
#define PCI_CLASS_BRIDGE_PCI            0x0604
#define PCI_CLASS_SYSTEM_OTHER          0x0880
#define PCI_CLASS_NETWORK_ETHERNET      0x0200
#define PCI_CLASS_STORAGE_EXPRESS       0x0108

/* ECAM: bus << 20 | devfn << 12 | register */
#define PCIE_MMCFG_SIZE_MAX             (1ULL << 28)
#define PCIE_MMCFG_BUS_SHIFT            20
#define PCIE_MMCFG_BUS_MASK             0xff
#define PCIE_MMCFG_DEVFN_SHIFT          12
#define PCIE_MMCFG_DEVFN_MASK           0xff
#define PCIE_MMCFG_CONFOFFSET_MASK      0xfff
#define PCIE_MMCFG_BUS(addr) \
    (((addr) >> PCIE_MMCFG_BUS_SHIFT) & PCIE_MMCFG_BUS_MASK)
#define PCIE_MMCFG_DEVFN(addr) \
    (((addr) >> PCIE_MMCFG_DEVFN_SHIFT) & PCIE_MMCFG_DEVFN_MASK)
#define PCIE_MMCFG_CONFOFFSET(addr) ((addr) & PCIE_MMCFG_CONFOFFSET_MASK)

#endif
