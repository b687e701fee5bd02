/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vEVENTQ objects and their fd (IOMMU_VEVENTQ_ALLOC).
 *
 * Behaviour of drivers/iommu/iommufd/eventq.c (6.15+):
 *
 *  - at most one queue per (vIOMMU, type); depth 1..2^19;
 *  - each record is an 8-byte header {flags, sequence} directly followed by
 *    the type's payload, no padding; sequence starts at 0, advances by one
 *    per appended node and wraps from INT_MAX to 0;
 *  - when depth real events are queued, a report appends (or moves to the
 *    tail, restamped) the single header-only LOST_EVENTS node; any later
 *    append first removes that node if it is still the tail, so the loss
 *    then only shows as a sequence gap;
 *  - read() copies whole records only, as many as fit; 0 when the queue is
 *    empty; when the first record doesn't fit (or count is below the 8-byte
 *    header) 7.2 fails with EINVAL, 6.11..7.1 return 0 (config "kernel");
 *    it never blocks; there is no write().
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>

#include "sim-internal.h"

#define HDR_SIZE sizeof(struct iommufd_vevent_header)

static void veventq_update_ready(struct sim_veventq *q)
{
    if (!q->fd_open) {
        return;
    }
    sim_eventfd_set(q->fd, &q->ready,
                    q->hung || !g_queue_is_empty(&q->events) ||
                        sim_inject_raw_pending(SIM_QUEUE_VEVENTQ));
}

/* Raw bytes were injected or consumed: every vEVENTQ fd follows. */
void sim_veventq_refresh_ready(void)
{
    for (unsigned int i = 0; i < sim.veventqs->len; i++) {
        veventq_update_ready(g_ptr_array_index(sim.veventqs, i));
    }
}

static struct sim_veventq *find_veventq(struct sim_viommu *viommu,
                                        uint32_t type)
{
    for (unsigned int i = 0; i < viommu->veventqs->len; i++) {
        struct sim_veventq *q = g_ptr_array_index(viommu->veventqs, i);

        if (q->type == type) {
            return q;
        }
    }
    return NULL;
}

int sim_veventq_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_veventq_alloc *cmd = ucmd->cmd;
    struct sim_viommu *viommu;
    struct sim_veventq *q;
    int rc;

    if (cmd->flags || cmd->__reserved ||
        cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    if (!cmd->veventq_depth || cmd->veventq_depth > SIM_VEVENTQ_MAX_DEPTH) {
        return -EINVAL;
    }
    viommu = sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
    if (!viommu) {
        return -ENOENT;
    }
    if (find_veventq(viommu, cmd->type)) {
        return -EEXIST;
    }

    q = sim_obj_alloc(ucmd->ictx, SIM_OBJ_VEVENTQ, sizeof(*q));
    q->fd = sim_eventfd_new();
    if (q->fd < 0) {
        rc = -errno;
        goto err_free;
    }
    q->viommu = viommu;
    q->type = cmd->type;
    q->depth = cmd->veventq_depth;
    g_queue_init(&q->events);
    sim_obj_insert(&q->obj);
    viommu->obj.users++;
    g_ptr_array_add(viommu->veventqs, q);
    g_ptr_array_add(sim.veventqs, q);

    q->fd_open = true;
    q->obj.users++;
    sim_ictx_get(ucmd->ictx);
    sim_file_add(q->fd, SIM_FILE_VEVENTQ, q);

    cmd->out_veventq_id = q->obj.id;
    cmd->out_veventq_fd = q->fd;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        goto err_uninstall;
    }
    return 0;

err_uninstall:
    g_hash_table_remove(sim.files, GINT_TO_POINTER(q->fd));
    sim_libc.close(q->fd);
    q->fd_open = false;
    q->obj.users--;
    sim_obj_destroy(&q->obj);
    sim_ictx_put(ucmd->ictx);
    return rc;
err_free:
    sim_obj_abort(&q->obj);
    return rc;
}

void sim_veventq_fd_closed(struct sim_veventq *q)
{
    struct sim_ictx *ictx = q->obj.ictx;

    q->fd_open = false;
    q->fd = -1;
    q->ready = false;
    q->obj.users--;
    sim_ictx_put(ictx);
}

void sim_veventq_release(struct sim_veventq *q)
{
    struct sim_vevent *ev;

    while ((ev = g_queue_pop_head(&q->events))) {
        if (ev != &q->lost) {
            g_free(ev);
        }
    }
    g_ptr_array_remove(q->viommu->veventqs, q);
    q->viommu->obj.users--;
    g_ptr_array_remove_fast(sim.veventqs, q);
    g_free(q);
}

void sim_veventq_hangup(struct sim_veventq *q)
{
    q->hung = true;
    veventq_update_ready(q);
}

static void veventq_append(struct sim_veventq *q, struct sim_vevent *ev)
{
    /*
     * A pending LOST marker is superseded by anything new (or moved to
     * the tail, restamped).  It can only be the tail: it is appended when
     * the queue is full, and the next append removes it.
     */
    if (q->events.tail && q->events.tail->data == &q->lost) {
        g_queue_delete_link(&q->events, q->events.tail);
    }
    g_queue_push_tail(&q->events, ev);
    ev->seq = q->sequence;
    q->sequence = (q->sequence + 1) & INT_MAX;
    veventq_update_ready(q);
}

/*
 * Report one event to the vIOMMU's queue of that type.  EOPNOTSUPP when
 * there is none (dropped, not counted); 0 when queued or lost to a full
 * queue.
 */
int sim_veventq_report(struct sim_viommu *viommu, uint32_t type,
                       const void *data, size_t len)
{
    struct sim_veventq *q = find_veventq(viommu, type);
    struct sim_vevent *ev;

    if (!q) {
        return -EOPNOTSUPP;
    }
    if (len > sizeof(ev->data)) {
        return -EINVAL;
    }
    if (q->num_events >= q->depth) {
        sim.stats.vevents_lost++;
        veventq_append(q, &q->lost);
        return 0;
    }
    ev = g_new0(struct sim_vevent, 1);
    ev->len = len;
    memcpy(ev->data, data, len);
    q->num_events++;
    sim.stats.vevents++;
    veventq_append(q, ev);
    return 0;
}

/* Records staged per copy: one copy_to_user for up to this many. */
#define READ_STAGE 256

ssize_t sim_veventq_read(struct sim_veventq *q, uint64_t buf, size_t count)
{
    struct iommufd_vevent_header hdr[READ_STAGE];
    struct iovec iov[2 * READ_STAGE];
    size_t done = 0;
    int rc = 0;

    if (q->hung) {
        return -EBADF;
    }
    /* 7.2: a read must at least hold one header */
    if (count < HDR_SIZE && sim_kernel_read_einval()) {
        return -EINVAL;
    }
    if (sim_inject_raw_pending(SIM_QUEUE_VEVENTQ)) {
        return sim_inject_raw_take(SIM_QUEUE_VEVENTQ, buf, count);
    }
    /*
     * Stage the whole records that fit (header and payload as two
     * pieces), copy them out in one go, and only then dequeue them.
     */
    for (;;) {
        unsigned int n = 0, pieces = 0;
        size_t staged = 0;
        GList *l;

        for (l = q->events.head; l && n < READ_STAGE; l = l->next) {
            struct sim_vevent *ev = l->data;
            bool lost = ev == &q->lost;
            size_t len = HDR_SIZE + (lost ? 0 : ev->len);

            if (count - done - staged < len) {
                /*
                 * 7.2: a first normal vEVENT that can't fit is
                 * an error (a lone LOST header always fits by
                 * then)
                 */
                if (!done && !n && !lost && sim_kernel_read_einval()) {
                    rc = -EINVAL;
                }
                break;
            }
            hdr[n] = (struct iommufd_vevent_header){
                .flags = lost ? IOMMU_VEVENTQ_FLAG_LOST_EVENTS : 0,
                .sequence = ev->seq,
            };
            iov[pieces++] = (struct iovec){&hdr[n], HDR_SIZE};
            if (!lost) {
                iov[pieces++] = (struct iovec){ev->data, ev->len};
            }
            staged += len;
            n++;
        }
        if (!n) {
            break;
        }
        rc = sim_copy_iov_to_user(buf + done, iov, pieces);
        for (unsigned int i = 0, p = 0; i < n; i++) {
            struct sim_vevent *ev = g_queue_peek_head(&q->events);
            bool lost = ev == &q->lost;
            unsigned int np = lost ? 1 : 2;

            /* a bad address somewhere: record by record */
            if (rc && sim_copy_iov_to_user(buf + done, &iov[p], np)) {
                break;
            }
            g_queue_pop_head(&q->events);
            if (!lost) {
                q->num_events--;
                g_free(ev);
            }
            sim.stats.vevents_read++;
            done += HDR_SIZE + (lost ? 0 : iov[p + 1].iov_len);
            p += np;
        }
        if (rc || n < READ_STAGE) {
            break;
        }
    }
    veventq_update_ready(q);
    return done ? (ssize_t)done : rc;
}
