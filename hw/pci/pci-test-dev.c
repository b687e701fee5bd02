/*
 * "pci-test-dev": PCI Express endpoint for tests of config space walks,
 * BAR mapping, MSI/MSI-X/INTx delivery and DMA (see pci-test-dev.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci-test-dev.h"
#include "trace.h"

OBJECT_DECLARE_SIMPLE_TYPE(PCITestDevState, PCI_TEST_DEV)

struct PCITestDevState {
    PCIDevice parent_obj;

    /* Properties */
    uint32_t msi_vectors;
    uint16_t msix_vectors;
    bool bar64;
    bool ats;
    bool pri;
    uint8_t pasid_bits;

    MemoryRegion bar;           /* container: registers + MSI-X */
    MemoryRegion regs;
    uint32_t scratch;
    uint32_t intx;
    uint32_t irq_count;
    uint64_t dma_addr;
    uint32_t dma_len;
    uint32_t dma_status;
    uint8_t dma_buf[PCI_TEST_DEV_DMA_BUF_SIZE];

    uint64_t pri_addr;
    uint32_t pri_pasid;
    uint32_t pri_status;
    uint32_t pri_response;
    uint32_t pri_resp_count;
    IOMMUPRINotifier pri_notifier;
    bool pri_registered;
    uint32_t pri_registered_pasid;
};

static void pci_test_dev_pri_notify(IOMMUPRINotifier *n,
                                    IOMMUPRIResponse *resp)
{
    PCITestDevState *s = container_of(n, PCITestDevState, pri_notifier);
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t code;

    switch (resp->response_code) {
    case IOMMU_PRI_RESP_SUCCESS:
        code = 0x0;
        break;
    case IOMMU_PRI_RESP_INVALID_REQUEST:
        code = 0x1;
        break;
    default:
        code = 0xf;
        /* Response Failure: the function records it in its PRI status. */
        if (pdev->exp.pri_cap) {
            pci_word_test_and_set_mask(pdev->config + pdev->exp.pri_cap +
                                       PCI_PRI_STATUS, PCI_PRI_STATUS_RF);
        }
        break;
    }
    s->pri_response = PCI_TEST_DEV_PRI_RESP_VALID | code |
                      ((uint32_t)(resp->prgi & PCI_PRI_PRGI_MASK) << 16);
    s->pri_resp_count++;
    trace_pci_test_dev_pri_response(code, resp->prgi);
}

static void pci_test_dev_pri_unregister(PCITestDevState *s)
{
    if (s->pri_registered) {
        pci_pri_unregister_notifier(PCI_DEVICE(s), s->pri_registered_pasid);
        s->pri_registered = false;
    }
}

static void pci_test_dev_pri_request(PCITestDevState *s, uint32_t cmd)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    int ret;

    if (!s->pri_registered || s->pri_registered_pasid != s->pri_pasid) {
        pci_test_dev_pri_unregister(s);
        s->pri_notifier.notify = pci_test_dev_pri_notify;
        if (!pci_pri_register_notifier(pdev, s->pri_pasid, &s->pri_notifier)) {
            s->pri_registered = true;
            s->pri_registered_pasid = s->pri_pasid;
        }
    }
    ret = pci_pri_request_page(pdev, s->pri_pasid,
                               cmd & PCI_TEST_DEV_PRI_CMD_PRIV,
                               cmd & PCI_TEST_DEV_PRI_CMD_EXEC,
                               s->pri_addr & ~0xfffULL,
                               cmd & PCI_TEST_DEV_PRI_CMD_LPIG,
                               (cmd >> PCI_TEST_DEV_PRI_CMD_PRGI_SHIFT) &
                               PCI_PRI_PRGI_MASK,
                               cmd & PCI_TEST_DEV_PRI_CMD_READ,
                               cmd & PCI_TEST_DEV_PRI_CMD_WRITE);
    s->pri_status = (uint32_t)ret;
    trace_pci_test_dev_pri_request(s->pri_pasid, s->pri_addr, cmd, ret);
}

static void pci_test_dev_dma(PCITestDevState *s, uint32_t cmd)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    MemTxResult res;

    if (cmd != PCI_TEST_DEV_DMA_CMD_TO_MEM &&
        cmd != PCI_TEST_DEV_DMA_CMD_FROM_MEM) {
        trace_pci_test_dev_bad_access(PCI_TEST_DEV_REG_DMA_CMD, 4, true);
        return;
    }
    if (!s->dma_len || s->dma_len > PCI_TEST_DEV_DMA_BUF_SIZE) {
        s->dma_status = PCI_TEST_DEV_DMA_STATUS_BADLEN;
        return;
    }
    if (cmd == PCI_TEST_DEV_DMA_CMD_TO_MEM) {
        res = pci_dma_write(pdev, s->dma_addr, s->dma_buf, s->dma_len);
    } else {
        res = pci_dma_read(pdev, s->dma_addr, s->dma_buf, s->dma_len);
    }
    s->dma_status = res;
    trace_pci_test_dev_dma(cmd, s->dma_addr, s->dma_len, res);
}

static uint64_t pci_test_dev_read(void *opaque, hwaddr addr, unsigned size)
{
    PCITestDevState *s = opaque;
    uint64_t val = 0;

    if (addr >= PCI_TEST_DEV_REG_DMA_BUF) {
        hwaddr off = addr - PCI_TEST_DEV_REG_DMA_BUF;

        if (off + size <= PCI_TEST_DEV_DMA_BUF_SIZE) {
            val = ldn_le_p(s->dma_buf + off, size);
        }
        return val;
    }
    switch (addr) {
    case PCI_TEST_DEV_REG_ID:
        val = PCI_TEST_DEV_ID_VALUE;
        break;
    case PCI_TEST_DEV_REG_SCRATCH:
        val = s->scratch;
        break;
    case PCI_TEST_DEV_REG_INTX:
        val = s->intx;
        break;
    case PCI_TEST_DEV_REG_IRQ_COUNT:
        val = s->irq_count;
        break;
    case PCI_TEST_DEV_REG_DMA_ADDR_LO:
        val = (uint32_t)s->dma_addr;
        break;
    case PCI_TEST_DEV_REG_DMA_ADDR_HI:
        val = s->dma_addr >> 32;
        break;
    case PCI_TEST_DEV_REG_DMA_LEN:
        val = s->dma_len;
        break;
    case PCI_TEST_DEV_REG_DMA_STATUS:
        val = s->dma_status;
        break;
    case PCI_TEST_DEV_REG_PRI_ADDR_LO:
        val = (uint32_t)s->pri_addr;
        break;
    case PCI_TEST_DEV_REG_PRI_ADDR_HI:
        val = s->pri_addr >> 32;
        break;
    case PCI_TEST_DEV_REG_PRI_PASID:
        val = s->pri_pasid;
        break;
    case PCI_TEST_DEV_REG_PRI_STATUS:
        val = s->pri_status;
        break;
    case PCI_TEST_DEV_REG_PRI_RESPONSE:
        val = s->pri_response;
        break;
    case PCI_TEST_DEV_REG_PRI_RESP_COUNT:
        val = s->pri_resp_count;
        break;
    default:
        trace_pci_test_dev_bad_access(addr, size, false);
        break;
    }
    trace_pci_test_dev_read(addr, val, size);
    return val;
}

static void pci_test_dev_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    PCITestDevState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    if (addr >= PCI_TEST_DEV_REG_DMA_BUF) {
        hwaddr off = addr - PCI_TEST_DEV_REG_DMA_BUF;

        if (off + size <= PCI_TEST_DEV_DMA_BUF_SIZE) {
            stn_le_p(s->dma_buf + off, size, val);
        }
        return;
    }
    trace_pci_test_dev_write(addr, val, size);
    switch (addr) {
    case PCI_TEST_DEV_REG_SCRATCH:
        s->scratch = val;
        break;
    case PCI_TEST_DEV_REG_MSI_TRIGGER:
        s->irq_count++;
        msi_notify(pdev, (uint32_t)val);
        break;
    case PCI_TEST_DEV_REG_MSIX_TRIGGER:
        s->irq_count++;
        msix_notify(pdev, (uint32_t)val);
        break;
    case PCI_TEST_DEV_REG_INTX:
        s->intx = val & 1;
        if (s->intx) {
            s->irq_count++;
        }
        pci_set_irq(pdev, s->intx);
        break;
    case PCI_TEST_DEV_REG_DMA_ADDR_LO:
        s->dma_addr = deposit64(s->dma_addr, 0, 32, val);
        break;
    case PCI_TEST_DEV_REG_DMA_ADDR_HI:
        s->dma_addr = deposit64(s->dma_addr, 32, 32, val);
        break;
    case PCI_TEST_DEV_REG_DMA_LEN:
        s->dma_len = val;
        break;
    case PCI_TEST_DEV_REG_DMA_CMD:
        pci_test_dev_dma(s, (uint32_t)val);
        break;
    case PCI_TEST_DEV_REG_PRI_ADDR_LO:
        s->pri_addr = deposit64(s->pri_addr, 0, 32, val);
        break;
    case PCI_TEST_DEV_REG_PRI_ADDR_HI:
        s->pri_addr = deposit64(s->pri_addr, 32, 32, val);
        break;
    case PCI_TEST_DEV_REG_PRI_PASID:
        s->pri_pasid = val;
        break;
    case PCI_TEST_DEV_REG_PRI_CMD:
        pci_test_dev_pri_request(s, (uint32_t)val);
        break;
    default:
        trace_pci_test_dev_bad_access(addr, size, true);
        break;
    }
}

static const MemoryRegionOps pci_test_dev_ops = {
    .read = pci_test_dev_read,
    .write = pci_test_dev_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void pci_test_dev_realize(PCIDevice *pdev, Error **errp)
{
    PCITestDevState *s = PCI_TEST_DEV(pdev);
    uint8_t bar_type = PCI_BASE_ADDRESS_SPACE_MEMORY;
    int ret;

    pci_config_set_interrupt_pin(pdev->config, 1);
    memory_region_init(&s->bar, OBJECT(s), "pci-test-dev-bar0",
                       PCI_TEST_DEV_BAR_SIZE);
    memory_region_init_io(&s->regs, OBJECT(s), &pci_test_dev_ops, s,
                          "pci-test-dev-regs", PCI_TEST_DEV_MSIX_TABLE_OFFSET);
    memory_region_add_subregion(&s->bar, 0, &s->regs);

    if (pci_is_express(pdev) && pcie_endpoint_cap_init(pdev, 0) < 0) {
        error_setg(errp, "pci-test-dev: no room for the PCIe capability");
        goto fail;
    }
    if (s->msi_vectors &&
        msi_init(pdev, 0, s->msi_vectors, true, true, errp) < 0) {
        goto fail;
    }
    if (s->msix_vectors &&
        msix_init(pdev, s->msix_vectors, &s->bar, 0,
                  PCI_TEST_DEV_MSIX_TABLE_OFFSET, &s->bar, 0,
                  PCI_TEST_DEV_MSIX_PBA_OFFSET, 0, errp) < 0) {
        goto fail;
    }
    if (pci_is_express(pdev)) {
        if (s->ats && pcie_ats_init(pdev, 0, true) < 0) {
            error_setg(errp, "pci-test-dev: cannot add the ATS capability");
            goto fail;
        }
        if (s->pasid_bits) {
            ret = pcie_pasid_init(pdev, 0, s->pasid_bits, true, true);
            if (ret < 0) {
                error_setg(errp, "pci-test-dev: cannot add the PASID "
                           "capability");
                goto fail;
            }
        }
        if (s->pri && pcie_pri_init(pdev, 0, 32, s->pasid_bits != 0) < 0) {
            error_setg(errp, "pci-test-dev: cannot add the PRI capability");
            goto fail;
        }
    }
    if (s->bar64) {
        bar_type |= PCI_BASE_ADDRESS_MEM_TYPE_64;
    }
    pci_register_bar(pdev, 0, bar_type, &s->bar);
    s->dma_status = PCI_TEST_DEV_DMA_STATUS_IDLE;
    s->pri_pasid = PCI_NO_PASID;
    return;

fail:
    if (pdev->msix_cap) {
        msix_uninit(pdev, &s->bar, &s->bar);
    }
    msi_uninit(pdev);
    memory_region_del_subregion(&s->bar, &s->regs);
    memory_region_finalize(&s->regs);
    memory_region_finalize(&s->bar);
}

static void pci_test_dev_exit(PCIDevice *pdev)
{
    PCITestDevState *s = PCI_TEST_DEV(pdev);

    pci_test_dev_pri_unregister(s);
    msix_uninit(pdev, &s->bar, &s->bar);
    msi_uninit(pdev);
    memory_region_del_subregion(&s->bar, &s->regs);
    memory_region_finalize(&s->regs);
    memory_region_finalize(&s->bar);
}

static void pci_test_dev_reset(PCIDevice *pdev)
{
    PCITestDevState *s = PCI_TEST_DEV(pdev);

    s->scratch = 0;
    s->intx = 0;
    s->irq_count = 0;
    s->dma_addr = 0;
    s->dma_len = 0;
    s->dma_status = PCI_TEST_DEV_DMA_STATUS_IDLE;
    memset(s->dma_buf, 0, sizeof(s->dma_buf));
    pci_test_dev_pri_unregister(s);
    s->pri_addr = 0;
    s->pri_pasid = PCI_NO_PASID;
    s->pri_status = 0;
    s->pri_response = 0;
    s->pri_resp_count = 0;
}

static const Property pci_test_dev_props[] = {
    DEFINE_PROP_UINT32_RANGE("msi-vectors", PCITestDevState, msi_vectors,
                             4, 0, PCI_MSI_VECTORS_MAX),
    DEFINE_PROP_UINT16_RANGE("msix-vectors", PCITestDevState, msix_vectors,
                             8, 0, 256),
    DEFINE_PROP_BOOL("bar64", PCITestDevState, bar64, false),
    DEFINE_PROP_BOOL("ats", PCITestDevState, ats, true),
    DEFINE_PROP_BOOL("pri", PCITestDevState, pri, true),
    DEFINE_PROP_UINT8_RANGE("pasid-bits", PCITestDevState, pasid_bits, 20,
                            0, PCI_EXT_CAP_PASID_MAX_WIDTH),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_test_dev_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    dc->desc = "PCI Express test device (BAR, MSI, MSI-X, INTx, DMA, "
               "ATS/PASID/PRI capabilities)";
    dc->user_creatable = true;
    dc->hotpluggable = true;
    pc->realize = pci_test_dev_realize;
    pc->exit = pci_test_dev_exit;
    pc->reset = pci_test_dev_reset;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->device_id = PCI_DEVICE_ID_REDHAT_TEST;
    pc->revision = 1;
    pc->class_id = PCI_CLASS_OTHERS;
    pc->is_express = true;
    device_class_set_props(dc, pci_test_dev_props);
}

static const TypeInfo pci_test_dev_types[] = {
    {
        .name = TYPE_PCI_TEST_DEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCITestDevState),
        .class_init = pci_test_dev_class_init,
    },
};

DEFINE_TYPES(pci_test_dev_types)
