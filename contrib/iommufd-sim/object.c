/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommufd contexts and their objects.
 *
 * As in the kernel, all object kinds of one /dev/iommu open share one id
 * space that hands out the lowest free id starting at 1 (ids are reused
 * after destruction).  "users" counts long-term references (attachments,
 * child objects, open queue fds); IOMMU_DESTROY refuses with EBUSY while it
 * is non-zero.  The context itself lives until the /dev/iommu fd, every
 * queue fd and every bound VFIO device are gone, then everything in it is
 * torn down (drivers/iommu/iommufd/main.c: iommufd_fops_release()).
 */
#include <errno.h>

#include "sim-internal.h"

static const char *const type_names[SIM_OBJ_NR] = {
    [SIM_OBJ_IOAS] = "ioas",
    [SIM_OBJ_HWPT_PAGING] = "hwpt_paging",
    [SIM_OBJ_HWPT_NESTED] = "hwpt_nested",
    [SIM_OBJ_DEVICE] = "device",
    [SIM_OBJ_FAULT] = "fault",
    [SIM_OBJ_VIOMMU] = "viommu",
    [SIM_OBJ_VDEVICE] = "vdevice",
    [SIM_OBJ_VEVENTQ] = "veventq",
    [SIM_OBJ_SELFTEST] = "selftest",
    [SIM_OBJ_HW_QUEUE] = "hw_queue",
    [SIM_OBJ_LEAKED] = "leaked",
};

const char *sim_obj_type_name(enum sim_obj_type type)
{
    return type < SIM_OBJ_NR ? type_names[type] : "?";
}

struct sim_ictx *sim_ictx_new(void)
{
    struct sim_ictx *ictx = g_new0(struct sim_ictx, 1);

    ictx->refs = 1;
    ictx->objs = g_hash_table_new(NULL, NULL);
    ictx->id_hint = 1;
    return ictx;
}

void sim_ictx_get(struct sim_ictx *ictx)
{
    ictx->refs++;
}

static GArray *snapshot_ids(struct sim_ictx *ictx)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, ictx->objs);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        uint32_t id = GPOINTER_TO_UINT(key);

        g_array_append_val(ids, id);
    }
    return ids;
}

/* One pass destroying every object nobody references any more */
static bool teardown_pass(struct sim_ictx *ictx)
{
    g_autoptr(GArray) ids = snapshot_ids(ictx);
    bool progress = false;

    for (unsigned int i = 0; i < ids->len; i++) {
        struct sim_obj *obj = g_hash_table_lookup(
            ictx->objs, GUINT_TO_POINTER(g_array_index(ids, uint32_t, i)));

        if (obj && !obj->users) {
            sim_obj_destroy(obj);
            progress = true;
        }
    }
    return progress;
}

void sim_ictx_put(struct sim_ictx *ictx)
{
    if (--ictx->refs) {
        return;
    }
    /* children first: each pass frees what the previous one released */
    while (g_hash_table_size(ictx->objs) && teardown_pass(ictx)) {
    }
    if (g_hash_table_size(ictx->objs)) {
        g_printerr("iommufd-sim: %u objects left at context teardown\n",
                   g_hash_table_size(ictx->objs));
    }
    g_hash_table_unref(ictx->objs);
    g_free(ictx);
}

void *sim_obj_alloc(struct sim_ictx *ictx, enum sim_obj_type type, size_t size)
{
    struct sim_obj *obj = g_malloc0(size);

    obj->type = type;
    obj->ictx = ictx;
    return obj;
}

/* Make a fully built object visible under the lowest free id */
void sim_obj_insert(struct sim_obj *obj)
{
    struct sim_ictx *ictx = obj->ictx;

    while (g_hash_table_contains(ictx->objs, GUINT_TO_POINTER(ictx->id_hint))) {
        ictx->id_hint++;
    }
    obj->id = ictx->id_hint++;
    g_hash_table_insert(ictx->objs, GUINT_TO_POINTER(obj->id), obj);
    sim.stats.live[obj->type]++;
}

/* Free an object that failed before sim_obj_insert() */
void sim_obj_abort(struct sim_obj *obj)
{
    g_free(obj);
}

static void obj_unlink(struct sim_obj *obj)
{
    struct sim_ictx *ictx = obj->ictx;

    g_hash_table_remove(ictx->objs, GUINT_TO_POINTER(obj->id));
    if (obj->id < ictx->id_hint) {
        ictx->id_hint = obj->id;
    }
    sim.stats.live[obj->type]--;
}

struct sim_obj *sim_obj_lookup(struct sim_ictx *ictx, uint32_t id)
{
    struct sim_obj *obj = g_hash_table_lookup(ictx->objs, GUINT_TO_POINTER(id));

    if (!obj || obj->type == SIM_OBJ_LEAKED) {
        return NULL;
    }
    return obj;
}

void *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type t)
{
    struct sim_obj *obj = sim_obj_lookup(ictx, id);

    return obj && obj->type == t ? obj : NULL;
}

void sim_obj_destroy(struct sim_obj *obj)
{
    obj_unlink(obj);
    switch (obj->type) {
    case SIM_OBJ_IOAS:
        sim_ioas_free((struct sim_ioas *)obj);
        break;
    case SIM_OBJ_HWPT_PAGING:
    case SIM_OBJ_HWPT_NESTED:
        sim_hwpt_release((struct sim_hwpt *)obj);
        break;
    case SIM_OBJ_FAULT:
        sim_fault_release((struct sim_fault *)obj);
        break;
    case SIM_OBJ_VIOMMU:
        sim_viommu_release((struct sim_viommu *)obj);
        break;
    case SIM_OBJ_VDEVICE:
        sim_vdevice_release((struct sim_vdevice *)obj);
        break;
    case SIM_OBJ_VEVENTQ:
        sim_veventq_release((struct sim_veventq *)obj);
        break;
    case SIM_OBJ_SELFTEST:
        sim_mock_release((struct sim_mock_dev *)obj);
        break;
    case SIM_OBJ_HW_QUEUE:
        sim_hw_queue_release((struct sim_hw_queue *)obj);
        break;
    case SIM_OBJ_DEVICE: /* only through unbind, see device.c */
    case SIM_OBJ_LEAKED:
    case SIM_OBJ_NR:
        g_free(obj);
        break;
    }
}

/* IOMMU_DESTROY */
int sim_obj_destroy_user(struct sim_ictx *ictx, uint32_t id)
{
    struct sim_obj *obj = sim_obj_lookup(ictx, id);

    if (!obj) {
        return -ENOENT;
    }
    /* a device object belongs to its VFIO fd, never to the user */
    if (obj->type == SIM_OBJ_DEVICE || obj->users) {
        return -EBUSY;
    }
    sim_obj_destroy(obj);
    return 0;
}

/*
 * A vDEVICE still present when its VFIO device is unbound is destroyed by
 * force; its id stays allocated (and unusable) until the context goes.
 */
void sim_obj_leak_id(struct sim_obj *obj)
{
    struct sim_obj *ghost =
        sim_obj_alloc(obj->ictx, SIM_OBJ_LEAKED, sizeof(*ghost));
    uint32_t id = obj->id;

    sim_obj_destroy(obj);
    ghost->id = id;
    g_hash_table_insert(ghost->ictx->objs, GUINT_TO_POINTER(id), ghost);
    sim.stats.live[SIM_OBJ_LEAKED]++;
}
