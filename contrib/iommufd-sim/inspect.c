/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "hwpts": what a VMM built in the simulated kernel, in a form two VMMs
 * can be compared by.  Object ids differ between VMMs (they depend on the
 * order of allocations), so each nested HWPT is described by what it is:
 * its allocation flags without the fault flag, its driver data, and where
 * it is attached (device and RID or PASID); paging HWPTs by their flags
 * and attachments.  One line per HWPT, sorted, so equal text means equal
 * configurations:
 *
 *   nested flags=0x0 type=1 data=<hex of the driver data> at=BDF/pasid=1 id=5
 *   paging flags=0x1 auto=0 at=BDF/rid id=3
 *
 * The id comes last, so that a comparison can cut it off and still use
 * it to tell which HWPT an "invalidations" entry went to.
 */
#include <string.h>

#include "sim-internal.h"

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void append_attachments(GString *out, const struct sim_hwpt *hwpt)
{
    g_autoptr(GPtrArray) at = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer key, value;

    for (unsigned int i = 0; i < sim.cfg.pdevs->len; i++) {
        const struct sim_pdev *p = g_ptr_array_index(sim.cfg.pdevs, i);
        const struct sim_idev *idev = p->idev;

        if (!idev) {
            continue;
        }
        if (idev->rid_hwpt == hwpt) {
            g_ptr_array_add(at, g_strdup_printf("%s/rid", p->bdf));
        }
        g_hash_table_iter_init(&it, idev->pasids);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            if (value == hwpt) {
                g_ptr_array_add(at, g_strdup_printf("%s/pasid=%u", p->bdf,
                                                    GPOINTER_TO_UINT(key)));
            }
        }
    }
    g_ptr_array_sort(at, cmp_str);
    g_string_append(out, " at=");
    if (!at->len) {
        g_string_append(out, "-");
    }
    for (unsigned int i = 0; i < at->len; i++) {
        g_string_append_printf(out, "%s%s", i ? "," : "",
                               (const char *)at->pdata[i]);
    }
}

static char *describe(const struct sim_hwpt *hwpt)
{
    GString *out = g_string_new(NULL);
    uint32_t flags = hwpt->flags & ~IOMMU_HWPT_FAULT_ID_VALID;
    const uint8_t *data = (const uint8_t *)&hwpt->data;
    size_t len = 0;

    if (hwpt->obj.type == SIM_OBJ_HWPT_NESTED) {
        if (hwpt->data_type == IOMMU_HWPT_DATA_VTD_S1) {
            len = sizeof(hwpt->data.vtd);
        } else if (hwpt->data_type == IOMMU_HWPT_DATA_ARM_SMMUV3) {
            len = sizeof(hwpt->data.smmu);
        }
        g_string_append_printf(out, "nested flags=0x%x type=%u data=", flags,
                               hwpt->data_type);
        for (size_t i = 0; i < len; i++) {
            g_string_append_printf(out, "%02x", data[i]);
        }
        if (!len) {
            g_string_append(out, "-");
        }
    } else {
        g_string_append_printf(out, "paging flags=0x%x auto=%d", flags,
                               hwpt->auto_domain);
    }
    append_attachments(out, hwpt);
    g_string_append_printf(out, " id=%u", hwpt->obj.id);
    return g_string_free(out, FALSE);
}

char *sim_cmd_hwpts(char **argv, int argc)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    GString *out = g_string_new(NULL);

    sim_lock();
    sim_init_locked();
    if (sim.active) {
        g_autoptr(GList) files = g_hash_table_get_values(sim.files);

        for (GList *l = files; l; l = l->next) {
            struct sim_file *f = l->data;
            g_autoptr(GList) objs = NULL;

            if (f->kind != SIM_FILE_IOMMUFD) {
                continue;
            }
            objs = g_hash_table_get_values(f->ictx->objs);
            for (GList *o = objs; o; o = o->next) {
                struct sim_obj *obj = o->data;

                if (obj->type == SIM_OBJ_HWPT_NESTED ||
                    obj->type == SIM_OBJ_HWPT_PAGING) {
                    g_ptr_array_add(lines, describe((struct sim_hwpt *)obj));
                }
            }
        }
    }
    sim_unlock();
    g_ptr_array_sort(lines, cmp_str);
    for (unsigned int i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n", (const char *)lines->pdata[i]);
    }
    g_string_append_printf(out, "OK %u", lines->len);
    return g_string_free(out, FALSE);
}
