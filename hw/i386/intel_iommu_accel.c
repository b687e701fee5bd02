/*
 * intel-iommu acceleration: passthrough devices behind an fsts=on unit.
 *
 * The guest's first-stage tables are not shadowed: each present PASID
 * entry of a passthrough device becomes a nested HWPT on the device's
 * nesting parent (VT-d S1 data: FSPTPTR, paging mode, SRE/WPE/EAFE),
 * attached to that PASID.  Recoverable faults on those HWPTs come back
 * through one FAULTQ per vIOMMU (see docs/devel/vtd-prq.md for why one),
 * are written into the guest's Page Request Queue, and the guest's Page
 * Group Responses are written back to the FAULTQ.
 *
 * Answer-once rules:
 *  - a group the guest can see is in the outstanding table until the guest
 *    answers it, or until the kernel answers it for us (detach, replace,
 *    unbind, FAULT destroy), at which moment we forget it without writing;
 *  - a group the guest cannot see (dropped on a full PRQ, or with nowhere
 *    to go) is answered right away, as the hardware would;
 *  - responses are batched, and the batch is always flushed before any
 *    attach/detach, so that a queued answer never meets a group the kernel
 *    has already answered (or a reused cookie);
 *  - a FAULTQ the shared reader gives up (system/iommufd-eventq.h), or
 *    whose response write fails (other than EINVAL), is dead: its groups
 *    are forgotten, the unsent batch dropped, and the kernel answers them
 *    on detach/replace/FAULT destruction.
 *
 * Host object lifetime: one rule, in VTDHostObj.  An HWPT or FAULT
 * object is destroyed when its last user lets go (vtd_hobj_put), and
 * then lets go of what it names itself.  The users of an HWPT are guest
 * bindings: the live one (VTDPASIDCacheEntry) or, once the guest removed
 * the entry but the host refused the detach, the attachment left behind
 * (VTDRefusedDetach); the live FAULTQ and each HWPT naming it are the
 * users of the FAULT object.  Only VTDHostObj destroys anything; a
 * refused detach retries the *detach*, never a destroy.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "system/iommufd.h"
#include "system/iommufd-eventq.h"
#include "system/host_iommu_device.h"
#include "hw/i386/intel_iommu_internal.h"
#include "hw/i386/intel_iommu_accel.h"
#include "trace.h"

#define VTD_FAULT_REC_SIZE      sizeof(struct iommu_hwpt_pgfault)
/* Records per read(): many groups per system call. */
#define VTD_FAULT_BATCH_MIN     256
/*
 * A group holds at most as many requests as its device may have
 * outstanding (PRI Outstanding Page Request Capacity), so the read
 * buffer grows up to the largest capacity of the devices, and never
 * past this (the capacity register is 32 bits wide).
 */
#define VTD_FAULT_BATCH_MAX     65536
#define VTD_RESP_BATCH          256     /* as many as one read brings */
#define VTD_GROUP_CHUNK_MIN     64
/* read() calls per handler run, so that a fault storm can't starve the loop */
#define VTD_FAULT_READS_PER_RUN 64

typedef struct VTDPASIDCacheEntry VTDPASIDCacheEntry;
typedef struct VTDPRQGroup VTDPRQGroup;

/*
 * A host object (a nested HWPT or a FAULT object) and what keeps it
 * alive.  The kernel refuses to destroy an object something still names
 * (EBUSY): an HWPT while it is attached, a FAULT object while an HWPT
 * names it.  So each object counts its users (@refs: the binding, or the
 * refused detach, holding an HWPT; the live FAULTQ and every HWPT naming
 * a FAULT object) and holds a reference on the object it names itself
 * (@dep).  vtd_hobj_put() is the one place where host objects are
 * destroyed.  One that the kernel still refuses when its last user goes
 * (an HWPT of a device being unplugged, not yet unbound from the
 * iommufd) waits on a->doomed and is retried from one bottom half and at
 * reset; a closed iommufd took everything along, so nothing waits then.
 */
typedef struct VTDHostObj VTDHostObj;
struct VTDHostObj {
    IOMMUFDBackend *be;         /* referenced */
    uint32_t id;
    unsigned refs;
    VTDHostObj *dep;            /* the FAULT object an HWPT names, or NULL */
};

/*
 * Not a host object: the guest-side record of an attachment that
 * outlived its guest binding.  The guest removed the PASID entry, the
 * host refused the detach, so the HWPT (NULL: the nesting parent) is
 * still attached to that PASID, holding the guest's removed tables.
 * The record holds the binding's reference on the HWPT and retries the
 * detach (PASID-cache invalidation in its scope, reset, unplug) until it
 * succeeds or a new binding of the PASID replaces the attachment; then
 * vtd_undetached_release() lets go of the HWPT, whose destruction is
 * VTDHostObj's business like any other.  Its groups were answered
 * (INVALID, by us) when the detach was refused.
 */
typedef struct VTDRefusedDetach {
    uint32_t pasid;
    uint16_t did;               /* of the removed PASID entry */
    VTDHostObj *hwpt;
} VTDRefusedDetach;

/*
 * Where a passthrough device sits: its bus object and devfn, as upstream
 * keeps it.  Not its bus number: the guest numbers bridges, and may
 * renumber them, so the requester ID is derived at each use
 * (vtd_vhiod_rid()).
 */
typedef struct VTDDevKey {
    PCIBus *bus;
    uint8_t devfn;
} VTDDevKey;

typedef struct VTDHostIOMMUDevice {
    VTDDevKey key;              /* first: the key of VTDAccelState.devices */
    HostIOMMUDevice *hiod;
    GHashTable *pasids;         /* PASID -> VTDPASIDCacheEntry */
    GHashTable *undetached;     /* PASID -> VTDRefusedDetach */
    uint64_t refused;           /* PASIDs refused over the limit */
    uint64_t refused_reported;
    gint64 refused_report_time;
} VTDHostIOMMUDevice;

/* One per (passthrough device, PASID) with a present guest PASID entry. */
struct VTDPASIDCacheEntry {
    VTDHostIOMMUDevice *vhiod;
    uint32_t pasid;
    uint64_t route_key;         /* iommufd dev_id << 32 | PASID */
    VTDPASIDEntry pe;           /* as last bound */
    bool pre;                   /* context entry PRE when bound */
    VTDHostObj *hwpt;           /* nested HWPT; NULL when bound to the parent */
    QTAILQ_HEAD(, VTDPRQGroup) groups;  /* outstanding, oldest first */
};

/* An outstanding page group: seen by the guest, not answered yet. */
struct VTDPRQGroup {
    uint64_t key;               /* see vtd_group_key() */
    uint64_t seq;               /* arrival order, oldest answered first */
    uint32_t cookie;            /* the kernel's */
    VTDPASIDCacheEntry *pce;    /* NULL while in the free pool */
    /* in its bucket of the outstanding table, or in the free pool */
    VTDPRQGroup *hnext;
    QTAILQ_ENTRY(VTDPRQGroup) link;     /* in pce->groups */
};

/* A slot of the route table; pce NULL: empty. */
typedef struct VTDRouteSlot {
    uint64_t key;
    VTDPASIDCacheEntry *pce;
} VTDRouteSlot;

/* A slab of group records; the pool only ever grows by whole slabs. */
typedef struct VTDGroupChunk {
    VTDPRQGroup *groups;
    unsigned n;
} VTDGroupChunk;

struct VTDAccelState {
    GHashTable *devices;        /* BDF -> VTDHostIOMMUDevice */
    /*
     * FAULTQ records -> pce: (iommufd dev_id, PASID), the route key, to
     * the binding.  Open addressing with the keys inline, at most half
     * full, so a fault's lookup reads one slot's line and stops at the
     * first empty slot.  Not a GHashTable, measured (bench-fault-paths
     * --callgrind, VT-d round trip at batch 64): keyed by &pce->route_key
     * with g_int64_hash/g_int64_equal its lookup cost about 70
     * instructions, 61 with the key held in the key pointer, 20 here;
     * and it touches three arrays (hashes, keys, values) where this
     * touches one, which is the extra L1 misses at 65,536 bound PASIDs.
     * Grows (at bind time, never per fault) and does not shrink.
     */
    VTDRouteSlot *routes;
    unsigned route_bits;
    unsigned nroutes;
    /*
     * Bumped whenever a route is added or removed: a fault handler that
     * made guest-visible writes reuses its pce only if this did not move.
     */
    uint64_t routes_gen;
    /*
     * Outstanding groups by key: a chained table over the pool's records,
     * at least twice as many buckets as records, so a fault or a response
     * never allocates; it is resized only when the pool grows.
     *
     * Not a GHashTable, measured: with the same pool, a GHashTable keyed
     * by &g->key costs the same CPU per fault but resizes its arrays
     * whenever the number of outstanding groups crosses a power of two,
     * both ways: 0.14 allocations per fault in bench-fault-paths
     * vtd-roundtrip (batches of 256), 0.08 in vtd-groups=512, against 0
     * here.  See docs/devel/vtd-prq.md.
     */
    VTDPRQGroup **buckets;
    unsigned bucket_bits;
    uint64_t group_seq;

    /* The FAULTQ shared by every fault-capable HWPT of this vIOMMU */
    VTDHostObj *fq;             /* its FAULT object, NULL: none */
    IOMMUFDEventQ evq;          /* its fd, read by the shared core */
    GPtrArray *doomed;          /* VTDHostObj *: unused, destroy refused */
    QEMUBH *doomed_bh;
    bool finalizing;            /* nothing waits: the iommufd frees it */
    struct iommu_hwpt_page_response resp[VTD_RESP_BATCH];
    unsigned nresp;

    /* Pool of group records: grows only past the previous maximum */
    /*
     * A stack through hnext: a free record is in no bucket, and a push
     * or pop is two stores where a doubly linked list took six.
     */
    VTDPRQGroup *free_groups;
    GArray *chunks;             /* VTDGroupChunk, each twice the last */
};

static inline uint64_t vtd_group_key(uint16_t rid, bool pp, uint32_t pasid,
                                     uint16_t prgi)
{
    return ((uint64_t)rid << 32) | ((uint64_t)pp << 31) |
           ((uint64_t)(pp ? pasid & 0xfffff : 0) << 9) | (prgi & 0x1ff);
}

static guint vtd_dev_key_hash(gconstpointer v)
{
    const VTDDevKey *k = v;

    return g_direct_hash(k->bus) ^ k->devfn;
}

static gboolean vtd_dev_key_equal(gconstpointer a, gconstpointer b)
{
    const VTDDevKey *x = a, *y = b;

    return x->bus == y->bus && x->devfn == y->devfn;
}

/* The device's requester ID as the guest numbers its bus now. */
static uint16_t vtd_vhiod_rid(const VTDHostIOMMUDevice *vhiod)
{
    return pci_bus_requester_id(vhiod->key.bus, vhiod->key.devfn);
}

static inline uint64_t vtd_route_key(uint32_t dev_id, uint32_t pasid)
{
    return ((uint64_t)dev_id << 32) | pasid;
}

#define VTD_ROUTE_BITS_MIN 4

/*
 * A device's PASIDs keep their order (dev_id moves the whole run): the
 * PASIDs a guest binds are mostly consecutive, and faults spread over
 * them then touch neighbouring slots.  Scattering them (a multiplicative
 * hash of the whole key) cost 1.17x the CPU time of 1 PASID at 65,536
 * in bench-fault-paths, against 1.0x this way, for the same instruction
 * count: cache and TLB misses beyond L1.
 */
static inline unsigned vtd_route_home(const VTDAccelState *a, uint64_t key)
{
    uint32_t dev_id = key >> 32, pasid = (uint32_t)key;

    return (pasid + dev_id * 0x9e3779b1u) & ((1u << a->route_bits) - 1);
}

static inline VTDPASIDCacheEntry *vtd_route_find(const VTDAccelState *a,
                                                 uint64_t key)
{
    unsigned mask = (1u << a->route_bits) - 1;

    /* At most half full: an empty slot ends every probe. */
    for (unsigned i = vtd_route_home(a, key);; i = (i + 1) & mask) {
        const VTDRouteSlot *r = &a->routes[i];

        if (!r->pce || r->key == key) {
            return r->pce;
        }
    }
}

static void vtd_route_place(VTDAccelState *a, uint64_t key,
                            VTDPASIDCacheEntry *pce)
{
    unsigned mask = (1u << a->route_bits) - 1;
    unsigned i = vtd_route_home(a, key);

    while (a->routes[i].pce && a->routes[i].key != key) {
        i = (i + 1) & mask;
    }
    if (!a->routes[i].pce) {
        a->nroutes++;
    }
    a->routes[i] = (VTDRouteSlot) { .key = key, .pce = pce };
}

static void vtd_route_resize(VTDAccelState *a, unsigned bits)
{
    VTDRouteSlot *old = a->routes;
    unsigned n = old ? 1u << a->route_bits : 0;

    a->routes = g_new0(VTDRouteSlot, 1u << bits);
    a->route_bits = bits;
    a->nroutes = 0;
    for (unsigned i = 0; i < n; i++) {
        if (old[i].pce) {
            vtd_route_place(a, old[i].key, old[i].pce);
        }
    }
    g_free(old);
}

static void vtd_route_add(VTDAccelState *a, VTDPASIDCacheEntry *pce)
{
    if (2 * (a->nroutes + 1) > 1u << a->route_bits) {
        vtd_route_resize(a, a->route_bits + 1);
    }
    vtd_route_place(a, pce->route_key, pce);
    a->routes_gen++;
}

/* Linear probing's deletion: pull later entries of the run back. */
static void vtd_route_del(VTDAccelState *a, VTDPASIDCacheEntry *pce)
{
    unsigned mask = (1u << a->route_bits) - 1;
    unsigned i = vtd_route_home(a, pce->route_key);

    while (a->routes[i].pce != pce) {
        if (!a->routes[i].pce) {
            return;     /* not there */
        }
        i = (i + 1) & mask;
    }
    for (unsigned j = (i + 1) & mask; a->routes[j].pce; j = (j + 1) & mask) {
        unsigned h = vtd_route_home(a, a->routes[j].key);

        /* Stays unless its home is cyclically outside (i, j]. */
        if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
            a->routes[i] = a->routes[j];
            i = j;
        }
    }
    a->routes[i] = (VTDRouteSlot) { 0 };
    a->nroutes--;
    a->routes_gen++;
}

/*
 * Every bound route's pce, for walks off the fault path; no route may be
 * added or removed meanwhile.
 */
#define VTD_ROUTES_FOREACH(a, r)                                        \
    for (VTDRouteSlot *r = (a)->routes;                                 \
         r < (a)->routes + (1u << (a)->route_bits); r++)                \
        if (r->pce)

/* ------------------------------------------------------------------ */
/* Group pool and outstanding table                                    */

/* Records in the pool: 64, 128, 256... (chunks of 64, 64, 128...) */
static unsigned vtd_group_pool_size(VTDAccelState *a)
{
    return a->chunks->len ? VTD_GROUP_CHUNK_MIN << (a->chunks->len - 1) : 0;
}

static inline unsigned vtd_group_bucket(VTDAccelState *a, uint64_t key)
{
    return (key * 0x9e3779b97f4a7c15ULL) >> (64 - a->bucket_bits);
}

static void vtd_group_hash_insert(VTDAccelState *a, VTDPRQGroup *g)
{
    VTDPRQGroup **b = &a->buckets[vtd_group_bucket(a, g->key)];

    g->hnext = *b;
    *b = g;
}

static void vtd_group_hash_remove(VTDAccelState *a, VTDPRQGroup *g)
{
    VTDPRQGroup **pg = &a->buckets[vtd_group_bucket(a, g->key)];

    while (*pg != g) {
        pg = &(*pg)->hnext;
    }
    *pg = g->hnext;
    g->hnext = NULL;
}

/* Size the table for the pool (two buckets per record) and rehash. */
static void vtd_group_hash_resize(VTDAccelState *a)
{
    unsigned bits = 4;

    while ((1u << bits) < 2 * vtd_group_pool_size(a)) {
        bits++;
    }
    if (a->buckets && bits == a->bucket_bits) {
        return;
    }
    g_free(a->buckets);
    a->buckets = g_new0(VTDPRQGroup *, 1u << bits);
    a->bucket_bits = bits;
    for (guint c = 0; c < a->chunks->len; c++) {
        VTDGroupChunk *ch = &g_array_index(a->chunks, VTDGroupChunk, c);

        for (unsigned i = 0; i < ch->n; i++) {
            if (ch->groups[i].pce) {
                vtd_group_hash_insert(a, &ch->groups[i]);
            }
        }
    }
}

static VTDPRQGroup *vtd_group_alloc(VTDAccelState *a)
{
    VTDPRQGroup *g = a->free_groups;

    if (!g) {
        VTDGroupChunk ch = {
            .n = MAX(VTD_GROUP_CHUNK_MIN, vtd_group_pool_size(a)),
        };

        ch.groups = g_new0(VTDPRQGroup, ch.n);
        g_array_append_val(a->chunks, ch);
        /* Pushed last to first: the lowest addresses are used first. */
        for (unsigned i = ch.n; i-- > 0;) {
            ch.groups[i].hnext = a->free_groups;
            a->free_groups = &ch.groups[i];
        }
        vtd_group_hash_resize(a);
        trace_vtd_prq_pool_grow(vtd_group_pool_size(a));
        g = a->free_groups;
    }
    a->free_groups = g->hnext;
    g->hnext = NULL;
    return g;
}

static void vtd_group_release(VTDAccelState *a, VTDPRQGroup *g)
{
    QTAILQ_REMOVE(&g->pce->groups, g, link);
    g->pce = NULL;
    g->hnext = a->free_groups;
    a->free_groups = g;
}

static VTDPRQGroup *vtd_group_find_oldest(VTDAccelState *a, uint64_t key)
{
    VTDPRQGroup *oldest = NULL;

    for (VTDPRQGroup *g = a->buckets[vtd_group_bucket(a, key)]; g;
         g = g->hnext) {
        if (g->key == key && (!oldest || g->seq < oldest->seq)) {
            oldest = g;
        }
    }
    return oldest;
}

static void vtd_group_remember(VTDAccelState *a, VTDPASIDCacheEntry *pce,
                               uint64_t key, uint32_t cookie)
{
    VTDPRQGroup *g = vtd_group_alloc(a);

    /* The bucket walk only feeds the trace: not per fault otherwise. */
    if (trace_event_get_state_vtd_prq_group_dup() &&
        vtd_group_find_oldest(a, key)) {
        /*
         * The device reused a group index before we answered the previous
         * group: keep both, the guest's next answers go oldest first.
         */
        trace_vtd_prq_group_dup(key, cookie);
    }
    g->key = key;
    g->seq = a->group_seq++;
    g->cookie = cookie;
    g->pce = pce;
    QTAILQ_INSERT_TAIL(&pce->groups, g, link);
    vtd_group_hash_insert(a, g);
}

/*
 * Take the oldest group of @key out of the table, in one walk of its
 * bucket (this runs per answer).
 */
static VTDPRQGroup *vtd_group_take(VTDAccelState *a, uint64_t key)
{
    VTDPRQGroup **oldest = NULL;
    VTDPRQGroup *g;

    for (VTDPRQGroup **pg = &a->buckets[vtd_group_bucket(a, key)]; *pg;
         pg = &(*pg)->hnext) {
        if ((*pg)->key == key && (!oldest || (*pg)->seq < (*oldest)->seq)) {
            oldest = pg;
        }
    }
    if (!oldest) {
        return NULL;
    }
    g = *oldest;
    *oldest = g->hnext;
    g->hnext = NULL;
    return g;
}

/* ------------------------------------------------------------------ */
/* Responses to the host                                               */

static void vtd_faultq_fail(IntelIOMMUState *s, int err);

/*
 * Write the queued responses.  The groups they answer are no longer in
 * the outstanding table, so every one of them must either reach the
 * kernel or be left to it: if the FAULTQ is dead (any write error but
 * EINVAL), the kernel answers them INVALID itself on detach, replace or
 * FAULT destruction, which the teardown of the FAULTQ leads to; we never
 * write them again.
 */
static void vtd_resp_flush(IntelIOMMUState *s)
{
    VTDAccelState *a = s->accel_state;
    unsigned off = 0, retries = 0;

    if (!a->nresp) {
        return;
    }
    if (!iommufd_eventq_live(&a->evq)) {
        /* Already reported by vtd_faultq_fail(). */
        trace_vtd_prq_response_dropped(a->nresp, 0);
        a->nresp = 0;
        return;
    }
    while (off < a->nresp) {
        ssize_t n = write(a->evq.fd, &a->resp[off],
                          (a->nresp - off) * sizeof(a->resp[0]));
        int err = errno;

        if (n < 0) {
            /* A FAULTQ write never blocks; bound the retries anyway. */
            if ((err == EINTR || err == EAGAIN) && ++retries < 16) {
                continue;
            }
            trace_vtd_prq_response_refused(a->resp[off].cookie,
                                           a->resp[off].code, err);
            if (err == EINVAL) {
                /*
                 * The kernel refuses a bad cookie or code and stops at
                 * it: skip that one response, send the rest.
                 */
                error_report_once("intel-iommu: FAULTQ refused the response "
                                  "for cookie %u: %s", a->resp[off].cookie,
                                  g_strerror(err));
                off++;
                continue;
            }
            /* EBADF, EIO, ...: the FAULTQ is dead, as on the read side. */
            trace_vtd_prq_response_dropped(a->nresp - off, err);
            vtd_faultq_fail(s, err);
            break;
        }
        if (n < (ssize_t)sizeof(a->resp[0])) {
            /* Not one response consumed, and no error: don't spin. */
            trace_vtd_prq_response_dropped(a->nresp - off, EIO);
            vtd_faultq_fail(s, EIO);
            break;
        }
        if (n % sizeof(a->resp[0])) {
            error_report_once("intel-iommu: short FAULTQ write (%zd bytes)",
                              n);
        }
        off += n / sizeof(a->resp[0]);
    }
    a->nresp = 0;
}

static void vtd_resp_queue(IntelIOMMUState *s, uint32_t cookie,
                           uint32_t code)
{
    VTDAccelState *a = s->accel_state;

    a->resp[a->nresp].cookie = cookie;
    a->resp[a->nresp].code = code;
    if (++a->nresp == VTD_RESP_BATCH) {
        vtd_resp_flush(s);
    }
}

void vtd_accel_flush_responses(IntelIOMMUState *s)
{
    if (s->accel_state) {
        vtd_resp_flush(s);
    }
}

/*
 * The kernel answered (or will answer) every group of @pce: detach,
 * replace, unbind.  Drop our records without writing anything.
 */
static void vtd_pce_forget_groups(IntelIOMMUState *s, VTDPASIDCacheEntry *pce)
{
    VTDAccelState *a = s->accel_state;
    VTDPRQGroup *g;

    while ((g = QTAILQ_FIRST(&pce->groups))) {
        trace_vtd_prq_group_forget(g->key, g->cookie);
        vtd_group_hash_remove(a, g);
        vtd_group_release(a, g);
    }
}

/* We answer them ourselves: INVALID, then forget. */
static void vtd_pce_answer_groups(IntelIOMMUState *s, VTDPASIDCacheEntry *pce)
{
    VTDPRQGroup *g;

    QTAILQ_FOREACH(g, &pce->groups, link) {
        trace_vtd_prq_response_notify(g->key, g->cookie,
                                      IOMMUFD_PAGE_RESP_INVALID, "vmm");
        vtd_resp_queue(s, g->cookie, IOMMUFD_PAGE_RESP_INVALID);
    }
    vtd_resp_flush(s);
    vtd_pce_forget_groups(s, pce);
}

/* ------------------------------------------------------------------ */
/* The FAULTQ                                                          */

/* ------------------------------------------------------------------ */
/* Host objects                                                        */

static VTDHostObj *vtd_hobj_new(IOMMUFDBackend *be, uint32_t id,
                                VTDHostObj *dep)
{
    VTDHostObj *o = g_new0(VTDHostObj, 1);

    o->be = be;
    object_ref(OBJECT(be));
    o->id = id;
    o->refs = 1;
    o->dep = dep;
    if (dep) {
        dep->refs++;
    }
    return o;
}

static inline uint32_t vtd_hobj_id(const VTDHostObj *o)
{
    return o ? o->id : 0;
}

/* Try IOMMU_DESTROY; false if the kernel refused and it must wait. */
static bool vtd_hobj_destroy(IntelIOMMUState *s, VTDHostObj *o, bool final)
{
    g_autoptr(Error) err = NULL;
    bool ok = iommufd_backend_free_id(o->be, o->id, &err);

    trace_vtd_hobj_destroy(o->id, ok);
    /* A closed iommufd took it along: nothing left to destroy. */
    if (!ok && !final && o->be->fd >= 0) {
        return false;
    }
    object_unref(OBJECT(o->be));
    g_free(o);
    return true;
}

static void vtd_hobj_put(IntelIOMMUState *s, VTDHostObj *o)
{
    VTDAccelState *a = s->accel_state;

    while (o && !--o->refs) {
        VTDHostObj *dep = o->dep;

        if (!vtd_hobj_destroy(s, o, a->finalizing)) {
            /* Still named by something the kernel knows: try later. */
            trace_vtd_hobj_doomed(o->id);
            g_ptr_array_add(a->doomed, o);
            qemu_bh_schedule(a->doomed_bh);
            return;
        }
        o = dep;                /* what it named has one user less */
    }
}

/* Destroy what was refused before; @final: forget what is still refused */
static void vtd_hobj_retry_doomed(IntelIOMMUState *s, bool final)
{
    VTDAccelState *a = s->accel_state;
    g_autoptr(GPtrArray) todo = a->doomed;

    a->doomed = g_ptr_array_new();
    for (unsigned i = 0; i < todo->len; i++) {
        VTDHostObj *o = g_ptr_array_index(todo, i);
        VTDHostObj *dep = o->dep;

        if (!vtd_hobj_destroy(s, o, final)) {
            g_ptr_array_add(a->doomed, o);
            continue;
        }
        vtd_hobj_put(s, dep);
    }
}

static void vtd_hobj_doomed_bh(void *opaque)
{
    vtd_hobj_retry_doomed(opaque, false);
}

/* ------------------------------------------------------------------ */
/* The FAULTQ                                                          */

/*
 * Stop reading and let go of the FAULT object: destroyed now, or with
 * the last HWPT that names it (the kernel refuses it before).
 */
static void vtd_faultq_close(IntelIOMMUState *s)
{
    VTDAccelState *a = s->accel_state;

    if (!a->fq) {
        return;
    }
    iommufd_eventq_close(&a->evq);
    trace_vtd_faultq_teardown(a->fq->id, a->fq->refs - 1);
    vtd_hobj_put(s, a->fq);
    a->fq = NULL;
}

/*
 * The FAULTQ died (from the core's bottom half).  It is not replaced
 * here, unlike a vEVENTQ: every HWPT names its FAULT object for life, so
 * a new queue is only useful to new HWPTs; the next binding with page
 * requests allocates it.
 */
static void vtd_faultq_died(void *opaque, int err, bool had_reads)
{
    IntelIOMMUState *s = opaque;
    VTDAccelState *a = s->accel_state;

    /*
     * Nobody can answer through a dead fd: forget every group it
     * delivered (all outstanding groups came through it).  The kernel
     * answers them INVALID when their HWPT is detached or replaced, or
     * the FAULT object destroyed.
     */
    VTD_ROUTES_FOREACH(a, r) {
        vtd_pce_forget_groups(s, r->pce);
    }
    a->nresp = 0;
    vtd_faultq_close(s);
}

/* A write failed: the core reports it and tears the queue down in a BH */
static void vtd_faultq_fail(IntelIOMMUState *s, int err)
{
    iommufd_eventq_fail(&s->accel_state->evq, err);
}

static bool vtd_faultq_get(IntelIOMMUState *s, IOMMUFDBackend *be,
                           VTDHostObj **fq, Error **errp)
{
    VTDAccelState *a = s->accel_state;
    uint32_t fault_id;
    int fd;

    if (iommufd_eventq_dead(&a->evq)) {
        error_setg(errp, "the FAULTQ is being torn down");
        return false;
    }
    if (a->fq && a->fq->be != be) {
        /*
         * Every device of the old backend is gone (one backend at a time
         * is plugged): its FAULTQ serves nobody any more.
         */
        vtd_faultq_close(s);
    }
    if (a->fq) {
        *fq = a->fq;
        return true;
    }
    if (!iommufd_backend_alloc_faultq(be, &fault_id, &fd, errp)) {
        return false;
    }
    a->fq = vtd_hobj_new(be, fault_id, NULL);
    iommufd_eventq_start(&a->evq, fd);
    trace_vtd_faultq_alloc(fault_id, fd);
    *fq = a->fq;
    return true;
}

/* The uAPI's access bits are the VT-d page request's, one for one. */
_Static_assert(IOMMU_PGFAULT_PERM_READ == VTD_PR_PERM_READ &&
               IOMMU_PGFAULT_PERM_WRITE == VTD_PR_PERM_WRITE &&
               IOMMU_PGFAULT_PERM_EXEC == VTD_PR_PERM_EXEC &&
               IOMMU_PGFAULT_PERM_PRIV == VTD_PR_PERM_PRIV,
               "rec->perm is passed to vtd_page_request() as it is");

/* One record read from the FAULTQ: into the PRQ, or answered at once. */
static void vtd_prq_handle_record(IntelIOMMUState *s, VTDPRQRun *run,
                                  const struct iommu_hwpt_pgfault *rec)
{
    VTDAccelState *a = s->accel_state;
    bool pv = rec->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID;
    bool last = rec->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE;
    uint32_t pasid = pv ? rec->pasid : IOMMU_NO_PASID;
    uint64_t rkey = vtd_route_key(rec->dev_id, pasid);
    VTDPASIDCacheEntry *pce = vtd_route_find(a, rkey);
    uint64_t gen = a->routes_gen;
    VTDPageRequest req;
    VTDPRQResult r;
    uint16_t rid;
    uint64_t key;

    trace_vtd_prq_read_fault(rec->dev_id, pv, rec->pasid, rec->addr,
                             rec->perm, rec->grpid, last, rec->cookie);
    /*
     * Behind a bridge the guest has not numbered (or has unnumbered since
     * the bind), bus:devfn would name another device: no RID to report.
     */
    if (pce && !pci_bus_is_addressable(pce->vhiod->key.bus)) {
        trace_vtd_prq_fault_no_rid(rec->dev_id, pasid, rec->cookie);
        pce = NULL;
    }
    if (!pce) {
        /* Remapping-table error in the spec's terms: Invalid Request. */
        trace_vtd_prq_fault_unrouted(rec->dev_id, pasid, rec->cookie);
        if (last) {
            vtd_resp_queue(s, rec->cookie, IOMMUFD_PAGE_RESP_INVALID);
        }
        return;
    }
    /* At delivery, not at plug time: the guest may renumber buses. */
    rid = vtd_vhiod_rid(pce->vhiod);
    req = vtd_page_request(rid, pv, rec->pasid, rec->addr, rec->perm,
                           rec->grpid, last);
    if (!pce->pre) {
        /* Page requests not enabled in the context entry (SCT.8) */
        vtd_prq_refuse(s, &req, VTD_FR_SM_PRE_ABS);
        if (last) {
            vtd_resp_queue(s, rec->cookie, IOMMUFD_PAGE_RESP_INVALID);
        }
        return;
    }
    r = vtd_prq_put(s, run, &req);
    key = vtd_group_key(rid, pv, rec->pasid, rec->grpid);
    if (!last) {
        /* The spec answers nothing for a dropped LPIG=0 request. */
        return;
    }
    switch (r) {
    case VTD_PRQ_QUEUED:
        /*
         * A descriptor written to a queue that is not RAM, or the fault
         * event of an earlier record, is guest-visible: whatever it
         * reached may have changed our tables (the re-entrancy guard
         * keeps it off this unit, not off everything), so look the route
         * up again rather than trust @pce, unless no route was added or
         * removed meanwhile (a pce is freed only after its route is
         * removed).  The page request event itself is raised when the
         * run closes, after the groups are remembered: an unbind it
         * causes forgets them as any unbind does.
         */
        if (a->routes_gen != gen) {
            pce = vtd_route_find(a, rkey);
        }
        if (!pce) {
            /*
             * Unbound meanwhile: the group belongs to the attachment that
             * went away, and the kernel answers it on detach (or, for a
             * refused detach, when that attachment finally goes).
             */
            trace_vtd_prq_group_forget(key, rec->cookie);
            break;
        }
        vtd_group_remember(a, pce, key, rec->cookie);
        break;
    case VTD_PRQ_DROPPED_PRO:
    case VTD_PRQ_DROPPED_FULL:
        /* Hardware answers Success itself: the device will retry. */
        trace_vtd_prq_response_notify(key, rec->cookie,
                                      IOMMUFD_PAGE_RESP_SUCCESS, "overflow");
        vtd_resp_queue(s, rec->cookie, IOMMUFD_PAGE_RESP_SUCCESS);
        break;
    case VTD_PRQ_DROPPED_ERROR:
        vtd_resp_queue(s, rec->cookie, IOMMUFD_PAGE_RESP_INVALID);
        break;
    }
}

/* The records of one read(), whole groups only (the kernel's rule). */
static void vtd_prq_records(void *opaque, const uint8_t *buf, size_t len)
{
    IntelIOMMUState *s = opaque;
    const struct iommu_hwpt_pgfault *rec = (const void *)buf;
    size_t nrec = len / VTD_FAULT_REC_SIZE;
    VTDPRQRun run;

    trace_vtd_prq_read_batch(nrec);
    vtd_prq_open(s, &run);
    for (size_t i = 0; i < nrec && iommufd_eventq_live(&s->accel_state->evq);
         i++) {
        vtd_prq_handle_record(s, &run, &rec[i]);
    }
    vtd_prq_close(s, &run);
}

/* End of a read run: the answers of this batch go out together. */
static void vtd_prq_run_end(void *opaque)
{
    vtd_resp_flush(opaque);
}

static const IOMMUFDEventQOps vtd_faultq_ops = {
    .records = vtd_prq_records,
    .run_end = vtd_prq_run_end,
    .died = vtd_faultq_died,
};

/* ------------------------------------------------------------------ */
/* Guest answers                                                       */

void vtd_accel_page_group_response(IntelIOMMUState *s, uint16_t rid,
                                   bool pp, uint32_t pasid, uint16_t prgi,
                                   unsigned rc)
{
    VTDAccelState *a = s->accel_state;
    uint64_t key = vtd_group_key(rid, pp, pasid, prgi);
    VTDPRQGroup *g = a ? vtd_group_take(a, key) : NULL;
    uint32_t code;

    if (!g) {
        /* Another device's or PASID's group, or one already answered. */
        trace_vtd_prq_response_stray(rid, pp, pasid, prgi, rc);
        return;
    }
    /* The uAPI has no Response Failure: the device gets Invalid Request. */
    code = rc == VTD_PGRESP_RC_SUCCESS ? IOMMUFD_PAGE_RESP_SUCCESS :
                                         IOMMUFD_PAGE_RESP_INVALID;
    trace_vtd_prq_response_notify(key, g->cookie, code, "guest");
    vtd_resp_queue(s, g->cookie, code);
    vtd_group_release(a, g);
}

void vtd_accel_prq_reset(IntelIOMMUState *s)
{
    VTDAccelState *a = s->accel_state;

    if (!a) {
        return;
    }
    trace_vtd_prq_reset();
    VTD_ROUTES_FOREACH(a, r) {
        if (!QTAILQ_EMPTY(&r->pce->groups)) {
            vtd_pce_answer_groups(s, r->pce);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Binding PASIDs                                                      */

static bool vtd_pce_alloc_fs_hwpt(IntelIOMMUState *s,
                                  VTDHostIOMMUDevice *vhiod, uint32_t pasid,
                                  const VTDPASIDEntry *pe, bool pre,
                                  VTDHostObj **hwpt, Error **errp)
{
    HostIOMMUDevice *hiod = vhiod->hiod;
    struct iommu_hwpt_vtd_s1 s1 = {
        .pgtbl_addr = pe->qw[2] & VTD_PE_FSPTPTR_MASK,
        .addr_width = VTD_PE_FSPM(pe->qw[2]) == 1 ? 57 : 48,
    };
    uint32_t flags = 0;
    VTDHostObj *fq = NULL;
    uint32_t hwpt_id;

    if (pe->qw[2] & VTD_PE_SRE) {
        s1.flags |= IOMMU_VTD_S1_SRE;
    }
    if (pe->qw[2] & VTD_PE_WPE) {
        s1.flags |= IOMMU_VTD_S1_WPE;
    }
    if (pe->qw[2] & VTD_PE_EAFE) {
        s1.flags |= IOMMU_VTD_S1_EAFE;
    }
    /*
     * PASID-capable domains everywhere once the device uses PASIDs: the
     * kernel refuses PASID attaches next to a RID domain without it.
     */
    if (s->pasid_bits && hiod->caps.max_pasid_log2) {
        flags |= IOMMU_HWPT_ALLOC_PASID;
    }
    /*
     * With PRE=0 too: the spec then records a non-recoverable fault and
     * answers Invalid Request (vtd_prq_refuse), which only we can do.
     */
    if (s->svm) {
        Error *ferr = NULL;

        if (vtd_faultq_get(s, hiod->iommufd, &fq, &ferr)) {
            flags |= IOMMU_HWPT_FAULT_ID_VALID;
        } else {
            error_report("intel-iommu: %s PASID %u: page requests disabled: "
                         "%s", hiod->name, pasid, error_get_pretty(ferr));
            error_free(ferr);
        }
    }
    if (!iommufd_backend_alloc_hwpt(hiod->iommufd, hiod->devid,
                                    hiod->nest_parent_id, flags,
                                    IOMMU_HWPT_DATA_VTD_S1, sizeof(s1), &s1,
                                    vtd_hobj_id(fq), &hwpt_id, errp)) {
        return false;
    }
    /* The HWPT names the FAULT object for life: one more user of it */
    *hwpt = vtd_hobj_new(hiod->iommufd, hwpt_id, fq);
    trace_vtd_pasid_bind_fs(hiod->name, pasid, hwpt_id, s1.pgtbl_addr,
                            vtd_hobj_id(fq));
    return true;
}

/*
 * The attachment is gone (detached, replaced, or given up at unplug):
 * let go of the HWPT and forget the record.  The one place both happen.
 */
static void vtd_undetached_release(IntelIOMMUState *s,
                                   VTDHostIOMMUDevice *vhiod,
                                   VTDRefusedDetach *ud)
{
    uint32_t pasid = ud->pasid;

    vtd_hobj_put(s, ud->hwpt);
    g_hash_table_remove(vhiod->undetached, GUINT_TO_POINTER(pasid));
}

/*
 * A new attachment of @pasid replaced one whose detach was refused (the
 * kernel answered whatever was pending on it): the old HWPT can go now.
 */
static void vtd_undetached_replaced(IntelIOMMUState *s,
                                    VTDHostIOMMUDevice *vhiod, uint32_t pasid)
{
    VTDRefusedDetach *ud = g_hash_table_lookup(vhiod->undetached,
                                               GUINT_TO_POINTER(pasid));

    if (!ud) {
        return;
    }
    trace_vtd_pasid_detach_replaced(vhiod->hiod->name, pasid,
                                    vtd_hobj_id(ud->hwpt));
    vtd_undetached_release(s, vhiod, ud);
}

/* Try the refused detach again; on success let go of the HWPT. */
static bool vtd_undetached_retry(IntelIOMMUState *s,
                                 VTDHostIOMMUDevice *vhiod,
                                 VTDRefusedDetach *ud)
{
    g_autoptr(Error) err = NULL;
    bool ok;

    /* A queued answer must not meet a group the detach answers. */
    vtd_resp_flush(s);
    ok = host_iommu_device_detach_hwpt(vhiod->hiod, ud->pasid, &err);
    /* Reported once, when it was first refused. */
    trace_vtd_pasid_detach_retry(vhiod->hiod->name, ud->pasid,
                                 vtd_hobj_id(ud->hwpt), ok);
    if (ok) {
        vtd_undetached_release(s, vhiod, ud);
    }
    return ok;
}

/*
 * The PASIDs of the refused detaches of @vhiod in the scope of a PASID-cache
 * invalidation (@g, @did, @pasid; VTD_PC_G_GLOBAL: all of them), other
 * PASIDs before the RID; NULL if there are none.
 */
static GArray *vtd_undetached_in_scope(VTDHostIOMMUDevice *vhiod, unsigned g,
                                  uint16_t did, uint32_t pasid)
{
    GArray *todo;
    VTDRefusedDetach *ud;
    GHashTableIter it;
    bool rid = false;

    if (!g_hash_table_size(vhiod->undetached)) {
        return NULL;
    }
    todo = g_array_new(false, false, sizeof(uint32_t));
    g_hash_table_iter_init(&it, vhiod->undetached);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&ud)) {
        if ((g == VTD_PC_G_PASID && ud->pasid != pasid) ||
            (g == VTD_PC_G_DOMAIN && ud->did != did)) {
            continue;
        }
        if (ud->pasid == IOMMU_NO_PASID) {
            rid = true;
        } else {
            g_array_append_val(todo, ud->pasid);
        }
    }
    if (rid) {
        uint32_t p = IOMMU_NO_PASID;

        g_array_append_val(todo, p);
    }
    return todo;
}

/*
 * Retry the refused detaches of @todo (from vtd_undetached_in_scope(), freed
 * here) that are still there.  Those still refused go to @left.
 */
static void vtd_undetached_retry_list(IntelIOMMUState *s,
                                      VTDHostIOMMUDevice *vhiod,
                                      GArray *todo, GPtrArray *left)
{
    if (!todo) {
        return;
    }
    for (unsigned i = 0; i < todo->len; i++) {
        uint32_t p = g_array_index(todo, uint32_t, i);
        VTDRefusedDetach *ud = g_hash_table_lookup(vhiod->undetached,
                                                   GUINT_TO_POINTER(p));

        if (ud && !vtd_undetached_retry(s, vhiod, ud) && left) {
            g_ptr_array_add(left, ud);
        }
    }
    g_array_free(todo, true);
}

static void vtd_undetached_retry_all(IntelIOMMUState *s,
                                     VTDHostIOMMUDevice *vhiod,
                                     GPtrArray *left)
{
    vtd_undetached_retry_list(s, vhiod,
                              vtd_undetached_in_scope(vhiod, VTD_PC_G_GLOBAL,
                                                      0, 0),
                              left);
}

/*
 * Bind @pe to @pasid: a new nested HWPT (first stage) or the nesting
 * parent (pass-through), attached with replace semantics.  @pce is the
 * existing entry or a new one not yet in any table.
 */
static bool vtd_pce_bind(IntelIOMMUState *s, VTDPASIDCacheEntry *pce,
                         const VTDPASIDEntry *pe, bool pre, Error **errp)
{
    VTDHostIOMMUDevice *vhiod = pce->vhiod;
    HostIOMMUDevice *hiod = vhiod->hiod;
    unsigned pgtt = VTD_PE_PGTT(pe->qw[0]);
    VTDHostObj *hwpt = NULL;

    switch (pgtt) {
    case VTD_PGTT_FST:
        if ((pe->qw[2] & VTD_PE_SRE) && !(s->ecap & VTD_ECAP_SRS)) {
            /* SRE is reserved without ECAP.SRS: don't grant it to the host */
            error_setg(errp, "PASID entry sets SRE but ECAP.SRS=0");
            return false;
        }
        if (!vtd_pce_alloc_fs_hwpt(s, vhiod, pce->pasid, pe, pre, &hwpt,
                                   errp)) {
            return false;
        }
        break;
    case VTD_PGTT_PT:
        if (!(s->ecap & VTD_ECAP_PT)) {
            error_setg(errp, "pass-through PASID entry without ECAP.PT");
            return false;
        }
        break;
    default:
        error_setg(errp, "PGTT %u is not supported with fsts=on", pgtt);
        return false;
    }
    /* Nothing queued may meet a group the replace is about to answer. */
    vtd_resp_flush(s);
    if (!host_iommu_device_attach_hwpt(hiod, pce->pasid,
                                       hwpt ? hwpt->id :
                                       hiod->nest_parent_id, errp)) {
        vtd_hobj_put(s, hwpt);
        return false;
    }
    /* Replaced: the kernel answered the old attachment's groups. */
    vtd_pce_forget_groups(s, pce);
    vtd_hobj_put(s, pce->hwpt);
    /* ... and the attachment a refused detach of the PASID left */
    vtd_undetached_replaced(s, vhiod, pce->pasid);
    pce->hwpt = hwpt;
    pce->pe = *pe;
    pce->pre = pre;
    return true;
}

static void vtd_pce_remove(IntelIOMMUState *s, VTDPASIDCacheEntry *pce)
{
    VTDHostIOMMUDevice *vhiod = pce->vhiod;
    g_autoptr(Error) err = NULL;

    trace_vtd_pasid_cache_remove(vhiod->hiod->name, pce->pasid,
                                 vtd_hobj_id(pce->hwpt));
    vtd_resp_flush(s);
    if (host_iommu_device_detach_hwpt(vhiod->hiod, pce->pasid, &err)) {
        /* The detach answered every group of that attachment. */
        vtd_pce_forget_groups(s, pce);
        vtd_hobj_put(s, pce->hwpt);
    } else {
        VTDRefusedDetach *ud = g_new0(VTDRefusedDetach, 1);

        error_report("intel-iommu: %s PASID %u: %s", vhiod->hiod->name,
                     pce->pasid, error_get_pretty(err));
        /* Still attached: nobody answered, so we do. */
        vtd_pce_answer_groups(s, pce);
        /*
         * The HWPT is still attached (IOMMU_DESTROY would fail with
         * EBUSY): the attachment outlives the binding, and takes over
         * its reference until it is detached or replaced.
         */
        ud->pasid = pce->pasid;
        ud->did = VTD_PE_DID(pce->pe.qw[1]);
        ud->hwpt = pce->hwpt;           /* the binding's reference */
        trace_vtd_pasid_detach_refused(vhiod->hiod->name, pce->pasid,
                                       vtd_hobj_id(pce->hwpt));
        /*
         * An older refused detach of this PASID was replaced when this
         * binding was attached; should one still be recorded, it is not
         * attached any more, so release it rather than lose track of it.
         */
        vtd_undetached_replaced(s, vhiod, pce->pasid);
        g_hash_table_insert(vhiod->undetached, GUINT_TO_POINTER(pce->pasid),
                            ud);
    }
    vtd_route_del(s->accel_state, pce);
    g_hash_table_remove(vhiod->pasids, GUINT_TO_POINTER(pce->pasid));
    g_free(pce);
}

/* At most one report per device per interval, with the count since. */
#define VTD_REFUSED_REPORT_INTERVAL_US  (10 * G_USEC_PER_SEC)

/* PASIDs of @vhiod that may be bound: its width, capped by the property */
static uint32_t vtd_bound_limit(IntelIOMMUState *s, VTDHostIOMMUDevice *vhiod)
{
    unsigned bits = MIN(s->pasid_bits, vhiod->hiod->caps.max_pasid_log2);

    return MIN(1U << bits, s->max_bound_pasids);
}

/*
 * One guest action may not make the host create objects without bound
 * (one PASID-cache invalidation over a directory whose entries all name
 * one PASID table would bind 2^20 nested HWPTs).  Beyond the limit the
 * entry is refused as one the unit cannot use: a recorded fault, and a
 * rate-limited report.  False when @pasid may not be bound.
 */
static bool vtd_pasid_limit_check(IntelIOMMUState *s,
                                  VTDHostIOMMUDevice *vhiod, uint32_t pasid,
                                  const VTDPASIDEntry *pe)
{
    gint64 now;

    if (g_hash_table_size(vhiod->pasids) < vtd_bound_limit(s, vhiod)) {
        return true;
    }
    vhiod->refused++;
    vtd_pasid_entry_refused(s, vtd_vhiod_rid(vhiod), pasid,
                            pe->qw[0] & VTD_PE_FPD);
    now = g_get_monotonic_time();
    if (vhiod->refused_reported == 0 ||
        now - vhiod->refused_report_time >= VTD_REFUSED_REPORT_INTERVAL_US) {
        warn_report("intel-iommu: %s: PASID %u not bound: %u PASIDs bound "
                    "already (max-bound-pasids); %" PRIu64 " refused so far",
                    vhiod->hiod->name, pasid,
                    g_hash_table_size(vhiod->pasids), vhiod->refused);
        vhiod->refused_reported = vhiod->refused;
        vhiod->refused_report_time = now;
    }
    return false;
}

static void vtd_pce_add(IntelIOMMUState *s, VTDHostIOMMUDevice *vhiod,
                        uint32_t pasid, const VTDPASIDEntry *pe, bool pre)
{
    VTDPASIDCacheEntry *pce;
    g_autoptr(Error) err = NULL;

    if (!vtd_pasid_limit_check(s, vhiod, pasid, pe)) {
        return;
    }
    pce = g_new0(VTDPASIDCacheEntry, 1);

    pce->vhiod = vhiod;
    pce->pasid = pasid;
    pce->route_key = vtd_route_key(vhiod->hiod->devid, pasid);
    QTAILQ_INIT(&pce->groups);
    if (!vtd_pce_bind(s, pce, pe, pre, &err)) {
        /* Not cached: the next invalidation of this PASID tries again. */
        error_report("intel-iommu: %s PASID %u: cannot bind: %s",
                     vhiod->hiod->name, pasid, error_get_pretty(err));
        g_free(pce);
        return;
    }
    trace_vtd_pasid_cache_add(vhiod->hiod->name, pasid,
                              vtd_hobj_id(pce->hwpt));
    g_hash_table_insert(vhiod->pasids, GUINT_TO_POINTER(pasid), pce);
    vtd_route_add(s->accel_state, pce);
}

static void vtd_pce_update(IntelIOMMUState *s, VTDPASIDCacheEntry *pce,
                           const VTDPASIDEntry *pe, bool pre)
{
    g_autoptr(Error) err = NULL;

    if (!memcmp(&pce->pe, pe, sizeof(*pe)) && pce->pre == pre) {
        return;
    }
    trace_vtd_pasid_cache_update(pce->vhiod->hiod->name, pce->pasid);
    if (!vtd_pce_bind(s, pce, pe, pre, &err)) {
        error_report("intel-iommu: %s PASID %u: cannot rebind: %s",
                     pce->vhiod->hiod->name, pce->pasid,
                     error_get_pretty(err));
        /* Never leave the old tables in use behind the guest's back. */
        vtd_pce_remove(s, pce);
    }
}

/* PASIDs of @vhiod the guest may use: the smaller of both widths. */
static uint32_t vtd_max_pasid(IntelIOMMUState *s, VTDHostIOMMUDevice *vhiod)
{
    unsigned bits = MIN(s->pasid_bits, vhiod->hiod->caps.max_pasid_log2);

    return 1U << bits;
}

static bool vtd_pc_filter(unsigned g, uint16_t did, uint32_t pasid,
                          uint32_t entry_pasid, const VTDPASIDEntry *pe)
{
    switch (g) {
    case VTD_PC_G_PASID:
        return entry_pasid == pasid && VTD_PE_DID(pe->qw[1]) == did;
    case VTD_PC_G_DOMAIN:
        return VTD_PE_DID(pe->qw[1]) == did;
    default:
        return true;
    }
}

/* Entries that appeared in the guest's tables: walk present parts only. */
static void vtd_pc_add_new(IntelIOMMUState *s, VTDHostIOMMUDevice *vhiod,
                           const VTDContextEntry *ce, unsigned g,
                           uint16_t did, uint32_t pasid)
{
    uint32_t max = vtd_max_pasid(s, vhiod);
    bool pre = ce->qw[0] & VTD_SM_CTX_PRE;
    g_autofree VTDPASIDEntry *table = NULL;
    uint32_t ndir;

    if (g == VTD_PC_G_PASID) {
        VTDPASIDEntry pe;

        if (pasid < max &&
            !g_hash_table_contains(vhiod->pasids, GUINT_TO_POINTER(pasid)) &&
            !vtd_get_pasid_entry(s, ce, pasid, &pe) && vtd_pe_present(&pe) &&
            VTD_PE_DID(pe.qw[1]) == did) {
            vtd_pce_add(s, vhiod, pasid, &pe, pre);
        }
        return;
    }
    table = g_new(VTDPASIDEntry, 1 << VTD_PASID_TABLE_BITS);
    ndir = MIN(vtd_pasid_dir_entries(ce),
               DIV_ROUND_UP(max, 1U << VTD_PASID_TABLE_BITS));
    for (uint32_t i = 0; i < ndir; i++) {
        uint64_t pdire;

        if (!vtd_get_pasid_dir_entry(s, ce, i, &pdire) ||
            !vtd_get_pasid_table(s, pdire, table)) {
            continue;
        }
        for (uint32_t j = 0; j < (1U << VTD_PASID_TABLE_BITS); j++) {
            uint32_t p = (i << VTD_PASID_TABLE_BITS) | j;

            if (p >= max || !vtd_pe_present(&table[j]) ||
                !vtd_pc_filter(g, did, pasid, p, &table[j]) ||
                g_hash_table_contains(vhiod->pasids, GUINT_TO_POINTER(p))) {
                continue;
            }
            if (g_hash_table_size(vhiod->pasids) >=
                vtd_bound_limit(s, vhiod)) {
                /* Refused (once per walk): the rest would be too. */
                vtd_pasid_limit_check(s, vhiod, p, &table[j]);
                return;
            }
            vtd_pce_add(s, vhiod, p, &table[j], pre);
        }
    }
}

static void vtd_pc_sync_device(IntelIOMMUState *s, VTDHostIOMMUDevice *vhiod,
                               unsigned g, uint16_t did, uint32_t pasid)
{
    VTDContextEntry ce;
    /* The context entry of the RID the guest gives the device now. */
    bool ce_ok = pci_bus_is_addressable(vhiod->key.bus) &&
                 !vtd_get_sm_context_entry(s, pci_bus_num(vhiod->key.bus),
                                           vhiod->key.devfn, &ce);
    g_autoptr(GPtrArray) cached = g_ptr_array_new();
    /* Refused detaches from before this invalidation, to retry in 3. */
    GArray *undetached = vtd_undetached_in_scope(vhiod, g, did, pasid);
    GHashTableIter it;
    VTDPASIDCacheEntry *pce;

    /* 1. Cached entries in scope: removed, changed or unchanged. */
    if (g == VTD_PC_G_PASID) {
        pce = g_hash_table_lookup(vhiod->pasids, GUINT_TO_POINTER(pasid));
        if (pce) {
            g_ptr_array_add(cached, pce);
        }
    } else {
        g_hash_table_iter_init(&it, vhiod->pasids);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&pce)) {
            g_ptr_array_add(cached, pce);
        }
    }
    for (unsigned i = 0; i < cached->len; i++) {
        VTDPASIDEntry pe;

        pce = g_ptr_array_index(cached, i);
        if (!vtd_pc_filter(g, did, pasid, pce->pasid, &pce->pe)) {
            continue;
        }
        if (!ce_ok || vtd_get_pasid_entry(s, &ce, pce->pasid, &pe) ||
            !vtd_pe_present(&pe)) {
            vtd_pce_remove(s, pce);
        } else {
            vtd_pce_update(s, pce, &pe, ce.qw[0] & VTD_SM_CTX_PRE);
        }
    }
    /* 2. New entries in scope (replacing a refused detach's attachment) */
    if (ce_ok) {
        vtd_pc_add_new(s, vhiod, &ce, g, did, pasid);
    }
    /* 3. Bindings whose detach was refused before: try again. */
    vtd_undetached_retry_list(s, vhiod, undetached, NULL);
}

void vtd_accel_pasid_cache_sync(IntelIOMMUState *s, unsigned granularity,
                                uint16_t did, uint32_t pasid)
{
    VTDAccelState *a = s->accel_state;
    GHashTableIter it;
    VTDHostIOMMUDevice *vhiod;

    if (!a || !s->fsts || !s->root_scalable) {
        return;
    }
    trace_vtd_pasid_cache_sync(granularity, did, pasid);
    g_hash_table_iter_init(&it, a->devices);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&vhiod)) {
        vtd_pc_sync_device(s, vhiod, granularity, did, pasid);
    }
}

/* ------------------------------------------------------------------ */
/* PASID-based IOTLB invalidation to the host                          */

static void vtd_pce_invalidate(VTDPASIDCacheEntry *pce, uint64_t addr,
                               uint64_t npages, bool leaf)
{
    HostIOMMUDevice *hiod = pce->vhiod->hiod;
    struct iommu_hwpt_vtd_s1_invalidate inv = {
        .addr = addr,
        .npages = npages,
        .flags = leaf ? IOMMU_VTD_INV_FLAGS_LEAF : 0,
    };
    uint32_t n = 1;
    g_autoptr(Error) err = NULL;

    trace_vtd_piotlb_host_inv(hiod->name, pce->pasid, pce->hwpt->id, addr,
                              npages, leaf);
    if (!iommufd_backend_invalidate_cache(hiod->iommufd, pce->hwpt->id,
                                          IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
                                          sizeof(inv), &n, &inv, &err) ||
        n != 1) {
        error_report_once("intel-iommu: %s PASID %u: IOTLB invalidation "
                          "not done (%u of 1 consumed)%s%s", hiod->name,
                          pce->pasid, n, err ? ": " : "",
                          err ? error_get_pretty(err) : "");
    }
}

void vtd_accel_flush_piotlb(IntelIOMMUState *s, bool match_did, uint16_t did,
                            bool match_pasid, uint32_t pasid, uint64_t addr,
                            uint64_t npages, bool leaf)
{
    VTDAccelState *a = s->accel_state;
    GHashTableIter it;
    VTDPASIDCacheEntry *pce;

    if (!a) {
        return;
    }
    if (match_pasid) {
        VTDHostIOMMUDevice *vhiod;

        g_hash_table_iter_init(&it, a->devices);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&vhiod)) {
            pce = g_hash_table_lookup(vhiod->pasids, GUINT_TO_POINTER(pasid));
            if (pce && pce->hwpt &&
                (!match_did || VTD_PE_DID(pce->pe.qw[1]) == did)) {
                vtd_pce_invalidate(pce, addr, npages, leaf);
            }
        }
        return;
    }
    VTD_ROUTES_FOREACH(a, r) {
        if (r->pce->hwpt &&
            (!match_did || VTD_PE_DID(r->pce->pe.qw[1]) == did)) {
            vtd_pce_invalidate(r->pce, addr, npages, leaf);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Passthrough devices                                                 */

/*
 * One iommufd backend per vIOMMU, as arm-smmuv3 requires: each backend
 * numbers its devices from 1, and one FAULTQ (of one backend) carries
 * the page requests of every device, routed by the backend's dev_id.
 * A second backend's device is refused at plug time.
 */
static bool vtd_check_one_backend(IntelIOMMUState *s, HostIOMMUDevice *hiod,
                                  Error **errp)
{
    GHashTableIter it;
    VTDHostIOMMUDevice *other;

    g_hash_table_iter_init(&it, s->accel_state->devices);
    if (g_hash_table_iter_next(&it, NULL, (gpointer *)&other) &&
        other->hiod->iommufd != hiod->iommufd) {
        g_autofree char *mine = object_get_canonical_path(
                                    OBJECT(hiod->iommufd));
        g_autofree char *theirs = object_get_canonical_path(
                                    OBJECT(other->hiod->iommufd));

        error_setg(errp, "intel-iommu: every passthrough device must use "
                   "the same iommufd object: this one uses %s, %s uses %s",
                   mine, other->hiod->name, theirs);
        return false;
    }
    return true;
}

static bool vtd_check_hiod(IntelIOMMUState *s, HostIOMMUDevice *hiod,
                           Error **errp)
{
    uint64_t host_cap = hiod->caps.vendor.vtd.cap_reg;
    uint64_t host_ecap = hiod->caps.vendor.vtd.ecap_reg;

    if (!s->fsts) {
        error_setg(errp, "passthrough devices need fsts=on (x-flts): this "
                   "intel-iommu does not shadow guest page tables");
        return false;
    }
    if (!object_dynamic_cast(OBJECT(hiod), TYPE_HOST_IOMMU_DEVICE_IOMMUFD) ||
        !hiod->iommufd) {
        error_setg(errp, "fsts=on needs an iommufd backend");
        return false;
    }
    if (!vtd_check_one_backend(s, hiod, errp)) {
        return false;
    }
    if (hiod->caps.type != IOMMU_HW_INFO_TYPE_INTEL_VTD) {
        error_setg(errp, "the host IOMMU is not Intel VT-d (hw info type "
                   "%u)", hiod->caps.type);
        return false;
    }
    if (!(host_ecap & VTD_ECAP_NEST) || !hiod->nest_parent_id) {
        error_setg(errp, "the host IOMMU does not support nested "
                   "translation (ECAP.NEST=0), which fsts=on needs");
        return false;
    }
    if (s->fs1gp && !(host_cap & VTD_CAP_FS1GP)) {
        error_setg(errp, "the host IOMMU lacks first-stage 1GiB pages "
                   "(CAP.FS1GP); use fs1gp=off");
        return false;
    }
    if (s->pasid_bits && hiod->caps.max_pasid_log2 &&
        s->pasid_bits > hiod->caps.max_pasid_log2) {
        error_setg(errp, "pasid-bits=%u is wider than the host's %u bits "
                   "for this device", s->pasid_bits,
                   hiod->caps.max_pasid_log2);
        return false;
    }
    return true;
}

/*
 * A page-request group of a device is at most its PRI Outstanding Page
 * Request Capacity: let the FAULTQ read buffer grow that far, so that
 * any group fits (the kernel copies whole groups only).
 */
static void vtd_size_fault_buffer(VTDAccelState *a, PCIBus *bus, int devfn)
{
    PCIDevice *pdev = bus->devices[devfn];
    uint16_t pos = pdev ? pcie_find_capability(pdev, PCI_EXT_CAP_ID_PRI) : 0;
    uint32_t cap;

    if (!pos) {
        return;
    }
    cap = MIN(pci_get_long(pdev->config + pos + PCI_PRI_MAX_REQ),
              VTD_FAULT_BATCH_MAX);
    trace_vtd_prq_pri_capacity(pci_bus_num(bus), devfn, cap);
    iommufd_eventq_set_buf_max(&a->evq, (size_t)cap * VTD_FAULT_REC_SIZE);
}

static bool vtd_accel_set_iommu_device_unguarded(IntelIOMMUState *s,
                                                 PCIBus *bus, int devfn,
                                                 HostIOMMUDevice *hiod,
                                                 Error **errp)
{
    VTDAccelState *a = s->accel_state;
    VTDDevKey key = { .bus = bus, .devfn = devfn };
    VTDHostIOMMUDevice *vhiod;

    if (g_hash_table_contains(a->devices, &key)) {
        error_setg(errp, "a host IOMMU device is already set at %s %02x.%x",
                   bus->qbus.name, PCI_SLOT(devfn), PCI_FUNC(devfn));
        return false;
    }
    if (!vtd_check_hiod(s, hiod, errp)) {
        return false;
    }
    vhiod = g_new0(VTDHostIOMMUDevice, 1);
    vhiod->key = key;
    vhiod->hiod = hiod;
    object_ref(hiod);
    vhiod->pasids = g_hash_table_new(NULL, NULL);
    vhiod->undetached = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    g_hash_table_insert(a->devices, &vhiod->key, vhiod);
    vtd_size_fault_buffer(a, bus, devfn);
    trace_vtd_set_iommu_device(hiod->name, vtd_vhiod_rid(vhiod), hiod->devid,
                               hiod->caps.max_pasid_log2);
    /* Tables the guest set up before the device appeared. */
    vtd_pc_sync_device(s, vhiod, VTD_PC_G_GLOBAL, 0, 0);
    return true;
}

bool vtd_accel_set_iommu_device(IntelIOMMUState *s, PCIBus *bus, int devfn,
                                HostIOMMUDevice *hiod, Error **errp)
{
    bool was = qemu_guard_engage(&DEVICE(s)->engaged_in_io);
    bool ret = vtd_accel_set_iommu_device_unguarded(s, bus, devfn, hiod,
                                                    errp);

    qemu_guard_restore(&DEVICE(s)->engaged_in_io, was);
    return ret;
}

static void vtd_vhiod_unbind_all(IntelIOMMUState *s,
                                 VTDHostIOMMUDevice *vhiod)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GHashTableIter it;
    VTDPASIDCacheEntry *pce, *rid = NULL;

    g_hash_table_iter_init(&it, vhiod->pasids);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&pce)) {
        if (pce->pasid == IOMMU_NO_PASID) {
            rid = pce;
        } else {
            g_ptr_array_add(all, pce);
        }
    }
    /* Other PASIDs first: the RID domain must stay PASID-compatible. */
    for (unsigned i = 0; i < all->len; i++) {
        vtd_pce_remove(s, g_ptr_array_index(all, i));
    }
    if (rid) {
        vtd_pce_remove(s, rid);
    }
}

/*
 * The device goes away (unplug, finalize): retry its refused detaches
 * once more.  HWPTs still refused are let go of: the
 * kernel refuses to destroy them until the device is unbound from the
 * iommufd (which detaches everything), so they wait on a->doomed for the
 * bottom half.
 */
static void vtd_vhiod_drop_undetached(IntelIOMMUState *s,
                                 VTDHostIOMMUDevice *vhiod)
{
    g_autoptr(GPtrArray) left = g_ptr_array_new();

    vtd_undetached_retry_all(s, vhiod, left);
    for (unsigned i = 0; i < left->len; i++) {
        VTDRefusedDetach *ud = g_ptr_array_index(left, i);

        trace_vtd_pasid_detach_given_up(vhiod->hiod->name, ud->pasid,
                                        vtd_hobj_id(ud->hwpt));
        vtd_undetached_release(s, vhiod, ud);
    }
}

/* Forget a device whose bindings and refused detaches are gone. */
static void vtd_vhiod_free(VTDHostIOMMUDevice *vhiod)
{
    g_hash_table_unref(vhiod->pasids);
    g_hash_table_unref(vhiod->undetached);
    object_unref(vhiod->hiod);
    g_free(vhiod);
}

static void vtd_accel_unset_iommu_device_unguarded(IntelIOMMUState *s,
                                                   PCIBus *bus, int devfn)
{
    VTDAccelState *a = s->accel_state;
    VTDDevKey key = { .bus = bus, .devfn = devfn };
    VTDHostIOMMUDevice *vhiod = a ? g_hash_table_lookup(a->devices, &key)
                                  : NULL;

    if (!vhiod) {
        return;
    }
    trace_vtd_unset_iommu_device(vhiod->hiod->name, vtd_vhiod_rid(vhiod));
    vtd_vhiod_unbind_all(s, vhiod);
    vtd_vhiod_drop_undetached(s, vhiod);
    g_hash_table_remove(a->devices, &key);
    vtd_vhiod_free(vhiod);
}

void vtd_accel_unset_iommu_device(IntelIOMMUState *s, PCIBus *bus, int devfn)
{
    bool was = qemu_guard_engage(&DEVICE(s)->engaged_in_io);

    vtd_accel_unset_iommu_device_unguarded(s, bus, devfn);
    qemu_guard_restore(&DEVICE(s)->engaged_in_io, was);
}

static void vtd_accel_reset_unguarded(IntelIOMMUState *s)
{
    VTDAccelState *a = s->accel_state;
    GHashTableIter it;
    VTDHostIOMMUDevice *vhiod;

    if (!a) {
        return;
    }
    vtd_resp_flush(s);
    g_hash_table_iter_init(&it, a->devices);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&vhiod)) {
        vtd_vhiod_unbind_all(s, vhiod);
        /* Still refused: kept, tried again at the next opportunity. */
        vtd_undetached_retry_all(s, vhiod, NULL);
    }
    vtd_hobj_retry_doomed(s, false);
}

void vtd_accel_reset(IntelIOMMUState *s)
{
    bool was = qemu_guard_engage(&DEVICE(s)->engaged_in_io);

    vtd_accel_reset_unguarded(s);
    qemu_guard_restore(&DEVICE(s)->engaged_in_io, was);
}

void vtd_accel_init(IntelIOMMUState *s)
{
    VTDAccelState *a = g_new0(VTDAccelState, 1);

    a->devices = g_hash_table_new(vtd_dev_key_hash, vtd_dev_key_equal);
    vtd_route_resize(a, VTD_ROUTE_BITS_MIN);
    iommufd_eventq_init(&a->evq, "intel-iommu: FAULTQ",
                        "intel-iommu: FAULTQ unusable",
                        "page requests of passthrough devices are no "
                        "longer delivered", &vtd_faultq_ops, s,
                        &DEVICE(s)->engaged_in_io, VTD_FAULT_REC_SIZE,
                        VTD_FAULT_BATCH_MIN * VTD_FAULT_REC_SIZE,
                        VTD_FAULT_BATCH_MIN * VTD_FAULT_REC_SIZE,
                        VTD_FAULT_READS_PER_RUN);
    a->doomed = g_ptr_array_new();
    a->doomed_bh = qemu_bh_new_guarded(vtd_hobj_doomed_bh, s,
                                       &DEVICE(s)->engaged_in_io);
    a->free_groups = NULL;
    a->chunks = g_array_new(FALSE, FALSE, sizeof(VTDGroupChunk));
    vtd_group_hash_resize(a);
    s->accel_state = a;
}

void vtd_accel_finalize(IntelIOMMUState *s)
{
    VTDAccelState *a = s->accel_state;
    GHashTableIter it;
    VTDHostIOMMUDevice *vhiod;

    if (!a) {
        return;
    }
    /*
     * Passthrough devices normally went first; drop what is left.  From
     * here on nothing waits to be destroyed: what the kernel refuses
     * now, closing the iommufd frees.
     */
    a->finalizing = true;
    qemu_bh_delete(a->doomed_bh);
    g_hash_table_iter_init(&it, a->devices);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&vhiod)) {
        vtd_vhiod_unbind_all(s, vhiod);
        vtd_vhiod_drop_undetached(s, vhiod);
        vtd_vhiod_free(vhiod);
    }
    vtd_resp_flush(s);
    vtd_faultq_close(s);
    iommufd_eventq_cleanup(&a->evq);
    vtd_hobj_retry_doomed(s, true);
    g_ptr_array_unref(a->doomed);
    g_hash_table_unref(a->devices);
    g_free(a->routes);
    for (guint c = 0; c < a->chunks->len; c++) {
        g_free(g_array_index(a->chunks, VTDGroupChunk, c).groups);
    }
    g_array_unref(a->chunks);
    g_free(a->buckets);
    g_free(a);
    s->accel_state = NULL;
}
