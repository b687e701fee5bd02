/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration file ($IOMMUFD_SIM_CONFIG, a GKeyFile), the simulated sysfs
 * tree and the mapping from host paths to simulated objects.
 *
 * Values may carry a trailing "# comment", so the documented examples can be
 * pasted as they are; GKeyFile itself only knows whole-line comments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sim-internal.h"

/* VT-d CAP_REG / ECAP_REG bits used for the defaults (VT-d spec 11.4.2/3) */
#define VTD_CAP_ND_16BIT (6ull << 0)
#define VTD_CAP_SAGAW_4LVL (1ull << (8 + 2))
#define VTD_CAP_ZLR (1ull << 22)
#define VTD_CAP_MGAW(aw) ((uint64_t)((aw)-1) << 16)
#define VTD_CAP_FRO(off) ((uint64_t)((off) / 16) << 24)
#define VTD_CAP_SSLPS_2M_1G (3ull << 34)
#define VTD_CAP_PSI (1ull << 39)
#define VTD_CAP_NFR(n) ((uint64_t)((n)-1) << 40)
#define VTD_CAP_MAMV(v) ((uint64_t)(v) << 48)
#define VTD_CAP_DWD (1ull << 54)
#define VTD_CAP_DRD (1ull << 55)
#define VTD_CAP_FS1GP (1ull << 56)
#define VTD_CAP_FS5LP (1ull << 60)

#define VTD_ECAP_QI (1ull << 1)
#define VTD_ECAP_DT (1ull << 2)
#define VTD_ECAP_IR (1ull << 3)
#define VTD_ECAP_EIM (1ull << 4)
#define VTD_ECAP_PT (1ull << 6)
#define VTD_ECAP_SC (1ull << 7)
#define VTD_ECAP_IRO(off) ((uint64_t)((off) / 16) << 8)
#define VTD_ECAP_MHMV(v) ((uint64_t)(v) << 20)
#define VTD_ECAP_NEST (1ull << 26)
#define VTD_ECAP_PRS (1ull << 29)
#define VTD_ECAP_SRS (1ull << 31)
#define VTD_ECAP_PSS(bits) ((uint64_t)((bits)-1) << 35)
#define VTD_ECAP_PASID (1ull << 40)
#define VTD_ECAP_PDS (1ull << 42)
#define VTD_ECAP_SMTS (1ull << 43)
#define VTD_ECAP_SSADS (1ull << 45)
#define VTD_ECAP_SSTS (1ull << 46)
#define VTD_ECAP_FSTS (1ull << 47)
#define VTD_ECAP_SMPWCS (1ull << 48)
#define VTD_ECAP_RPS (1ull << 49)

/* SMMUv3 IDR fields (SMMUv3 spec 6.3.1) */
#define SMMU_IDR0_S2P (1u << 0)
#define SMMU_IDR0_S1P (1u << 1)
#define SMMU_IDR0_TTF_AA64 (2u << 2)
#define SMMU_IDR0_COHACC (1u << 4)
#define SMMU_IDR0_HTTU_SHIFT 6
#define SMMU_IDR0_ATS (1u << 10)
#define SMMU_IDR0_ASID16 (1u << 12)
#define SMMU_IDR0_MSI (1u << 13)
#define SMMU_IDR0_VMID16 (1u << 18)
#define SMMU_IDR0_CD2L (1u << 19)
#define SMMU_IDR0_TTENDIAN_LE (2u << 21)
#define SMMU_IDR0_ST_LVL_2LVL (1u << 27)
#define SMMU_IDR1_SIDSIZE(n) ((uint32_t)(n) << 0)
#define SMMU_IDR1_SSIDSIZE(n) ((uint32_t)(n) << 6)
#define SMMU_IDR1_EVTQS(n) ((uint32_t)(n) << 16)
#define SMMU_IDR1_CMDQS(n) ((uint32_t)(n) << 21)
#define SMMU_IDR3_RIL (1u << 10)
#define SMMU_IDR5_OAS_48 (5u << 0)
#define SMMU_IDR5_GRAN4K (1u << 4)
#define SMMU_IDR5_GRAN16K (1u << 5)
#define SMMU_IDR5_GRAN64K (1u << 6)

static void iommu_defaults(struct sim_iommu_cfg *c, bool nesting)
{
    c->cap_reg = VTD_CAP_ND_16BIT | VTD_CAP_SAGAW_4LVL | VTD_CAP_ZLR |
                 VTD_CAP_MGAW(48) | VTD_CAP_FRO(0x400) | VTD_CAP_SSLPS_2M_1G |
                 VTD_CAP_PSI | VTD_CAP_NFR(8) | VTD_CAP_MAMV(18) | VTD_CAP_DWD |
                 VTD_CAP_DRD | VTD_CAP_FS1GP | VTD_CAP_FS5LP;
    c->ecap_reg = VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_IR | VTD_ECAP_EIM |
                  VTD_ECAP_PT | VTD_ECAP_SC | VTD_ECAP_IRO(0x500) |
                  VTD_ECAP_MHMV(15) | VTD_ECAP_PRS | VTD_ECAP_SRS |
                  VTD_ECAP_PSS(20) | VTD_ECAP_PASID | VTD_ECAP_PDS |
                  VTD_ECAP_SMTS | VTD_ECAP_SSTS | VTD_ECAP_FSTS |
                  VTD_ECAP_SMPWCS | VTD_ECAP_RPS;
    if (nesting) {
        c->ecap_reg |= VTD_ECAP_NEST;
    }

    /*
     * No PRI by default: Linux 7.2's SMMUv3 driver never serves PCI page
     * requests (prq.c), so advertising it would only mislead a VMM.
     */
    c->idr[0] = SMMU_IDR0_S1P | SMMU_IDR0_TTF_AA64 | SMMU_IDR0_COHACC |
                SMMU_IDR0_ATS | SMMU_IDR0_ASID16 | SMMU_IDR0_MSI |
                SMMU_IDR0_VMID16 | SMMU_IDR0_CD2L | SMMU_IDR0_TTENDIAN_LE |
                SMMU_IDR0_ST_LVL_2LVL;
    if (nesting) {
        c->idr[0] |= SMMU_IDR0_S2P;
    }
    c->idr[1] = SMMU_IDR1_SIDSIZE(16) | SMMU_IDR1_SSIDSIZE(20) |
                SMMU_IDR1_EVTQS(19) | SMMU_IDR1_CMDQS(19);
    c->idr[2] = 0;
    c->idr[3] = SMMU_IDR3_RIL;
    c->idr[4] = 0;
    c->idr[5] = SMMU_IDR5_OAS_48 | SMMU_IDR5_GRAN4K | SMMU_IDR5_GRAN16K |
                SMMU_IDR5_GRAN64K;
    c->iidr = 0x43b; /* Arm Ltd implementer code */
    c->aidr = 0x2;   /* SMMUv3.2 */
}

bool sim_iommu_has_pasid(void)
{
    const struct sim_iommu_cfg *c = &sim.cfg.iommu;

    if (c->type == SIM_IOMMU_VTD) {
        return c->ecap_reg & VTD_ECAP_PASID;
    }
    return (c->idr[1] >> 6) & 0x1f;
}

/* PASID bits the IOMMU itself takes: VT-d ECAP.PSS + 1, SMMUv3 SSIDSIZE */
unsigned int sim_iommu_pasid_bits(void)
{
    const struct sim_iommu_cfg *c = &sim.cfg.iommu;

    if (!sim_iommu_has_pasid()) {
        return 0;
    }
    if (c->type == SIM_IOMMU_VTD) {
        return ((c->ecap_reg >> 35) & 0x1f) + 1;
    }
    return (c->idr[1] >> 6) & 0x1f;
}

bool sim_iommu_has_dirty(void)
{
    const struct sim_iommu_cfg *c = &sim.cfg.iommu;

    if (c->type == SIM_IOMMU_VTD) {
        return c->ecap_reg & VTD_ECAP_SSADS;
    }
    /* HTTU 0b10 / 0b11: hardware dirty state */
    return ((c->idr[0] >> SMMU_IDR0_HTTU_SHIFT) & 3) >= 2;
}

bool sim_iommu_can_nest(void)
{
    const struct sim_iommu_cfg *c = &sim.cfg.iommu;

    if (!c->nesting) {
        return false;
    }
    if (c->type == SIM_IOMMU_VTD) {
        return c->ecap_reg & VTD_ECAP_NEST;
    }
    return (c->idr[0] & (SMMU_IDR0_S1P | SMMU_IDR0_S2P)) ==
           (SMMU_IDR0_S1P | SMMU_IDR0_S2P);
}

/* A too-small first read is EINVAL, not 0 (eventq.c, 7.2) */
bool sim_kernel_read_einval(void)
{
    return sim.cfg.kernel >= SIM_KERNEL_READ_EINVAL;
}

/* ---- key parsing ---- */

/* The value with any "# comment" and surrounding blanks removed */
static char *cfg_value(GKeyFile *kf, const char *group, const char *key)
{
    char *v = g_key_file_get_value(kf, group, key, NULL);
    char *hash;

    if (!v) {
        return NULL;
    }
    hash = strchr(v, '#');
    if (hash) {
        *hash = '\0';
    }
    return g_strstrip(v);
}

static bool cfg_u64(GKeyFile *kf, const char *group, const char *key,
                    uint64_t *out)
{
    g_autofree char *v = cfg_value(kf, group, key);
    char *end;

    if (!v) {
        return true; /* absent: keep the default */
    }
    errno = 0;
    *out = g_ascii_strtoull(v, &end, 0);
    if (errno || end == v || *end) {
        g_printerr("iommufd-sim: [%s] %s: bad number '%s'\n", group, key, v);
        return false;
    }
    return true;
}

static bool cfg_u32(GKeyFile *kf, const char *group, const char *key,
                    uint32_t *out)
{
    uint64_t v = *out;

    if (!cfg_u64(kf, group, key, &v)) {
        return false;
    }
    if (v > UINT32_MAX) {
        g_printerr("iommufd-sim: [%s] %s: out of range\n", group, key);
        return false;
    }
    *out = v;
    return true;
}

static bool cfg_bool(GKeyFile *kf, const char *group, const char *key,
                     bool *out)
{
    g_autofree char *v = cfg_value(kf, group, key);

    if (!v) {
        return true;
    }
    if (!g_ascii_strcasecmp(v, "true") || !strcmp(v, "1") ||
        !g_ascii_strcasecmp(v, "yes") || !g_ascii_strcasecmp(v, "on")) {
        *out = true;
        return true;
    }
    if (!g_ascii_strcasecmp(v, "false") || !strcmp(v, "0") ||
        !g_ascii_strcasecmp(v, "no") || !g_ascii_strcasecmp(v, "off")) {
        *out = false;
        return true;
    }
    g_printerr("iommufd-sim: [%s] %s: bad boolean '%s'\n", group, key, v);
    return false;
}

bool sim_bdf_normalize(const char *in, char out[16])
{
    unsigned int dom = 0, bus, dev, fn;
    char tail;

    if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4) {
        dom = 0;
        if (sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3) {
            return false;
        }
    }
    if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7) {
        return false;
    }
    snprintf(out, 16, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
    return true;
}

static bool load_iommu(GKeyFile *kf, struct sim_iommu_cfg *c)
{
    g_autofree char *type = cfg_value(kf, "iommu", "type");
    static const char *const idr_keys[6] = {
        "idr0", "idr1", "idr2", "idr3", "idr4", "idr5",
    };
    bool ok = true;

    c->nesting = true;
    if (!cfg_bool(kf, "iommu", "nesting", &c->nesting)) {
        return false;
    }
    if (!type || !strcmp(type, "intel-vtd")) {
        c->type = SIM_IOMMU_VTD;
    } else if (!strcmp(type, "arm-smmuv3")) {
        c->type = SIM_IOMMU_SMMUV3;
    } else {
        g_printerr("iommufd-sim: [iommu] type: unknown '%s'\n", type);
        return false;
    }
    iommu_defaults(c, c->nesting);
    ok &= cfg_u64(kf, "iommu", "cap_reg", &c->cap_reg);
    ok &= cfg_u64(kf, "iommu", "ecap_reg", &c->ecap_reg);
    for (int i = 0; i < 6; i++) {
        ok &= cfg_u32(kf, "iommu", idr_keys[i], &c->idr[i]);
    }
    ok &= cfg_u32(kf, "iommu", "iidr", &c->iidr);
    ok &= cfg_u32(kf, "iommu", "aidr", &c->aidr);
    return ok;
}

static struct sim_pdev *load_pdev(GKeyFile *kf, const char *group,
                                  unsigned int default_index)
{
    g_autofree struct sim_pdev *p = g_new0(struct sim_pdev, 1);
    uint32_t v;
    bool ok = true;

    if (!sim_bdf_normalize(group + strlen("device "), p->bdf)) {
        g_printerr("iommufd-sim: [%s]: bad BDF\n", group);
        return NULL;
    }
    p->vfio_index = default_index;
    p->pri_capacity = 32;
    p->class_code = 0x020000; /* ethernet controller */
    v = 0x8086;
    ok &= cfg_u32(kf, group, "vendor-id", &v);
    p->vendor = v;
    v = 0x1234;
    ok &= cfg_u32(kf, group, "device-id", &v);
    p->device = v;
    ok &= cfg_u32(kf, group, "class", &p->class_code);
    ok &= cfg_u32(kf, group, "pasid-width", &p->pasid_width);
    ok &= cfg_bool(kf, group, "pasid-exec", &p->pasid_exec);
    ok &= cfg_bool(kf, group, "pasid-priv", &p->pasid_priv);
    ok &= cfg_bool(kf, group, "pri", &p->pri);
    ok &= cfg_u32(kf, group, "pri-capacity", &p->pri_capacity);
    ok &= cfg_bool(kf, group, "ats", &p->ats);
    ok &= cfg_u32(kf, group, "stream-id", &p->stream_id);
    ok &= cfg_u32(kf, group, "vfio-index", &p->vfio_index);
    if (!ok) {
        return NULL;
    }
    if (p->pasid_width > 20) {
        g_printerr("iommufd-sim: [%s] pasid-width: at most 20\n", group);
        return NULL;
    }
    sim_pciconf_build(p);
    return g_steal_pointer(&p);
}

static bool load_pdevs(GKeyFile *kf, GPtrArray *pdevs)
{
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

    for (unsigned int i = 0; groups[i]; i++) {
        struct sim_pdev *p;

        if (!g_str_has_prefix(groups[i], "device ")) {
            continue;
        }
        p = load_pdev(kf, groups[i], pdevs->len);
        if (!p) {
            return false;
        }
        for (unsigned int j = 0; j < pdevs->len; j++) {
            struct sim_pdev *q = g_ptr_array_index(pdevs, j);

            if (!strcmp(q->bdf, p->bdf) || q->vfio_index == p->vfio_index) {
                g_printerr("iommufd-sim: [%s]: duplicate BDF "
                           "or vfio-index\n",
                           groups[i]);
                g_free(p);
                return false;
            }
        }
        g_ptr_array_add(pdevs, p);
    }
    return true;
}

/* ---- the sysfs-like tree ---- */

static bool put_file(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    return g_file_set_contents(path, text, -1, NULL);
}

static bool build_pdev_tree(const char *root, struct sim_pdev *p)
{
    g_autofree char *dir =
        g_build_filename(root, "bus/pci/devices", p->bdf, NULL);
    g_autofree char *vdir =
        g_strdup_printf("%s/vfio-dev/vfio%u", dir, p->vfio_index);
    g_autofree char *devdir = g_build_filename(root, "dev/vfio/devices", NULL);
    g_autofree char *node = g_strdup_printf("vfio%u", p->vfio_index);
    g_autofree char *vendor = g_strdup_printf("0x%04x\n", p->vendor);
    g_autofree char *device = g_strdup_printf("0x%04x\n", p->device);
    g_autofree char *class = g_strdup_printf("0x%06x\n", p->class_code);
    g_autofree char *devno = g_strdup_printf("511:%u\n", p->vfio_index);

    if (g_mkdir_with_parents(vdir, 0755) ||
        g_mkdir_with_parents(devdir, 0755)) {
        return false;
    }
    return put_file(dir, "vendor", vendor) && put_file(dir, "device", device) &&
           put_file(dir, "class", class) && put_file(vdir, "dev", devno) &&
           put_file(devdir, node, "");
}

static bool build_tree(struct sim_config *cfg)
{
    g_autofree char *devdir = g_build_filename(cfg->root, "dev", NULL);

    if (g_mkdir_with_parents(devdir, 0755) || !put_file(devdir, "iommu", "")) {
        return false;
    }
    for (unsigned int i = 0; i < cfg->pdevs->len; i++) {
        if (!build_pdev_tree(cfg->root, g_ptr_array_index(cfg->pdevs, i))) {
            return false;
        }
    }
    return sim_host_build_tree(cfg->root, cfg->pdevs);
}

static void remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *sub = g_build_filename(path, name, NULL);

            if (g_file_test(sub, G_FILE_TEST_IS_DIR) &&
                !g_file_test(sub, G_FILE_TEST_IS_SYMLINK)) {
                remove_tree(sub);
            } else {
                g_unlink(sub);
            }
        }
        g_dir_close(dir);
    }
    g_rmdir(path);
}

/*
 * "X.Y" -> X * 100 + Y.  Before 6.11 there was no FAULT queue at all; a
 * version past the newest one we know behaves like the newest.
 */
static bool parse_kernel(const char *v, unsigned int *out)
{
    unsigned int major, minor;
    char tail;

    if (sscanf(v, "%u.%u%c", &major, &minor, &tail) != 2 || minor > 99 ||
        major * 100 + minor < SIM_KERNEL_MIN) {
        return false;
    }
    *out = MIN(major * 100 + minor, SIM_KERNEL_NEWEST);
    return true;
}

/* [sim] kernel=, overridden by $IOMMUFD_SIM_KERNEL (a second test run) */
static bool load_kernel(GKeyFile *kf, unsigned int *out)
{
    g_autofree char *v = cfg_value(kf, "sim", "kernel");
    const char *env = g_getenv("IOMMUFD_SIM_KERNEL");

    *out = SIM_KERNEL_NEWEST;
    if (env && *env) {
        g_free(v);
        v = g_strdup(env);
    }
    if (!v || !*v) {
        return true;
    }
    if (!parse_kernel(v, out)) {
        g_printerr("iommufd-sim: [sim] kernel: '%s' is not a version "
                   "from 6.11 on\n",
                   v);
        return false;
    }
    return true;
}

int sim_config_load(const char *path, struct sim_config *cfg)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *root = NULL;

    memset(cfg, 0, sizeof(*cfg));
    cfg->pdevs = g_ptr_array_new_with_free_func(g_free);
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        g_printerr("iommufd-sim: %s: %s\n", path, err->message);
        goto err_free;
    }
    if (!load_iommu(kf, &cfg->iommu) || !load_pdevs(kf, cfg->pdevs)) {
        goto err_free;
    }

    if (!load_kernel(kf, &cfg->kernel)) {
        goto err_free;
    }
    root = cfg_value(kf, "sim", "sysfs-root");
    if (root && *root) {
        cfg->root = g_steal_pointer(&root);
    } else {
        cfg->root = g_dir_make_tmp("iommufd-sim-XXXXXX", NULL);
        cfg->root_owned = true;
    }
    if (!cfg->root || !build_tree(cfg)) {
        g_printerr("iommufd-sim: cannot build the sysfs tree\n");
        goto err_tree;
    }
    return 0;

err_tree:
    sim_config_free(cfg);
    return -EINVAL;
err_free:
    g_ptr_array_unref(cfg->pdevs);
    cfg->pdevs = NULL;
    return -EINVAL;
}

void sim_config_free(struct sim_config *cfg)
{
    if (cfg->root && cfg->root_owned) {
        remove_tree(cfg->root);
    }
    g_free(cfg->root);
    if (cfg->pdevs) {
        g_ptr_array_unref(cfg->pdevs);
    }
    memset(cfg, 0, sizeof(*cfg));
}

struct sim_pdev *sim_pdev_by_bdf(const char *bdf)
{
    char norm[16];

    if (!sim.cfg.pdevs) {
        return NULL;
    }
    /*
     * Callers that trigger faults or events in a loop pass the canonical
     * form: find it without parsing it again.
     */
    for (unsigned int i = 0; i < sim.cfg.pdevs->len; i++) {
        struct sim_pdev *p = g_ptr_array_index(sim.cfg.pdevs, i);

        if (!strcmp(p->bdf, bdf)) {
            return p;
        }
    }
    if (!sim_bdf_normalize(bdf, norm)) {
        return NULL;
    }
    for (unsigned int i = 0; i < sim.cfg.pdevs->len; i++) {
        struct sim_pdev *p = g_ptr_array_index(sim.cfg.pdevs, i);

        if (!strcmp(p->bdf, norm)) {
            return p;
        }
    }
    return NULL;
}

struct sim_pdev *sim_pdev_by_vfio_index(unsigned int idx)
{
    if (!sim.cfg.pdevs) {
        return NULL;
    }
    for (unsigned int i = 0; i < sim.cfg.pdevs->len; i++) {
        struct sim_pdev *p = g_ptr_array_index(sim.cfg.pdevs, i);

        if (p->vfio_index == idx) {
            return p;
        }
    }
    return NULL;
}

/* ---- host path -> simulated object ---- */

#define SYSFS_PCI "/sys/bus/pci/devices/"
#define VFIO_CDEV "/dev/vfio/devices/vfio"
#define SYSFS_GROUPS "/sys/kernel/iommu_groups"

static struct sim_pdev *vfio_node(const char *path)
{
    const char *num = path + strlen(VFIO_CDEV);
    char *end;
    unsigned long idx;

    if (!g_ascii_isdigit(*num)) {
        return NULL;
    }
    idx = strtoul(num, &end, 10);
    if (*end || idx > UINT32_MAX) {
        return NULL;
    }
    return sim_pdev_by_vfio_index(idx);
}

/* Device directory name in a sysfs path, exactly as the kernel spells it */
static struct sim_pdev *sysfs_pdev(const char *path)
{
    const char *bdf = path + strlen(SYSFS_PCI);
    size_t n = strcspn(bdf, "/");

    if (!sim.cfg.pdevs || n >= 16) {
        return NULL;
    }
    for (unsigned int i = 0; i < sim.cfg.pdevs->len; i++) {
        struct sim_pdev *p = g_ptr_array_index(sim.cfg.pdevs, i);

        if (strlen(p->bdf) == n && !strncmp(p->bdf, bdf, n)) {
            return p;
        }
    }
    return NULL;
}

enum sim_path_kind sim_path_resolve(const char *path, char *out, size_t len,
                                    struct sim_pdev **pdevp)
{
    struct sim_pdev *pdev;
    int n;

    if (path[0] != '/' || !sim.cfg.root) {
        return SIM_PATH_REAL;
    }
    if (!strcmp(path, "/dev/iommu")) {
        snprintf(out, len, "%s/dev/iommu", sim.cfg.root);
        return SIM_PATH_IOMMUFD;
    }
    /*
     * The VFIO container node: with CONFIG_IOMMUFD_VFIO_CONTAINER the
     * kernel serves it with the iommufd fops.  libvirt requires that it
     * exists before it assigns any device (host.c creates the node).
     */
    if (!strcmp(path, "/dev/vfio/vfio")) {
        snprintf(out, len, "%s/dev/vfio/vfio", sim.cfg.root);
        return SIM_PATH_IOMMUFD;
    }
    /* listing the cdev directory shows the simulated nodes */
    if (!strcmp(path, "/dev/vfio/devices") ||
        !strcmp(path, "/dev/vfio/devices/")) {
        snprintf(out, len, "%s/dev/vfio/devices", sim.cfg.root);
        return SIM_PATH_REWRITTEN;
    }
    if (g_str_has_prefix(path, VFIO_CDEV)) {
        pdev = vfio_node(path);
        if (!pdev) {
            return SIM_PATH_REAL;
        }
        if (pdevp) {
            *pdevp = pdev;
        }
        snprintf(out, len, "%s%s", sim.cfg.root, path);
        return SIM_PATH_VFIO;
    }
    if (g_str_has_prefix(path, "/dev/char/")) {
        return sim_devchar_resolve(path, out, len, pdevp);
    }
    /* libvirt lists the groups and a device's group members (host.c) */
    if (!strcmp(path, SYSFS_GROUPS) ||
        g_str_has_prefix(path, SYSFS_GROUPS "/")) {
        n = snprintf(out, len, "%s/kernel/iommu_groups%s", sim.cfg.root,
                     path + strlen(SYSFS_GROUPS));
        return n < (int)len ? SIM_PATH_REWRITTEN : SIM_PATH_REAL;
    }
    if (g_str_has_prefix(path, SYSFS_PCI) && sysfs_pdev(path)) {
        n = snprintf(out, len, "%s/bus/pci/devices/%s", sim.cfg.root,
                     path + strlen(SYSFS_PCI));
        return n < (int)len ? SIM_PATH_REWRITTEN : SIM_PATH_REAL;
    }
    return SIM_PATH_REAL;
}
