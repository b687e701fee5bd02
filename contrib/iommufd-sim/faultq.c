/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FAULT objects and their fd (IOMMU_FAULT_QUEUE_ALLOC).
 *
 * Behaviour of drivers/iommu/iommufd/eventq.c (fault.c before 6.15) and of
 * the iommu core's page-request grouping (drivers/iommu/io-pgfault.c):
 *
 *  - a request is routed first; with no fault-capable domain for it the
 *    core answers it INVALID at once, even when it doesn't end its group;
 *  - requests without LAST_PAGE are parked per device; the LAST_PAGE request
 *    completes a group with every parked request of the same grpid, in
 *    arrival order, and the group is routed by the last request's PASID;
 *  - read(): count must be a multiple of 40 (else ESPIPE); only whole
 *    groups are copied; reading stops at the first group that does not fit;
 *    if even the first one doesn't, 7.2 fails with EINVAL while 6.11..7.1
 *    return 0 (the "kernel" config key picks); an empty queue reads 0;
 *    read never blocks;
 *  - a group gets its cookie when it is read (lowest free, from 1); all its
 *    records carry it;
 *  - write(): count must be a multiple of 8 (else ESPIPE); responses are
 *    processed in order; a code other than SUCCESS/INVALID or an unknown
 *    cookie stops with EINVAL; the return is the bytes consumed if any
 *    response was processed, else the error;
 *  - groups of an attachment still pending (unread or unanswered) when it
 *    goes away are answered INVALID by the kernel; so are all groups left
 *    when the FAULT object is destroyed.  Closing the fd alone does not.
 */
#include <errno.h>
#include <sys/uio.h>

#include "sim-internal.h"

#define REC_SIZE sizeof(struct iommu_hwpt_pgfault)
#define RESP_SIZE sizeof(struct iommu_hwpt_page_response)

static void fault_update_ready(struct sim_fault *fault)
{
    if (!fault->fd_open) {
        return; /* the number may already belong to someone else */
    }
    sim_eventfd_set(fault->fd, &fault->ready,
                    fault->hung || !g_queue_is_empty(&fault->deliver) ||
                        sim_inject_raw_pending(SIM_QUEUE_FAULT));
}

/* Raw bytes were injected or consumed: every FAULT fd follows. */
void sim_fault_refresh_ready(void)
{
    for (unsigned int i = 0; i < sim.faults->len; i++) {
        fault_update_ready(g_ptr_array_index(sim.faults, i));
    }
}

static void group_free(struct sim_fault_group *group)
{
    g_array_unref(group->recs);
    g_free(group);
}

static void group_respond(struct sim_fault_group *group, uint32_t code,
                          bool automatic)
{
    struct sim_dma *dma = group->dma;

    sim_log_response(group, code, automatic);
    if (automatic) {
        sim.stats.fault_groups_auto++;
    } else {
        sim.stats.fault_groups_answered++;
    }
    if (dma) {
        group->dma = NULL;
        dma->group = NULL;
        sim_dma_answered(dma, code);
    }
    group_free(group);
}

int sim_fault_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_fault_alloc *cmd = ucmd->cmd;
    struct sim_fault *fault;
    int rc;

    if (cmd->flags) {
        return -EOPNOTSUPP;
    }
    fault = sim_obj_alloc(ucmd->ictx, SIM_OBJ_FAULT, sizeof(*fault));
    fault->fd = sim_eventfd_new();
    if (fault->fd < 0) {
        rc = -errno;
        goto err_free;
    }
    g_queue_init(&fault->deliver);
    fault->response = g_hash_table_new(NULL, NULL);
    fault->cookie_hint = 1;
    sim_obj_insert(&fault->obj);

    /* the open fd pins the FAULT object and the iommufd context */
    fault->fd_open = true;
    fault->obj.users++;
    sim_ictx_get(ucmd->ictx);
    sim_file_add(fault->fd, SIM_FILE_FAULT, fault);
    g_ptr_array_add(sim.faults, fault);

    cmd->out_fault_id = fault->obj.id;
    cmd->out_fault_fd = fault->fd;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        goto err_uninstall;
    }
    return 0;

err_uninstall:
    /* as if the caller had closed the fd, then destroyed the object */
    g_hash_table_remove(sim.files, GINT_TO_POINTER(fault->fd));
    sim_libc.close(fault->fd);
    fault->obj.users--;
    fault->fd_open = false;
    sim_obj_destroy(&fault->obj);
    sim_ictx_put(ucmd->ictx);
    return rc;
err_free:
    sim_obj_abort(&fault->obj);
    return rc;
}

void sim_fault_fd_closed(struct sim_fault *fault)
{
    struct sim_ictx *ictx = fault->obj.ictx;

    fault->fd_open = false;
    fault->fd = -1;
    fault->ready = false;
    fault->obj.users--;
    sim_ictx_put(ictx); /* may destroy the fault itself */
}

static bool group_matches(struct sim_fault_group *g, struct sim_idev *idev,
                          uint32_t key, struct sim_hwpt *hwpt)
{
    return !idev || (g->idev == idev && g->key == key && g->hwpt == hwpt);
}

/* Answer INVALID every pending group of (idev, key, hwpt); all if !idev */
void sim_fault_auto_respond(struct sim_fault *fault, struct sim_idev *idev,
                            uint32_t key, struct sim_hwpt *hwpt)
{
    g_autoptr(GPtrArray) hit = g_ptr_array_new();
    struct sim_fault_group *g;
    GHashTableIter it;
    GList *l, *next;

    for (l = fault->deliver.head; l; l = next) {
        next = l->next;
        g = l->data;
        if (group_matches(g, idev, key, hwpt)) {
            g_queue_delete_link(&fault->deliver, l);
            g_ptr_array_add(hit, g);
        }
    }
    g_hash_table_iter_init(&it, fault->response);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&g)) {
        if (group_matches(g, idev, key, hwpt)) {
            g_hash_table_iter_remove(&it);
            if (g->cookie < fault->cookie_hint) {
                fault->cookie_hint = g->cookie;
            }
            g_ptr_array_add(hit, g);
        }
    }
    /* collected first: answering may start new DMA on this queue */
    for (unsigned int i = 0; i < hit->len; i++) {
        group_respond(g_ptr_array_index(hit, i), IOMMUFD_PAGE_RESP_INVALID,
                      true);
    }
    fault_update_ready(fault);
}

void sim_fault_release(struct sim_fault *fault)
{
    sim_fault_auto_respond(fault, NULL, 0, NULL);
    g_hash_table_unref(fault->response);
    g_ptr_array_remove_fast(sim.faults, fault);
    g_free(fault);
}

void sim_fault_hangup(struct sim_fault *fault)
{
    fault->hung = true;
    fault_update_ready(fault);
}

/* ---- producer ---- */

/*
 * Which attachment handles a request: the PASID's domain, or the RID's.
 * SMMUv3 keeps the guest's CD (PASID) table inside the nested STE, so a
 * PASID request with no PASID attachment falls back to a nested RID domain.
 */
static struct sim_hwpt *route(struct sim_idev *idev,
                              const struct iommu_hwpt_pgfault *last,
                              uint32_t *key)
{
    struct sim_hwpt *hwpt;

    *key = SIM_KEY_RID;
    if (!(last->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) ||
        last->pasid == SIM_KEY_RID) {
        return idev->rid_hwpt;
    }
    hwpt = sim_idev_domain(idev, last->pasid);
    if (hwpt) {
        *key = last->pasid;
        return hwpt;
    }
    if ((sim.cfg.iommu.type == SIM_IOMMU_SMMUV3 || idev->mock) &&
        idev->rid_hwpt && idev->rid_hwpt->obj.type == SIM_OBJ_HWPT_NESTED) {
        return idev->rid_hwpt;
    }
    return NULL;
}

static struct sim_fault_group *group_collect(
    struct sim_idev *idev, const struct iommu_hwpt_pgfault *last)
{
    struct sim_fault_group *group = g_new0(struct sim_fault_group, 1);

    group->idev = idev;
    group->recs = g_array_new(FALSE, FALSE, REC_SIZE);
    for (unsigned int i = 0; i < idev->partial->len;) {
        struct iommu_hwpt_pgfault *p = g_ptr_array_index(idev->partial, i);

        if (p->grpid == last->grpid) {
            g_array_append_vals(group->recs, p, 1);
            g_ptr_array_remove_index(idev->partial, i);
        } else {
            i++;
        }
    }
    g_array_append_vals(group->recs, last, 1);
    return group;
}

int sim_fault_report(struct sim_idev *idev,
                     const struct iommu_hwpt_pgfault *rec, struct sim_dma *dma)
{
    struct sim_fault_group *group;
    struct sim_hwpt *hwpt;

    uint32_t key;

    sim.stats.fault_records++;
    /*
     * Routed before grouping (io-pgfault.c, find_fault_handler()): even
     * a request that doesn't end its group is answered INVALID at once
     * when no fault-capable domain would take it.
     */
    hwpt = route(idev, rec, &key);
    if (!(rec->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) && hwpt && hwpt->fault) {
        g_ptr_array_add(idev->partial, g_memdup2(rec, REC_SIZE));
        return 0;
    }
    if (!(rec->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE)) {
        group = g_new0(struct sim_fault_group, 1);
        group->idev = idev;
        group->recs = g_array_new(FALSE, FALSE, REC_SIZE);
        g_array_append_vals(group->recs, rec, 1);
    } else {
        group = group_collect(idev, rec);
    }
    group->key = key;
    if (!hwpt || !hwpt->fault) {
        /* no IOPF handler: the core answers the device itself */
        sim.stats.fault_groups_dropped++;
        sim_log_response(group, IOMMUFD_PAGE_RESP_INVALID, true);
        group_free(group);
        return -EOPNOTSUPP;
    }
    group->hwpt = hwpt;
    group->dma = dma;
    if (dma) {
        dma->group = group;
    }
    sim.stats.fault_groups++;
    g_queue_push_tail(&hwpt->fault->deliver, group);
    fault_update_ready(hwpt->fault);
    return 0;
}

/* ---- fd side ---- */

/* Lowest free cookie from @from on; committed only once delivered */
static uint32_t next_cookie(struct sim_fault *fault, uint32_t from)
{
    uint32_t c = from;

    while (g_hash_table_contains(fault->response, GUINT_TO_POINTER(c))) {
        c++;
    }
    return c;
}

/* The first group in line reached the reader with @cookie */
static void group_delivered(struct sim_fault *fault, uint32_t cookie)
{
    struct sim_fault_group *g = g_queue_pop_head(&fault->deliver);

    g->cookie = cookie;
    g_hash_table_insert(fault->response, GUINT_TO_POINTER(cookie), g);
    fault->cookie_hint = cookie + 1;
    sim.stats.fault_groups_read++;
}

/* Groups staged per copy: one copy_to_user for up to this many. */
#define READ_STAGE 256

ssize_t sim_fault_read(struct sim_fault *fault, uint64_t buf, size_t count)
{
    struct iovec iov[READ_STAGE];
    uint32_t cookies[READ_STAGE];
    struct sim_fault_group *g;
    size_t done = 0;
    int rc = 0;

    if (fault->hung) {
        return -EBADF;
    }
    if (count % REC_SIZE) {
        return -ESPIPE;
    }
    if (sim_inject_raw_pending(SIM_QUEUE_FAULT)) {
        return sim_inject_raw_take(SIM_QUEUE_FAULT, buf, count);
    }
    /*
     * Stage whole groups in line while they fit, giving each the cookie
     * it will have (the lowest free, in order), then copy them out in
     * one go and only then take them off the queue.
     */
    for (;;) {
        uint32_t cookie = fault->cookie_hint;
        size_t staged = 0;
        unsigned int n = 0;
        GList *l;

        for (l = fault->deliver.head; l && n < READ_STAGE; l = l->next) {
            size_t len;

            g = l->data;
            len = g->recs->len * REC_SIZE;
            if (count - done - staged < len) {
                /* 7.2: a first group that can't fit is an error */
                if (!done && !n && sim_kernel_read_einval()) {
                    rc = -EINVAL;
                }
                break;
            }
            cookie = next_cookie(fault, n ? cookie + 1 : cookie);
            for (unsigned int i = 0; i < g->recs->len; i++) {
                g_array_index(g->recs, struct iommu_hwpt_pgfault, i).cookie =
                    cookie;
            }
            cookies[n] = cookie;
            iov[n].iov_base = g->recs->data;
            iov[n].iov_len = len;
            staged += len;
            n++;
        }
        if (!n) {
            break;
        }
        rc = sim_copy_iov_to_user(buf + done, iov, n);
        for (unsigned int i = 0; i < n; i++) {
            /* a bad address somewhere: group by group, to find it */
            if (rc &&
                sim_copy_to_user(buf + done, iov[i].iov_base, iov[i].iov_len)) {
                break; /* the group stays first in line */
            }
            group_delivered(fault, cookies[i]);
            done += iov[i].iov_len;
        }
        if (rc || n < READ_STAGE) {
            break;
        }
    }
    fault_update_ready(fault);
    return done ? (ssize_t)done : rc;
}

ssize_t sim_fault_write(struct sim_fault *fault, uint64_t buf, size_t count)
{
    struct iommu_hwpt_page_response resp[READ_STAGE];
    struct sim_fault_group *g;
    size_t done = 0, got = 0, at = 0;
    int rc = 0;

    if (fault->hung) {
        return -EBADF;
    }
    if (count % RESP_SIZE) {
        return -ESPIPE;
    }
    for (; done < count; done += RESP_SIZE, at++) {
        /*
         * One copy_from_user per chunk of responses; if the chunk has a
         * bad address in it, fetch them one by one up to that point.
         */
        if (at == got) {
            size_t n = MIN(count - done, sizeof(resp));

            at = 0;
            got = n / RESP_SIZE;
            if (sim_copy_from_user(resp, buf + done, n)) {
                got = 1;
                rc = sim_copy_from_user(resp, buf + done, RESP_SIZE);
                if (rc) {
                    break;
                }
            }
        }
        if (resp[at].code != IOMMUFD_PAGE_RESP_SUCCESS &&
            resp[at].code != IOMMUFD_PAGE_RESP_INVALID) {
            rc = -EINVAL;
            break;
        }
        g = g_hash_table_lookup(fault->response,
                                GUINT_TO_POINTER(resp[at].cookie));
        if (!g) {
            rc = -EINVAL;
            break;
        }
        g_hash_table_remove(fault->response, GUINT_TO_POINTER(resp[at].cookie));
        if (resp[at].cookie < fault->cookie_hint) {
            fault->cookie_hint = resp[at].cookie;
        }
        group_respond(g, resp[at].code, false);
    }
    return done ? (ssize_t)done : rc;
}
