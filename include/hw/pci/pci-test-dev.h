/*
 * "pci-test-dev": a small PCI Express endpoint for tests (1b36:0005,
 * class 0xff00).  BAR0 is a 16 KiB memory BAR (32-bit; 64-bit with
 * bar64=on) holding:
 *   0x0000  registers, 32-bit accesses (8-byte ones are split)
 *   0x0800  DMA buffer, PCI_TEST_DEV_DMA_BUF_SIZE bytes, read/write
 *   0x2000  MSI-X table (msix-vectors entries)
 *   0x3000  MSI-X PBA
 * Capabilities: MSI (msi-vectors, 64-bit, per-vector mask), MSI-X, PCI
 * Express (root-complex integrated endpoint on pcie.0), and extended
 * capabilities ATS (ats=on), PASID (pasid-bits=N, 0 = none), PRI (pri=on).
 * INTA is its legacy interrupt pin.  With a vIOMMU that handles page
 * requests, PRI_CMD issues one (pci_pri_request_page) and the response
 * lands in PRI_RESPONSE; a Failure response also sets PRI status RF.
 */
#ifndef HW_PCI_PCI_TEST_DEV_H
#define HW_PCI_PCI_TEST_DEV_H

#define TYPE_PCI_TEST_DEV               "pci-test-dev"

#define PCI_TEST_DEV_BAR_SIZE           0x4000
#define PCI_TEST_DEV_MSIX_TABLE_OFFSET  0x2000
#define PCI_TEST_DEV_MSIX_PBA_OFFSET    0x3000

/* Registers (offsets in BAR0) */
#define PCI_TEST_DEV_REG_ID             0x00    /* RO: PCI_TEST_DEV_ID_VALUE */
#define PCI_TEST_DEV_REG_SCRATCH        0x04    /* RW */
#define PCI_TEST_DEV_REG_MSI_TRIGGER    0x08    /* WO: vector -> msi_notify */
#define PCI_TEST_DEV_REG_MSIX_TRIGGER   0x0c    /* WO: vector -> msix_notify */
/* RW: 1 assert INTA, 0 deassert */
#define PCI_TEST_DEV_REG_INTX           0x10
#define PCI_TEST_DEV_REG_IRQ_COUNT      0x14    /* RO: interrupts requested */
#define PCI_TEST_DEV_REG_DMA_ADDR_LO    0x20    /* RW */
#define PCI_TEST_DEV_REG_DMA_ADDR_HI    0x24    /* RW */
#define PCI_TEST_DEV_REG_DMA_LEN        0x28    /* RW, <= buffer size */
#define PCI_TEST_DEV_REG_DMA_CMD        0x2c    /* WO: a command below */
#define PCI_TEST_DEV_REG_DMA_STATUS     0x30    /* RO: MemTxResult, or IDLE */
/* Page requests (PRI), answered through an IOMMUPRINotifier */
#define PCI_TEST_DEV_REG_PRI_ADDR_LO    0x40    /* RW */
#define PCI_TEST_DEV_REG_PRI_ADDR_HI    0x44    /* RW */
#define PCI_TEST_DEV_REG_PRI_PASID      0x48    /* RW, 0xffffffff: no PASID */
#define PCI_TEST_DEV_REG_PRI_CMD        0x4c    /* WO: issue, bits below */
#define PCI_TEST_DEV_REG_PRI_STATUS     0x50    /* RO: result (int32, -errno) */
#define PCI_TEST_DEV_REG_PRI_RESPONSE   0x54    /* RO: last response, below */
#define PCI_TEST_DEV_REG_PRI_RESP_COUNT 0x58    /* RO: responses received */
#define PCI_TEST_DEV_REG_DMA_BUF        0x800

#define PCI_TEST_DEV_PRI_CMD_READ       (1u << 0)
#define PCI_TEST_DEV_PRI_CMD_WRITE      (1u << 1)
#define PCI_TEST_DEV_PRI_CMD_EXEC       (1u << 2)
#define PCI_TEST_DEV_PRI_CMD_PRIV       (1u << 3)
#define PCI_TEST_DEV_PRI_CMD_LPIG       (1u << 4)
#define PCI_TEST_DEV_PRI_CMD_PRGI_SHIFT 16      /* bits 24:16 */
/*
 * PRI_RESPONSE: [3:0] PCIe code (0 success, 1 invalid, 0xf failure),
 * [24:16] PRGI, [31] valid
 */
#define PCI_TEST_DEV_PRI_RESP_VALID     (1u << 31)

#define PCI_TEST_DEV_ID_VALUE           0x50434954u     /* "TICP" in memory */
#define PCI_TEST_DEV_DMA_BUF_SIZE       0x800
#define PCI_TEST_DEV_DMA_CMD_TO_MEM     1       /* buffer -> guest memory */
#define PCI_TEST_DEV_DMA_CMD_FROM_MEM   2       /* guest memory -> buffer */
#define PCI_TEST_DEV_DMA_STATUS_IDLE    0xffffffffu
#define PCI_TEST_DEV_DMA_STATUS_BADLEN  0xfffffffeu

#endif
