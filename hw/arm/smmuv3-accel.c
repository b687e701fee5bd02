/*
 * arm-smmuv3 accel=on: passthrough devices on a host vIOMMU (iommufd).
 *
 * Objects, in the order they are made (and unmade in reverse):
 *   vIOMMU      on the first device's nesting-parent HWPT (stage 2 = guest
 *               RAM), when the first passthrough device appears;
 *   abort and bypass HWPTs, nested on the vIOMMU: what a device uses while
 *               the guest has the SMMU disabled (chosen by GBPA.ABORT) or
 *               when its STE says abort/bypass;
 *   vDEVICE     per device: the guest's StreamID (= requester ID) for it;
 *   nested HWPT per device whose guest STE enables stage 1, made from the
 *               STE's guest-controlled words;
 *   vEVENTQ     when the vIOMMU exists and the guest set CR0.EVENTQEN,
 *               whichever comes second; its records go to the guest Event
 *               Queue through smmuv3_propagate_event().  A queue whose
 *               read() fails is freed and replaced (smmuv3_accel_veventq_died).
 * The last device's removal frees everything.
 *
 * Host failures never stop the guest's command queue: they are traced,
 * reported once, and the guest sees CERROR_ILL (as QEMU does) or a
 * C_BAD_STE event where the architecture has one.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/queue.h"
#include "system/iommufd.h"
#include "system/iommufd-eventq.h"
#include "system/host_iommu_device.h"
#include "smmuv3-accel.h"
#include "trace.h"

/* Invalidation commands sent per IOMMU_HWPT_INVALIDATE at most. */
#define SMMU_ACCEL_INV_BATCH    64
/* vEVENTQ records read per read() at most (the buffer is preallocated). */
#define SMMU_ACCEL_EVT_BATCH    64
/* read() calls per fd handler run, so a busy host cannot starve the loop. */
#define SMMU_ACCEL_EVT_READS    16

#define SMMU_VEVENT_HDR_SIZE    sizeof(struct iommufd_vevent_header)
#define SMMU_VEVENT_SIZE        sizeof(struct iommu_vevent_arm_smmuv3)

typedef struct SMMUv3AccelDevice {
    HostIOMMUDevice *hiod;
    PCIBus *bus;
    int devfn;
    /*
     * The vSID the vDEVICE was allocated with: the host's name for the
     * device in invalidations and in vEVENTQ records.  The guest's
     * StreamID is not kept: it follows the bus number the guest gives
     * the device (smmuv3_accel_dev_sid()), and the vDEVICE is moved to
     * it at the next STE install when they differ.
     */
    uint32_t vdev_sid;
    uint32_t vdev_id;
    uint32_t s1_hwpt_id;        /* nested HWPT from the guest STE, or 0 */
    uint32_t attached_id;       /* HWPT attached to the RID */
    QLIST_ENTRY(SMMUv3AccelDevice) next;
} SMMUv3AccelDevice;

struct SMMUv3AccelState {
    IOMMUFDBackend *be;         /* of the devices (one backend per vIOMMU) */
    uint32_t viommu_id;         /* 0: none */
    uint32_t s2_parent_id;      /* the nesting parent the vIOMMU sits on */
    uint32_t bypass_hwpt_id;
    uint32_t abort_hwpt_id;

    uint32_t veventq_id;        /* 0: none */
    IOMMUFDEventQ evq;          /* its fd, read by the shared core */
    bool veventq_replacement;   /* allocated after the previous one died */
    bool seq_valid;             /* last_seq holds a delivered sequence */
    uint32_t last_seq;

    QLIST_HEAD(, SMMUv3AccelDevice) devices;
    GHashTable *by_vsid;        /* vdev_sid -> device with that vDEVICE */

    struct iommu_viommu_arm_smmuv3_invalidate inv[SMMU_ACCEL_INV_BATCH];
    uint32_t ninv;
};

static void smmuv3_accel_report_host_error(const char *what, Error *err)
{
    trace_smmuv3_accel_host_error(what, error_get_pretty(err));
    error_report_once("arm-smmuv3: %s: %s", what, error_get_pretty(err));
    error_free(err);
}

static void smmuv3_accel_free_host_id(SMMUv3AccelState *a, uint32_t *id,
                                      const char *what)
{
    Error *err = NULL;

    if (!*id) {
        return;
    }
    if (!iommufd_backend_free_id(a->be, *id, &err)) {
        smmuv3_accel_report_host_error(what, err);
    }
    *id = 0;
}

/* ------------------------------------------------------------------ */
/* vEVENTQ                                                             */

/*
 * One gap in the sequence means the host lost events while its queue was
 * full.  Each gap is traced with its size; the user is told once.
 */
static void smmuv3_accel_note_lost(SMMUv3AccelState *a, uint32_t lost,
                                   uint32_t seq)
{
    trace_smmuv3_accel_lost_events(lost, seq);
    warn_report_once("arm-smmuv3: the host vEVENTQ overflowed: %u event(s) "
                     "lost before sequence %u", lost, seq);
}

static void smmuv3_accel_check_sequence(SMMUv3AccelState *a, uint32_t seq)
{
    if (a->seq_valid) {
        uint32_t expected = (a->last_seq + 1) & INT_MAX;

        if (seq != expected) {
            smmuv3_accel_note_lost(a, (seq - expected) & INT_MAX, seq);
        }
    }
    a->last_seq = seq;
    a->seq_valid = true;
}

/*
 * The host's header-only LOST_EVENTS marker carries the sequence of the
 * most recently lost event: count from the last delivered one, then take
 * it as the new reference so the next record is not counted twice.
 */
static void smmuv3_accel_lost_marker(SMMUv3AccelState *a, uint32_t seq)
{
    uint32_t lost = a->seq_valid ? (seq - a->last_seq) & INT_MAX : 1;

    smmuv3_accel_note_lost(a, lost, seq);
    a->last_seq = seq;
    a->seq_valid = true;
}

/* The guest's StreamID of @dev now: bus number as the guest set it. */
static uint32_t smmuv3_accel_dev_sid(const SMMUv3AccelDevice *dev)
{
    return pci_bus_requester_id(dev->bus, dev->devfn);
}

/*
 * The record names the device by the vSID of its vDEVICE; the guest
 * expects the StreamID its bus has at delivery (they differ after a
 * renumbering the STEs have not caught up with).  False: drop it, the
 * device's bus has no number now.  One hash look-up per record.
 */
static bool smmuv3_accel_event_sid(SMMUv3AccelState *a, SMMUEvent *evt)
{
    uint32_t vsid = EVT_SID(evt);
    SMMUv3AccelDevice *dev = g_hash_table_lookup(a->by_vsid,
                                                 GUINT_TO_POINTER(vsid));
    uint32_t sid;

    if (!dev) {
        return true;    /* not ours to rename (the device left): as is */
    }
    if (!pci_bus_is_addressable(dev->bus)) {
        trace_smmuv3_accel_event_no_sid(vsid);
        return false;
    }
    sid = smmuv3_accel_dev_sid(dev);
    if (sid != vsid) {
        trace_smmuv3_accel_event_sid(vsid, sid);
        evt->word[0] = (evt->word[0] & 0xffffffffULL) | ((uint64_t)sid << 32);
    }
    return true;
}

/* Walk one read()'s worth of records: header + payload, no padding. */
static void smmuv3_accel_parse_events(void *opaque, const uint8_t *buf,
                                      size_t len)
{
    SMMUv3State *s = opaque;
    SMMUv3AccelState *a = s->accel_state;
    size_t off = 0;

    while (off < len) {
        struct iommufd_vevent_header hdr;
        struct iommu_vevent_arm_smmuv3 rec;
        SMMUEvent evt;

        if (len - off < SMMU_VEVENT_HDR_SIZE) {
            goto short_read;
        }
        memcpy(&hdr, buf + off, sizeof(hdr));
        off += SMMU_VEVENT_HDR_SIZE;
        if (hdr.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
            smmuv3_accel_lost_marker(a, hdr.sequence);
            continue;
        }
        if (len - off < SMMU_VEVENT_SIZE) {
            goto short_read;
        }
        memcpy(&rec, buf + off, sizeof(rec));
        off += SMMU_VEVENT_SIZE;
        smmuv3_accel_check_sequence(a, hdr.sequence);
        for (int i = 0; i < 4; i++) {
            evt.word[i] = le64_to_cpu(rec.evt[i]);
        }
        trace_smmuv3_accel_event_read(hdr.sequence, EVT_TYPE(&evt),
                                      EVT_SID(&evt));
        if (smmuv3_accel_event_sid(a, &evt)) {
            smmuv3_propagate_event(s, &evt);
        }
    }
    return;

short_read:
    /* The kernel copies whole records only: this is a host bug. */
    trace_smmuv3_accel_event_short(len, off);
    error_report_once("arm-smmuv3: vEVENTQ read returned a partial record "
                      "(%zu bytes at offset %zu); dropped", len, off);
}

static void smmuv3_accel_alloc_veventq(SMMUv3State *s, bool replacement)
{
    SMMUv3AccelState *a = s->accel_state;
    uint32_t depth = 1u << s->eventq.log2size;
    Error *err = NULL;
    uint32_t id;
    int fd;

    if (!a->viommu_id || a->evq.fd >= 0 ||
        !(s->cr[0] & CR0_EVENTQEN)) {
        return;
    }
    if (!iommufd_backend_alloc_veventq(a->be, a->viommu_id,
                                       IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, depth,
                                       &id, &fd, &err)) {
        /* The guest keeps a working SMMU, only without host events. */
        trace_smmuv3_accel_alloc_veventq_failed(a->viommu_id, depth);
        error_report_once("arm-smmuv3: cannot allocate the vEVENTQ (host "
                          "faults will not reach the guest): %s",
                          error_get_pretty(err));
        error_free(err);
        return;
    }
    a->veventq_id = id;
    a->seq_valid = false;
    a->veventq_replacement = replacement;
    iommufd_eventq_start(&a->evq, fd);
    trace_smmuv3_accel_alloc_veventq(a->viommu_id, id, fd, depth);
}

static void smmuv3_accel_free_veventq(SMMUv3AccelState *a)
{
    if (a->evq.fd < 0) {
        return;
    }
    trace_smmuv3_accel_free_veventq(a->veventq_id);
    /* The kernel refuses to destroy the queue while its fd is open. */
    iommufd_eventq_close(&a->evq);
    smmuv3_accel_free_host_id(a, &a->veventq_id, "vEVENTQ free");
}

/*
 * The vEVENTQ died (from the core's bottom half, never inside its own fd
 * handler): free it and, if the guest's event queue is still enabled and
 * the vIOMMU exists, allocate a fresh one right away; otherwise the next
 * EVENTQEN write (or vIOMMU creation) does.  Unlike a FAULTQ, which every
 * HWPT names for life, a vEVENTQ belongs to the vIOMMU alone and can be
 * replaced behind the guest's back.  A replacement that dies before any
 * read succeeded is not replaced again here, so a host that only hands
 * out dead queues cannot make this a busy loop.
 */
static void smmuv3_accel_veventq_died(void *opaque, int err, bool had_reads)
{
    SMMUv3State *s = opaque;
    SMMUv3AccelState *a = s->accel_state;
    bool again = had_reads || !a->veventq_replacement;

    trace_smmuv3_accel_event_read_error(a->veventq_id, err);
    trace_smmuv3_accel_veventq_restart(a->veventq_id, again);
    smmuv3_accel_free_veventq(a);
    if (again) {
        smmuv3_accel_alloc_veventq(s, true);
    }
}

static const IOMMUFDEventQOps smmuv3_accel_veventq_ops = {
    .records = smmuv3_accel_parse_events,
    .died = smmuv3_accel_veventq_died,
};

void smmuv3_accel_cr0_changed(SMMUv3State *s)
{
    SMMUv3AccelState *a = s->accel_state;

    if (!a) {
        return;
    }
    /* A dead queue still waiting for the bottom half: replace it now. */
    if (iommufd_eventq_dead(&a->evq) && (s->cr[0] & CR0_EVENTQEN)) {
        trace_smmuv3_accel_veventq_restart(a->veventq_id, true);
        smmuv3_accel_free_veventq(a);
    }
    smmuv3_accel_alloc_veventq(s, false);
}

/* ------------------------------------------------------------------ */
/* vIOMMU and its shared HWPTs                                         */

static bool smmuv3_accel_alloc_ste_hwpt(SMMUv3AccelState *a, uint32_t devid,
                                        uint64_t ste0, uint64_t ste1,
                                        uint32_t *out, Error **errp)
{
    struct iommu_hwpt_arm_smmuv3 data = {
        .ste = { cpu_to_le64(ste0), cpu_to_le64(ste1) },
    };

    return iommufd_backend_alloc_hwpt(a->be, devid, a->viommu_id, 0,
                                      IOMMU_HWPT_DATA_ARM_SMMUV3,
                                      sizeof(data), &data, 0, out, errp);
}

static bool smmuv3_accel_alloc_viommu(SMMUv3State *s, HostIOMMUDevice *hiod,
                                      Error **errp)
{
    SMMUv3AccelState *a = s->accel_state;

    a->be = hiod->iommufd;
    if (!iommufd_backend_alloc_viommu(a->be, hiod->devid,
                                      IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                      hiod->nest_parent_id, &a->viommu_id,
                                      errp)) {
        goto fail;
    }
    if (!smmuv3_accel_alloc_ste_hwpt(a, hiod->devid, STE0_V, 0,
                                     &a->abort_hwpt_id, errp)) {
        goto free_viommu;
    }
    if (!smmuv3_accel_alloc_ste_hwpt(a, hiod->devid,
                                     STE0_V | STE_CONFIG_BYPASS << 1, 0,
                                     &a->bypass_hwpt_id, errp)) {
        goto free_abort;
    }
    a->s2_parent_id = hiod->nest_parent_id;
    trace_smmuv3_accel_alloc_viommu(a->viommu_id, hiod->nest_parent_id,
                                    a->abort_hwpt_id, a->bypass_hwpt_id);
    /* A hot-plug after the guest enabled its event queue. */
    smmuv3_accel_alloc_veventq(s, false);
    return true;

free_abort:
    smmuv3_accel_free_host_id(a, &a->abort_hwpt_id, "abort HWPT free");
free_viommu:
    smmuv3_accel_free_host_id(a, &a->viommu_id, "vIOMMU free");
fail:
    a->be = NULL;
    return false;
}

/* Reverse order of allocation: each object pins the ones before it. */
static void smmuv3_accel_free_viommu(SMMUv3AccelState *a)
{
    if (!a->viommu_id) {
        return;
    }
    trace_smmuv3_accel_free_viommu(a->viommu_id);
    a->ninv = 0;
    smmuv3_accel_free_veventq(a);
    smmuv3_accel_free_host_id(a, &a->bypass_hwpt_id, "bypass HWPT free");
    smmuv3_accel_free_host_id(a, &a->abort_hwpt_id, "abort HWPT free");
    smmuv3_accel_free_host_id(a, &a->viommu_id, "vIOMMU free");
    a->s2_parent_id = 0;
    a->be = NULL;
}

/* ------------------------------------------------------------------ */
/* Devices and their STEs                                              */

static SMMUv3AccelDevice *smmuv3_accel_find_dev(SMMUv3AccelState *a,
                                                PCIBus *bus, int devfn)
{
    SMMUv3AccelDevice *dev;

    QLIST_FOREACH(dev, &a->devices, next) {
        if (dev->bus == bus && dev->devfn == devfn) {
            return dev;
        }
    }
    return NULL;
}

/* The device whose vDEVICE the host knows as @vsid. */
static SMMUv3AccelDevice *smmuv3_accel_find_vsid(SMMUv3AccelState *a,
                                                 uint32_t vsid)
{
    return g_hash_table_lookup(a->by_vsid, GUINT_TO_POINTER(vsid));
}

static bool smmuv3_accel_alloc_vdev(SMMUv3AccelState *a,
                                    SMMUv3AccelDevice *dev, uint32_t sid,
                                    Error **errp)
{
    if (!iommufd_backend_alloc_vdev(a->be, dev->hiod->devid, a->viommu_id,
                                    sid, &dev->vdev_id, errp)) {
        return false;
    }
    dev->vdev_sid = sid;
    g_hash_table_insert(a->by_vsid, GUINT_TO_POINTER(sid), dev);
    return true;
}

static void smmuv3_accel_free_vdev(SMMUv3AccelState *a,
                                   SMMUv3AccelDevice *dev)
{
    if (!dev->vdev_id) {
        return;
    }
    if (g_hash_table_lookup(a->by_vsid,
                            GUINT_TO_POINTER(dev->vdev_sid)) == dev) {
        g_hash_table_remove(a->by_vsid, GUINT_TO_POINTER(dev->vdev_sid));
    }
    smmuv3_accel_free_host_id(a, &dev->vdev_id, "vDEVICE free");
}

/*
 * A vSID for a device whose bus the guest has not numbered: above the
 * StreamIDs the guest can name (IDR1.SIDSIZE), so no guest command
 * reaches it, and unique (bus 0:devfn could be a sibling's placeholder
 * or a real device's StreamID).  The host needs a vDEVICE before the
 * device can be attached to the vIOMMU's nested HWPTs at all.
 */
static uint32_t smmuv3_accel_placeholder_vsid(SMMUv3AccelState *a)
{
    uint32_t vsid = 1u << SMMU_SIDSIZE;

    /* Bounded: at most one placeholder per device. */
    while (smmuv3_accel_find_vsid(a, vsid)) {
        vsid++;
    }
    return vsid;
}

/*
 * Give @dev's vDEVICE the StreamID the guest's numbering gives it now,
 * so that the host translates the guest's commands for that StreamID and
 * reports events under it.  On a bus the guest has not numbered, a
 * device keeps the vDEVICE it has, or gets one under a placeholder.
 */
static bool smmuv3_accel_sync_vdev(SMMUv3State *s, SMMUv3AccelDevice *dev,
                                   Error **errp)
{
    SMMUv3AccelState *a = s->accel_state;
    SMMUv3AccelDevice *other;
    uint32_t sid;

    if (!pci_bus_is_addressable(dev->bus)) {
        if (dev->vdev_id) {
            return true;
        }
        sid = smmuv3_accel_placeholder_vsid(a);
    } else {
        sid = smmuv3_accel_dev_sid(dev);
    }
    if (dev->vdev_id && dev->vdev_sid == sid) {
        return true;
    }
    trace_smmuv3_accel_vdev_move(dev->hiod->name, dev->vdev_id ?
                                 dev->vdev_sid : UINT32_MAX, sid);
    smmuv3_accel_free_vdev(a, dev);
    /* A device renumbered away from @sid still holds it: it moves later. */
    other = smmuv3_accel_find_vsid(a, sid);
    if (other) {
        smmuv3_accel_free_vdev(a, other);
    }
    if (!pci_bus_is_addressable(dev->bus)) {
        Error *err = NULL;

        /*
         * A host that will not take the placeholder may still attach the
         * device to abort/bypass without a vDEVICE (Linux does): go on,
         * the attach says whether it does.
         */
        if (!smmuv3_accel_alloc_vdev(a, dev, sid, &err)) {
            smmuv3_accel_report_host_error("vDEVICE with a placeholder vSID",
                                           err);
        }
        return true;
    }
    return smmuv3_accel_alloc_vdev(a, dev, sid, errp);
}

bool smmuv3_accel_has_devices(SMMUv3State *s)
{
    return s->accel_state && !QLIST_EMPTY(&s->accel_state->devices);
}

/* A configuration error the guest would see on the device's traffic. */
static void smmuv3_accel_config_event(SMMUv3State *s, uint32_t sid, int type,
                                      hwaddr fetch_addr)
{
    SMMUEvent evt;

    if (type == SMMU_EVT_C_BAD_STREAMID && !(s->cr[2] & CR2_RECINVSID)) {
        return;
    }
    smmu_event_init(&evt, type, sid);
    if (type == SMMU_EVT_F_STE_FETCH) {
        smmu_event_set_fetch_addr(&evt, fetch_addr);
    }
    smmuv3_propagate_event(s, &evt);
}

/*
 * The HWPT the guest's STE asks for: abort, bypass, or a new nested one
 * for stage 1 (*@new_s1, owned by the caller).  A bad configuration
 * aborts.  With @record (the guest invalidated this STE, so it means it
 * to be used) the error is also recorded as the event the device's
 * traffic would raise: the host turns a bad guest STE into an abort STE,
 * which reports nothing.  Not on SMMUEN/GBPA changes: a driver enables
 * the SMMU before it writes the STEs of devices it has not probed yet.
 */
static uint32_t smmuv3_accel_ste_hwpt(SMMUv3State *s, SMMUv3AccelDevice *dev,
                                      bool record, uint32_t *new_s1)
{
    SMMUv3AccelState *a = s->accel_state;
    uint64_t ste[STE_DWORDS], ste0, ste1;
    hwaddr fetch_addr = 0;
    Error *err = NULL;
    uint32_t sid = smmuv3_accel_dev_sid(dev);
    int ret;

    /* No StreamID yet: bus:devfn would name another device's STE. */
    if (!pci_bus_is_addressable(dev->bus)) {
        return a->abort_hwpt_id;
    }
    ret = smmuv3_read_ste(s, sid, ste, &fetch_addr);
    if (ret) {
        if (record) {
            smmuv3_accel_config_event(s, sid, ret, fetch_addr);
        }
        return a->abort_hwpt_id;
    }
    if (!(ste[0] & STE0_V)) {
        if (record) {
            smmuv3_accel_config_event(s, sid, SMMU_EVT_C_BAD_STE, 0);
        }
        return a->abort_hwpt_id;
    }
    switch (STE0_CONFIG(ste[0])) {
    case STE_CONFIG_ABORT:
        return a->abort_hwpt_id;
    case STE_CONFIG_BYPASS:
        return a->bypass_hwpt_id;
    case STE_CONFIG_S1:
        smmuv3_ste_nested_words(s, sid, ste, &ste0, &ste1);
        if (smmuv3_accel_alloc_ste_hwpt(a, dev->hiod->devid, ste0, ste1,
                                        new_s1, &err)) {
            trace_smmuv3_accel_install_nested(sid, *new_s1, ste[0], ste[1]);
            return *new_s1;
        }
        /* The host refused these stage-1 fields: treat as illegal. */
        smmuv3_accel_report_host_error("nested HWPT from guest STE", err);
        break;
    default:
        /* Stage 2 is the host's: a guest S2/nested STE is illegal here. */
        break;
    }
    if (record) {
        smmuv3_accel_config_event(s, sid, SMMU_EVT_C_BAD_STE, 0);
    }
    return a->abort_hwpt_id;
}

static bool smmuv3_accel_install_dev(SMMUv3State *s, SMMUv3AccelDevice *dev,
                                     bool record, Error **errp)
{
    SMMUv3AccelState *a = s->accel_state;
    uint32_t new_s1 = 0;
    uint32_t hwpt;

    if (!smmuv3_accel_sync_vdev(s, dev, errp)) {
        return false;
    }
    if (!smmuv3_enabled(s)) {
        hwpt = (s->gbpa & GBPA_ABORT) ? a->abort_hwpt_id : a->bypass_hwpt_id;
    } else {
        hwpt = smmuv3_accel_ste_hwpt(s, dev, record, &new_s1);
    }
    if (hwpt != dev->attached_id &&
        !host_iommu_device_attach_hwpt(dev->hiod, IOMMU_NO_PASID, hwpt,
                                       errp)) {
        smmuv3_accel_free_host_id(a, &new_s1, "nested HWPT free");
        return false;
    }
    trace_smmuv3_accel_attach(smmuv3_accel_dev_sid(dev), hwpt,
                              smmuv3_enabled(s));
    dev->attached_id = hwpt;
    /* The old stage-1 HWPT is unused only now that it is replaced. */
    if (dev->s1_hwpt_id && dev->s1_hwpt_id != new_s1) {
        smmuv3_accel_free_host_id(a, &dev->s1_hwpt_id, "nested HWPT free");
    }
    dev->s1_hwpt_id = new_s1;
    return true;
}

static bool smmuv3_accel_install_range(SMMUv3State *s, uint32_t sid_first,
                                       uint32_t sid_last, bool record,
                                       Error **errp)
{
    SMMUv3AccelDevice *dev;
    bool ok = true;

    if (!s->accel_state) {
        return true;
    }
    QLIST_FOREACH(dev, &s->accel_state->devices, next) {
        uint32_t sid = smmuv3_accel_dev_sid(dev);

        /*
         * The StreamID the guest's numbering gives the device now.  A
         * device without one is only in a range that spans every
         * StreamID (CFGI_ALL, SMMUEN, reset): it gets the abort HWPT
         * rather than keeping what its old StreamID's STE gave it.
         */
        if (!pci_bus_is_addressable(dev->bus)) {
            if (sid_first || sid_last < (1u << SMMU_SIDSIZE) - 1) {
                continue;
            }
        } else if (sid < sid_first || sid > sid_last) {
            continue;
        }
        /* Keep going: one refused device must not stall the others. */
        if (!smmuv3_accel_install_dev(s, dev, record, ok ? errp : NULL)) {
            ok = false;
        }
    }
    return ok;
}

bool smmuv3_accel_install_ste_range(SMMUv3State *s, uint32_t sid_first,
                                    uint32_t sid_last, Error **errp)
{
    return smmuv3_accel_install_range(s, sid_first, sid_last, true, errp);
}

bool smmuv3_accel_install_ste(SMMUv3State *s, uint32_t sid, Error **errp)
{
    return smmuv3_accel_install_ste_range(s, sid, sid, errp);
}

void smmuv3_accel_reinstall_all(SMMUv3State *s)
{
    Error *err = NULL;

    if (!smmuv3_accel_install_range(s, 0, UINT32_MAX, false, &err)) {
        smmuv3_accel_report_host_error("attaching HWPTs", err);
    }
}

/* ------------------------------------------------------------------ */
/* Compatibility with the host SMMU                                    */

static bool smmuv3_accel_hw_compatible(SMMUv3State *s, HostIOMMUDevice *hiod,
                                       Error **errp)
{
    const uint32_t *h = hiod->caps.vendor.smmuv3.idr;
    unsigned host_oas = h[5] & IDR5_OAS_MASK;
    unsigned our_oas;
    uint32_t grans = IDR5_GRAN4K | IDR5_GRAN16K | IDR5_GRAN64K;

    if (hiod->caps.type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
        error_setg(errp, "host IOMMU is not an SMMUv3 (hw info type %u)",
                   hiod->caps.type);
        return false;
    }
    if (!hiod->nest_parent_id) {
        error_setg(errp, "no nesting-parent HWPT (needs vfio-pci with "
                   "iommufd and a host SMMU with stage 2)");
        return false;
    }
    /* 'auto' takes the host's value, from the first device. */
    if (!s->auto_resolved) {
        if (s->ril == ON_OFF_AUTO_AUTO) {
            s->ril_enabled = h[3] & IDR3_RIL;
        }
        if (s->ats == ON_OFF_AUTO_AUTO) {
            s->ats_enabled = h[0] & IDR0_ATS;
        }
        /* The model has 44 and 48 bits: the largest the host covers. */
        if (s->oas_auto) {
            s->oas = host_oas >= IDR5_OAS_48 ? 48 : 44;
        }
        if (s->ssidsize_auto) {
            s->ssidsize = MIN((h[1] >> IDR1_SSIDSIZE_SHIFT) & 0x1f, 20);
        }
        s->auto_resolved = true;
    }
    our_oas = s->oas == 48 ? IDR5_OAS_48 : IDR5_OAS_44;
    if (!(((h[0] >> IDR0_TTF_SHIFT) & 3) & IDR0_TTF_AA64)) {
        error_setg(errp, "host SMMUv3 lacks AArch64 page tables");
        return false;
    }
    if (s->ril_enabled && !(h[3] & IDR3_RIL)) {
        error_setg(errp, "ril=on but the host SMMUv3 has no range "
                   "invalidation (IDR3.RIL=0); use ril=off");
        return false;
    }
    if (s->ats_enabled && !(h[0] & IDR0_ATS)) {
        error_setg(errp, "ats=on but the host SMMUv3 has no ATS");
        return false;
    }
    if (our_oas > host_oas) {
        error_setg(errp, "oas=%u exceeds the host SMMUv3's output size "
                   "(IDR5.OAS=%u)", s->oas, host_oas);
        return false;
    }
    if (s->ssidsize > ((h[1] >> IDR1_SSIDSIZE_SHIFT) & 0x1f)) {
        error_setg(errp, "ssidsize=%u exceeds the host SMMUv3's (%u)",
                   s->ssidsize, (h[1] >> IDR1_SSIDSIZE_SHIFT) & 0x1f);
        return false;
    }
    if ((h[5] & grans) != grans) {
        error_setg(errp, "host SMMUv3 lacks a granule the guest may use "
                   "(IDR5 0x%x)", h[5]);
        return false;
    }
    return true;
}

static bool smmuv3_accel_set_iommu_device_unguarded(SMMUv3State *s,
                                                    PCIBus *bus, int devfn,
                                                    HostIOMMUDevice *hiod,
                                                    Error **errp)
{
    SMMUv3AccelState *a = s->accel_state;
    SMMUv3AccelDevice *dev;
    bool new_viommu = false;

    if (smmuv3_accel_find_dev(a, bus, devfn)) {
        error_setg(errp, "arm-smmuv3: device %02x.%x is already attached",
                   PCI_SLOT(devfn), PCI_FUNC(devfn));
        return false;
    }
    if (!smmuv3_accel_hw_compatible(s, hiod, errp)) {
        error_prepend(errp, "arm-smmuv3 accel=on: ");
        return false;
    }
    if (a->viommu_id && hiod->iommufd != a->be) {
        error_setg(errp, "arm-smmuv3: every passthrough device must use the "
                   "same iommufd object");
        return false;
    }
    dev = g_new0(SMMUv3AccelDevice, 1);
    dev->hiod = hiod;
    dev->bus = bus;
    dev->devfn = devfn;

    if (!a->viommu_id) {
        if (!smmuv3_accel_alloc_viommu(s, hiod, errp)) {
            goto free_dev;
        }
        new_viommu = true;
    }
    /* The vDEVICE comes with the first install (smmuv3_accel_sync_vdev). */
    QLIST_INSERT_HEAD(&a->devices, dev, next);
    if (!smmuv3_accel_install_dev(s, dev, false, errp)) {
        goto unlist;
    }
    trace_smmuv3_accel_set_device(hiod->name, smmuv3_accel_dev_sid(dev),
                                  dev->vdev_id, a->viommu_id);
    return true;

unlist:
    QLIST_REMOVE(dev, next);
    smmuv3_accel_free_vdev(a, dev);
    if (new_viommu) {
        smmuv3_accel_free_viommu(a);
    }
free_dev:
    g_free(dev);
    return false;
}

bool smmuv3_accel_set_iommu_device(SMMUv3State *s, PCIBus *bus, int devfn,
                                   HostIOMMUDevice *hiod, Error **errp)
{
    bool was = qemu_guard_engage(&DEVICE(s)->engaged_in_io);
    bool ret = smmuv3_accel_set_iommu_device_unguarded(s, bus, devfn, hiod,
                                                       errp);

    qemu_guard_restore(&DEVICE(s)->engaged_in_io, was);
    return ret;
}

/* Undo what set_iommu_device did for @dev, except unlisting it. */
static void smmuv3_accel_release_dev(SMMUv3AccelState *a,
                                     SMMUv3AccelDevice *dev)
{
    Error *err = NULL;

    /* Off our HWPTs first: an attached HWPT cannot be destroyed. */
    if (!host_iommu_device_detach_hwpt(dev->hiod, IOMMU_NO_PASID, &err)) {
        smmuv3_accel_report_host_error("detach", err);
    }
    dev->attached_id = 0;
    smmuv3_accel_free_host_id(a, &dev->s1_hwpt_id, "nested HWPT free");
    smmuv3_accel_free_vdev(a, dev);
}

/*
 * The device whose nesting parent carries the vIOMMU is leaving while
 * others stay.  The vIOMMU pins that parent, so the device's own
 * teardown could not free it (nor its IOAS): move everything onto a
 * remaining device's parent.  The guest sees nothing: its STEs are read
 * again, and host events still queued are delivered first.
 */
static void smmuv3_accel_rebuild(SMMUv3State *s)
{
    SMMUv3AccelState *a = s->accel_state;
    SMMUv3AccelDevice *dev;
    Error *err = NULL;

    trace_smmuv3_accel_rebuild(a->viommu_id);
    if (iommufd_eventq_live(&a->evq)) {
        iommufd_eventq_read(&a->evq);
    }
    QLIST_FOREACH(dev, &a->devices, next) {
        smmuv3_accel_release_dev(a, dev);
    }
    smmuv3_accel_free_viommu(a);
    dev = QLIST_FIRST(&a->devices);
    if (!smmuv3_accel_alloc_viommu(s, dev->hiod, &err)) {
        goto fail;
    }
    QLIST_FOREACH(dev, &a->devices, next) {
        if (!smmuv3_accel_install_dev(s, dev, false, &err)) {
            goto fail;
        }
    }
    return;

fail:
    /* Devices left on their default (stage 2 only) translation. */
    smmuv3_accel_report_host_error("moving the vIOMMU after a hot-unplug", err);
}

static void smmuv3_accel_unset_iommu_device_unguarded(SMMUv3State *s,
                                                      PCIBus *bus, int devfn)
{
    SMMUv3AccelState *a = s->accel_state;
    SMMUv3AccelDevice *dev = a ? smmuv3_accel_find_dev(a, bus, devfn) : NULL;
    bool owned_parent;

    if (!dev) {
        return;
    }
    trace_smmuv3_accel_unset_device(dev->hiod->name,
                                    smmuv3_accel_dev_sid(dev));
    smmuv3_accel_release_dev(a, dev);
    owned_parent = dev->hiod->nest_parent_id == a->s2_parent_id;
    QLIST_REMOVE(dev, next);
    g_free(dev);
    if (QLIST_EMPTY(&a->devices)) {
        smmuv3_accel_free_viommu(a);
    } else if (owned_parent) {
        smmuv3_accel_rebuild(s);
    }
}

void smmuv3_accel_unset_iommu_device(SMMUv3State *s, PCIBus *bus, int devfn)
{
    bool was = qemu_guard_engage(&DEVICE(s)->engaged_in_io);

    smmuv3_accel_unset_iommu_device_unguarded(s, bus, devfn);
    qemu_guard_restore(&DEVICE(s)->engaged_in_io, was);
}

/* ------------------------------------------------------------------ */
/* Invalidations                                                       */

bool smmuv3_accel_flush_invalidations(SMMUv3State *s, Error **errp)
{
    SMMUv3AccelState *a = s->accel_state;
    const uint32_t type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
    uint32_t num;
    bool ok;

    if (!a || !a->ninv) {
        return true;
    }
    num = a->ninv;
    ok = iommufd_backend_invalidate_cache(a->be, a->viommu_id, type,
                                          sizeof(a->inv[0]), &num, a->inv,
                                          errp);
    trace_smmuv3_accel_invalidate(a->viommu_id, a->ninv, num, ok);
    /* Dropped either way: resending a refused batch would wedge the queue. */
    a->ninv = 0;
    return ok;
}

bool smmuv3_accel_queue_invalidation(SMMUv3State *s, const SMMUCmd *cmd,
                                     Error **errp)
{
    SMMUv3AccelState *a = s->accel_state;

    if (!a || !a->viommu_id) {
        return true;
    }
    switch (CMD_OPCODE(cmd)) {
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
    case SMMU_CMD_ATC_INV:
        /* The host knows only vSIDs with a vDEVICE; others cache nothing. */
        if (!smmuv3_accel_find_vsid(a, CMD_SID(cmd))) {
            return true;
        }
        break;
    default:
        break;
    }
    a->inv[a->ninv].cmd[0] = cpu_to_le64(cmd->word[0]);
    a->inv[a->ninv].cmd[1] = cpu_to_le64(cmd->word[1]);
    a->ninv++;
    if (a->ninv == SMMU_ACCEL_INV_BATCH) {
        return smmuv3_accel_flush_invalidations(s, errp);
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static void smmuv3_accel_reset_unguarded(SMMUv3State *s)
{
    SMMUv3AccelState *a = s->accel_state;

    if (!a) {
        return;
    }
    a->ninv = 0;
    /* A new guest driver allocates a new queue at its EVENTQEN write. */
    smmuv3_accel_free_veventq(a);
    smmuv3_accel_reinstall_all(s);
}

void smmuv3_accel_reset(SMMUv3State *s)
{
    bool was = qemu_guard_engage(&DEVICE(s)->engaged_in_io);

    smmuv3_accel_reset_unguarded(s);
    qemu_guard_restore(&DEVICE(s)->engaged_in_io, was);
}

void smmuv3_accel_init(SMMUv3State *s)
{
    SMMUv3AccelState *a = g_new0(SMMUv3AccelState, 1);

    /*
     * vEVENTs are all of one size here: the buffer never needs to grow,
     * but the core's bound allows it should a host send larger ones.
     */
    iommufd_eventq_init(&a->evq, "arm-smmuv3: vEVENTQ",
                        "arm-smmuv3: reading the vEVENTQ failed",
                        "it is replaced, host events queued in it are lost",
                        &smmuv3_accel_veventq_ops, s,
                        &DEVICE(s)->engaged_in_io, 1,
                        SMMU_ACCEL_EVT_BATCH *
                        (SMMU_VEVENT_HDR_SIZE + SMMU_VEVENT_SIZE),
                        4 * SMMU_ACCEL_EVT_BATCH *
                        (SMMU_VEVENT_HDR_SIZE + SMMU_VEVENT_SIZE),
                        SMMU_ACCEL_EVT_READS);
    QLIST_INIT(&a->devices);
    a->by_vsid = g_hash_table_new(NULL, NULL);
    s->accel_state = a;
}

void smmuv3_accel_finalize(SMMUv3State *s)
{
    SMMUv3AccelState *a = s->accel_state;

    if (!a) {
        return;
    }
    /* Devices unset themselves first (they are unplugged before us). */
    while (!QLIST_EMPTY(&a->devices)) {
        SMMUv3AccelDevice *dev = QLIST_FIRST(&a->devices);

        smmuv3_accel_unset_iommu_device(s, dev->bus, dev->devfn);
    }
    smmuv3_accel_free_viommu(a);
    iommufd_eventq_cleanup(&a->evq);
    g_hash_table_unref(a->by_vsid);
    g_free(a);
    s->accel_state = NULL;
}
