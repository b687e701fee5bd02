/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommufd simulator internals.
 *
 * Locking: one mutex (sim_lock()/sim_unlock()) protects everything below.
 * Functions in this header expect it held unless they say otherwise.
 * While it is held the calling thread is marked "busy", so glib calls that
 * reach our own open()/read()/close() pass straight through to libc.
 *
 * Errors: internal functions return 0 / a byte count or a negative errno,
 * like kernel code; only the libc interposers in sim.c set errno.
 */
#ifndef IOMMUFD_SIM_INTERNAL_H
#define IOMMUFD_SIM_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <glib.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "iommufd-sim.h"

/* IOMMU_NO_PASID: the attach key of the RID itself */
#define SIM_KEY_RID 0u
#define SIM_PAGE_SIZE 4096ull
#define SIM_CFG_SIZE 4096u
/* vfio-pci places region N at file offset N << 40 */
#define SIM_REGION_OFFSET(idx) ((uint64_t)(idx) << 40)
/* Newest kernels cap a vEVENTQ's depth */
#define SIM_VEVENTQ_MAX_DEPTH (1u << 19)
/* HWPT_INVALIDATE takes at most this many entries per call */
#define SIM_INVALIDATE_MAX_ENTRIES (1u << 19)

/* ---- real libc entry points (sim.c) ---- */
struct sim_libc {
    int (*openat)(int, const char *, int, ...);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    off_t (*lseek)(int, off_t, int);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*writev)(int, const struct iovec *, int);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    int (*close)(int);
    int (*ioctl)(int, unsigned long, ...);
    DIR *(*opendir)(const char *);
    ssize_t (*readlink)(const char *, char *, size_t);
    int (*access)(const char *, int);
    int (*stat)(const char *, struct stat *);
    int (*lstat)(const char *, struct stat *);
    FILE *(*fopen)(const char *, const char *);
};
extern struct sim_libc sim_libc;

void sim_lock(void);
void sim_unlock(void);
bool sim_busy(void);
void sim_mark_thread_busy(void);
void sim_init_locked(void);
/* Lock and return true if this call may concern an active simulator */
bool sim_enter(void);

/* ---- configuration (config.c) ---- */
enum sim_iommu_type {
    SIM_IOMMU_VTD,
    SIM_IOMMU_SMMUV3,
};

struct sim_iommu_cfg {
    enum sim_iommu_type type;
    bool nesting;
    uint64_t cap_reg, ecap_reg;
    uint32_t idr[6], iidr, aidr;
};

struct sim_idev;
struct sim_vfio_file;

/* A simulated physical PCI function behind the IOMMU */
struct sim_pdev {
    char bdf[16];
    unsigned int vfio_index;
    uint16_t vendor, device;
    uint32_t class_code;
    unsigned int pasid_width; /* 0: no PASID capability */
    bool pasid_exec, pasid_priv;
    bool pri, ats;
    uint32_t pri_capacity;
    uint32_t stream_id;
    uint8_t cfg[SIM_CFG_SIZE];   /* config space contents */
    uint8_t wmask[SIM_CFG_SIZE]; /* bits a write may change */
    uint16_t ats_off, pri_off, pasid_off;
    struct sim_idev *idev; /* iommufd device while bound */
    struct sim_vfio_file *bound_file;
    uint32_t next_grpid; /* PRG index for simulated DMA */
};

/*
 * Kernel behaviour by version, major * 100 + minor.  7.2 made reads that
 * cannot return a whole first record fail with EINVAL; 6.11..7.1 return 0.
 */
#define SIM_KERNEL_MIN 611
#define SIM_KERNEL_READ_EINVAL 702
#define SIM_KERNEL_NEWEST 702

struct sim_config {
    struct sim_iommu_cfg iommu;
    unsigned int kernel; /* SIM_KERNEL_* scale */
    GPtrArray *pdevs;    /* struct sim_pdev * */
    char *root;          /* sysfs-like tree */
    bool root_owned;     /* we created it: remove at exit */
};

int sim_config_load(const char *path, struct sim_config *cfg);
void sim_config_free(struct sim_config *cfg);
struct sim_pdev *sim_pdev_by_bdf(const char *bdf);
struct sim_pdev *sim_pdev_by_vfio_index(unsigned int idx);
bool sim_bdf_normalize(const char *in, char out[16]);
bool sim_iommu_has_pasid(void);
unsigned int sim_iommu_pasid_bits(void);
bool sim_iommu_has_dirty(void);
bool sim_iommu_can_nest(void);
bool sim_kernel_read_einval(void);

enum sim_path_kind {
    SIM_PATH_REAL,      /* not ours: use as is */
    SIM_PATH_REWRITTEN, /* redirected into our tree */
    SIM_PATH_IOMMUFD,   /* /dev/iommu */
    SIM_PATH_VFIO,      /* /dev/vfio/devices/vfioN of a sim device */
};
/* libc's @name (RTLD_NEXT); aborts when missing: nothing works without it. */
void *sim_need_sym(const char *name);

enum sim_path_kind sim_path_resolve(const char *path, char *out, size_t len,
                                    struct sim_pdev **pdev);

/* ---- control: nested/paging HWPTs by content (inspect.c) ---- */
char *sim_cmd_hwpts(char **argv, int argc);

/* ---- character-device identity of our nodes and fds (stat.c) ---- */
enum sim_path_kind sim_devchar_resolve(const char *path, char *out, size_t len,
                                       struct sim_pdev **pdev);
struct statx;
int sim_stat_fixup(int fd, const char *path, int flags, int rc, mode_t *mode,
                   dev_t *rdev);
int sim_statx_fixup(int fd, const char *path, int flags, int rc,
                    struct statx *stx);

/* ---- PCI config space (pciconf.c) ---- */
void sim_pciconf_build(struct sim_pdev *pdev);
ssize_t sim_pciconf_read(struct sim_pdev *pdev, void *buf, size_t count,
                         uint64_t off);
ssize_t sim_pciconf_write(struct sim_pdev *pdev, const void *buf, size_t count,
                          uint64_t off);
uint16_t sim_pciconf_pasid_ctrl(struct sim_pdev *pdev);

/* ---- user memory access (uaccess.c) ---- */
int sim_copy_from_user(void *dst, uint64_t uptr, size_t len);
int sim_copy_to_user(uint64_t uptr, const void *src, size_t len);
struct iovec;
int sim_copy_iov_to_user(uint64_t uptr, const struct iovec *iov,
                         unsigned int cnt);
int sim_clear_user(uint64_t uptr, size_t len);
int sim_copy_struct_from_user(void *dst, size_t ksize, uint64_t uptr,
                              size_t usize);

/* ---- objects (object.c) ---- */
struct sim_ictx {
    unsigned int refs; /* iommufd fd + queue fds + bound devices */
    GHashTable *objs;  /* id -> struct sim_obj * */
    uint32_t id_hint;  /* every id below it is in use */
    bool account_mm;   /* IOMMU_OPTION_RLIMIT_MODE (no accounting) */
};

struct sim_obj {
    uint32_t id;
    enum sim_obj_type type;
    unsigned int users; /* long-term references: blocks DESTROY */
    struct sim_ictx *ictx;
};

/* Our mapping of an IOAS_MAP_FILE range, shared by IOAS_COPY copies */
struct sim_file_map {
    void *base;
    size_t len;
    unsigned int refs;
};

struct sim_area {
    uint64_t iova, length, user_va;
    uint32_t flags;
    struct sim_file_map *fmap; /* IOAS_MAP_FILE: survives a process
                     * change; user_va points into it */
};

struct sim_hwpt;

struct sim_ioas {
    struct sim_obj obj;
    GArray *areas;              /* struct sim_area, sorted by iova */
    GPtrArray *pins;            /* struct sim_hw_queue * pinning IOVA */
    GArray *reserved;           /* {start, last}: ADD_RESERVED */
    GArray *allowed;            /* {start, last}, sorted: IOAS_ALLOW_IOVAS */
    bool no_huge;               /* IOMMU_OPTION_HUGE_PAGES = 0 */
    struct sim_hwpt *auto_hwpt; /* shared auto domain, if any */
};

struct sim_fault;
struct sim_viommu;
struct sim_mock_dev;
struct sim_hw_queue;

struct sim_hwpt {
    struct sim_obj obj;
    uint32_t flags; /* IOMMU_HWPT_ALLOC_* as allocated */
    bool auto_domain;
    bool mock;                 /* a domain of the selftest's mock IOMMU */
    bool mock_huge;            /* ... with its huge-page table format */
    bool dirty_tracking;       /* HWPT_SET_DIRTY_TRACKING enabled */
    GHashTable *dirty;         /* dirty PTEs: granule numbers (u64 *) */
    struct sim_ioas *ioas;     /* paging: its IOAS */
    struct sim_hwpt *parent;   /* nested on a paging parent */
    struct sim_viommu *viommu; /* nested through a vIOMMU */
    struct sim_fault *fault;
    uint32_t data_type;
    union {
        struct iommu_hwpt_vtd_s1 vtd;
        struct iommu_hwpt_arm_smmuv3 smmu;
        uint32_t mock_iotlb[4]; /* selftest nested domain */
    } data;
};

struct sim_idev {
    struct sim_obj obj;
    struct sim_pdev *pdev;
    struct sim_hwpt *rid_hwpt;
    GHashTable *pasids; /* pasid -> struct sim_hwpt * */
    struct sim_vdevice *vdev;
    struct sim_mock_dev *mock; /* a selftest mock device */
    uint32_t mock_flags;       /* its MOCK_FLAGS_DEVICE_* */
    bool vmaster;              /* RID attached with a vDEVICE */
    uint64_t vmaster_vsid;     /* its virt_id at that attach */
    GPtrArray *partial;        /* parked requests without LAST_PAGE */
};

struct sim_viommu {
    struct sim_obj obj;
    uint32_t type;
    struct sim_hwpt *parent;
    GHashTable *vdevs; /* virt_id (u64*) -> struct sim_vdevice * */
    GPtrArray *veventqs;
    /* selftest type: the mmap()able page and the HW queues */
    uint32_t mock_page_word;
    uint64_t mmap_offset, mmap_length;
    struct sim_hw_queue *hw_queue[2];
};

struct sim_hw_queue {
    struct sim_obj obj;
    struct sim_viommu *viommu;
    uint32_t index;
    uint64_t iova, last;       /* pinned in the parent's IOAS */
    struct sim_hw_queue *prev; /* depended upon */
};

struct sim_vdevice {
    struct sim_obj obj;
    struct sim_viommu *viommu;
    struct sim_idev *idev;
    uint64_t virt_id;
};

struct sim_fault {
    struct sim_obj obj;
    int fd; /* eventfd, readable iff deliver non-empty */
    bool fd_open;
    bool ready;           /* eventfd currently signalled */
    bool hung;            /* "inject close" */
    GQueue deliver;       /* struct sim_fault_group *, unread */
    GHashTable *response; /* cookie -> group, read but unanswered */
    uint32_t cookie_hint;
};

struct sim_dma;

struct sim_fault_group {
    struct sim_idev *idev;
    struct sim_hwpt *hwpt; /* the attachment it was routed through */
    uint32_t key;          /* SIM_KEY_RID or the PASID */
    uint32_t cookie;
    GArray *recs;        /* struct iommu_hwpt_pgfault */
    struct sim_dma *dma; /* simulated DMA waiting on it */
};

struct sim_vevent {
    uint32_t seq;
    uint32_t len;
    uint8_t data[32];
};

struct sim_veventq {
    struct sim_obj obj;
    struct sim_viommu *viommu;
    uint32_t type, depth;
    int fd;
    bool fd_open, ready, hung;
    GQueue events;          /* struct sim_vevent *, may end with &lost */
    uint32_t num_events;    /* real events queued */
    uint32_t sequence;      /* next sequence number */
    struct sim_vevent lost; /* the one LOST_EVENTS header node */
};

struct sim_ictx *sim_ictx_new(void);
void sim_ictx_get(struct sim_ictx *ictx);
void sim_ictx_put(struct sim_ictx *ictx);
void *sim_obj_alloc(struct sim_ictx *ictx, enum sim_obj_type type, size_t size);
void sim_obj_insert(struct sim_obj *obj);
void sim_obj_abort(struct sim_obj *obj);
struct sim_obj *sim_obj_lookup(struct sim_ictx *ictx, uint32_t id);
void *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type t);
int sim_obj_destroy_user(struct sim_ictx *ictx, uint32_t id);
void sim_obj_destroy(struct sim_obj *obj);
void sim_obj_leak_id(struct sim_obj *obj);
const char *sim_obj_type_name(enum sim_obj_type type);

/* ---- iommufd ioctls (iommufd.c, hwpt.c) ---- */
struct sim_ucmd {
    struct sim_ictx *ictx;
    uint64_t ubuf;
    uint32_t user_size;
    void *cmd;
    size_t ksize;
};
int sim_ucmd_respond(struct sim_ucmd *ucmd);
long sim_iommufd_ioctl(struct sim_ictx *ictx, unsigned long cmd, uint64_t arg);
int sim_ioas_alloc(struct sim_ucmd *ucmd);
int sim_ioas_map(struct sim_ucmd *ucmd);
int sim_ioas_unmap(struct sim_ucmd *ucmd);
int sim_ioas_iova_ranges(struct sim_ucmd *ucmd);
int sim_ioas_change_process(struct sim_ucmd *ucmd);
int sim_ioas_copy(struct sim_ucmd *ucmd);
int sim_ioas_map_file(struct sim_ucmd *ucmd);
uint64_t sim_iova_limit(void);
bool sim_ioas_find_range(struct sim_ioas *ioas, uint64_t iova, uint64_t last);

/* ---- an IOAS's IOVA space (iova.c) ---- */
uint64_t sim_ioas_alignment(struct sim_ioas *ioas);
bool sim_ioas_reserved(struct sim_ioas *ioas, uint64_t start, uint64_t last);
int sim_ioas_alloc_iova(struct sim_ioas *ioas, uint64_t addr, uint64_t length,
                        uint64_t *iova);
int sim_ioas_check_fixed(struct sim_ioas *ioas, uint64_t iova, uint64_t length);
int sim_ioas_add_reserved(struct sim_ioas *ioas, uint64_t start,
                          uint64_t length);
int sim_ioas_allow_iovas(struct sim_ucmd *ucmd);
int sim_option(struct sim_ucmd *ucmd);
struct sim_hwpt *sim_hwpt_new(struct sim_ictx *ictx, enum sim_obj_type t,
                              uint32_t flags);
int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas,
                          uint32_t flags, bool mock, struct sim_hwpt **out);
struct sim_area *sim_ioas_find(struct sim_ioas *ioas, uint64_t iova);
void sim_ioas_free(struct sim_ioas *ioas);
int sim_get_hw_info(struct sim_ucmd *ucmd);
int sim_hwpt_alloc(struct sim_ucmd *ucmd);
int sim_hwpt_invalidate(struct sim_ucmd *ucmd);
int sim_viommu_alloc(struct sim_ucmd *ucmd);
int sim_vdevice_alloc(struct sim_ucmd *ucmd);
struct sim_hwpt *sim_hwpt_auto_get(struct sim_ioas *ioas,
                                   struct sim_idev *idev);
void sim_hwpt_release(struct sim_hwpt *hwpt);
void sim_viommu_release(struct sim_viommu *viommu);
void sim_vdevice_release(struct sim_vdevice *vdev);
bool sim_hwpt_pasid_compat(struct sim_hwpt *hwpt);

/* ---- device attachment (device.c) ---- */
struct sim_idev *sim_idev_bind(struct sim_ictx *ictx, struct sim_pdev *pdev,
                               bool hold_ctx);
void sim_idev_unbind(struct sim_idev *idev);
int sim_idev_attach(struct sim_idev *idev, uint32_t key, uint32_t *pt_id);
void sim_idev_detach(struct sim_idev *idev, uint32_t key);
struct sim_hwpt *sim_idev_domain(struct sim_idev *idev, uint32_t key);

/* ---- FAULT queue (faultq.c) ---- */
int sim_fault_alloc(struct sim_ucmd *ucmd);
void sim_fault_release(struct sim_fault *fault);
void sim_fault_fd_closed(struct sim_fault *fault);
ssize_t sim_fault_read(struct sim_fault *fault, uint64_t buf, size_t count);
void sim_fault_refresh_ready(void);
ssize_t sim_fault_write(struct sim_fault *fault, uint64_t buf, size_t count);
void sim_fault_auto_respond(struct sim_fault *fault, struct sim_idev *idev,
                            uint32_t key, struct sim_hwpt *hwpt);
int sim_fault_report(struct sim_idev *idev,
                     const struct iommu_hwpt_pgfault *rec, struct sim_dma *dma);
void sim_fault_hangup(struct sim_fault *fault);

/* ---- dirty tracking (dirty.c) ---- */
int sim_hwpt_set_dirty_tracking(struct sim_ucmd *ucmd);
int sim_hwpt_get_dirty_bitmap(struct sim_ucmd *ucmd);
void sim_hwpt_dirty_free(struct sim_hwpt *hwpt);
void sim_hwpt_mark_dirty(struct sim_hwpt *hwpt, uint64_t iova);
int sim_mock_dirty(struct sim_ucmd *ucmd, uint32_t id, uint64_t iova,
                   uint64_t length, uint64_t page_size, uint64_t uptr,
                   uint64_t *count);

/* ---- the kernel selftest's mock IOMMU (selftest-mock.c) ---- */
int sim_test_cmd(struct sim_ucmd *ucmd);
void sim_mock_release(struct sim_mock_dev *m);
int sim_mock_attach_check(struct sim_idev *idev, uint32_t key,
                          struct sim_hwpt *hwpt);
int sim_mock_set_pasid(struct sim_idev *idev, uint32_t key, bool detach);
int sim_mock_hwpt_alloc(struct sim_ucmd *ucmd, struct sim_obj *pt,
                        struct sim_hwpt **out);
int sim_mock_hwpt_invalidate(const struct iommu_hwpt_invalidate *cmd,
                             struct sim_hwpt *hwpt, uint32_t *done);
int sim_mock_viommu_data(struct sim_ucmd *ucmd, struct sim_viommu *viommu);
int sim_mock_viommu_invalidate(const struct iommu_hwpt_invalidate *cmd,
                               struct sim_viommu *viommu, uint32_t *done);
void *sim_mock_mmap(struct sim_ictx *ictx, size_t len, int prot, int flags,
                    uint64_t off, int *err);
void sim_mock_munmap(void *addr);
int sim_hw_queue_alloc(struct sim_ucmd *ucmd);
void sim_hw_queue_release(struct sim_hw_queue *q);
bool sim_ioas_pinned(struct sim_ioas *ioas, uint64_t iova, uint64_t last);

/* ---- the host driver's page-request intake (prq.c) ---- */
int sim_page_request(struct sim_idev *idev, struct iommu_hwpt_pgfault *rec,
                     struct sim_dma *dma);

/* ---- vEVENTQ (veventq.c) ---- */
int sim_veventq_alloc(struct sim_ucmd *ucmd);
void sim_veventq_release(struct sim_veventq *q);
void sim_veventq_fd_closed(struct sim_veventq *q);
ssize_t sim_veventq_read(struct sim_veventq *q, uint64_t buf, size_t count);
void sim_veventq_refresh_ready(void);
int sim_veventq_report(struct sim_viommu *viommu, uint32_t type,
                       const void *data, size_t len);
void sim_veventq_hangup(struct sim_veventq *q);

/* ---- queue fd readiness (eventfd.c) ---- */
int sim_eventfd_new(void);
void sim_eventfd_set(int fd, bool *ready, bool want);

/* ---- VFIO cdev (vfio.c) ---- */
struct sim_vfio_file {
    struct sim_pdev *pdev;
    struct sim_idev *idev;      /* non-NULL once bound */
    bool pasid0;                /* RID attached as "PASID 0" (vfio's ida) */
    uint64_t pos;               /* file position for read()/write() */
    struct sim_vfio_irqs *irqs; /* SET_IRQS triggers (irqs.c) */
};
long sim_vfio_set_irqs(struct sim_vfio_file *vf, uint64_t arg);
char *sim_cmd_vfio_irq(char **argv, int argc);
void sim_vfio_irqs_release(struct sim_vfio_file *vf);
long sim_vfio_ioctl(struct sim_vfio_file *vf, unsigned long cmd, uint64_t arg);
ssize_t sim_vfio_rw(struct sim_vfio_file *vf, uint64_t buf, size_t count,
                    uint64_t off, bool write);
void sim_vfio_release(struct sim_vfio_file *vf);

/* ---- fd table (sim.c) ---- */
enum sim_file_kind {
    SIM_FILE_IOMMUFD,
    SIM_FILE_VFIO,
    SIM_FILE_FAULT,
    SIM_FILE_VEVENTQ,
};

struct sim_file {
    int fd;
    enum sim_file_kind kind;
    union {
        struct sim_ictx *ictx;
        struct sim_vfio_file *vfio;
        struct sim_fault *fault;
        struct sim_veventq *veventq;
    };
};
struct sim_file *sim_file_lookup(int fd);
void sim_file_add(int fd, enum sim_file_kind kind, void *priv);

/* ---- global state (api.c) ---- */
struct sim_inval_log {
    uint32_t hwpt_id;
    uint32_t data_type;
    uint8_t entry[24];
};

struct sim_inject_ioctl {
    unsigned long cmd;
    unsigned int count;
    int err;
};

struct sim_inject_read_state {
    unsigned int eagain, eintr;
    unsigned int err_count; /* next reads fail with err */
    int err;
    bool short_pending;
    size_t short_bytes;
};

struct sim_inject_write_state {
    unsigned int count; /* next writes fail with err */
    int err;
};

#define SIM_RESPONSE_LOG_MAX 65536u
#define SIM_INVAL_LOG_MAX 65536u

struct sim_state {
    bool active;
    struct sim_config cfg;
    GHashTable *files; /* fd -> struct sim_file * */
    struct sim_stats stats;
    GArray *responses; /* struct sim_response */
    GArray *invals;    /* struct sim_inval_log */
    GHashTable *dmas;  /* id (u64*) -> struct sim_dma * */
    uint64_t next_dma_id;
    GArray *inject_ioctls; /* struct sim_inject_ioctl */
    struct sim_inject_read_state inject_read[2];
    struct sim_inject_write_state inject_write[2];
    GByteArray *inject_raw[2]; /* raw bytes for the next reads */
    GPtrArray *faults;         /* live struct sim_fault * */
    GPtrArray *veventqs;       /* live struct sim_veventq * */
    GHashTable *mmaps;         /* address -> struct sim_viommu * */
};
extern struct sim_state sim;

void sim_state_init(void);
void sim_state_reset(void);
void sim_log_response(struct sim_fault_group *group, uint32_t code,
                      bool automatic);
void sim_log_inval(uint32_t hwpt_id, uint32_t data_type, const void *entry,
                   size_t len);
int sim_inject_ioctl_take(unsigned long cmd);
const char *sim_ioctl_name(unsigned long cmd);
bool sim_ioctl_by_name(const char *name, unsigned long *cmd);
int sim_inject_read_take(enum sim_queue_kind kind, size_t *count);
int sim_inject_write_take(enum sim_queue_kind kind);
bool sim_inject_raw_pending(enum sim_queue_kind kind);
ssize_t sim_inject_raw_take(enum sim_queue_kind kind, uint64_t buf,
                            size_t count);
void sim_iommufd_injected(unsigned long cmd, uint64_t arg);

/* ---- simulated DMA (dma.c) ---- */
struct sim_dma {
    uint64_t id;
    struct sim_pdev *pdev;
    int64_t pasid;
    uint64_t iova;
    uint32_t access;
    enum sim_dma_state state;
    uint64_t gpa;
    void *hva;
    unsigned int retries;
    int error;
    struct sim_fault_group *group; /* while FAULTED */
};
int sim_dma_start(struct sim_pdev *pdev, int64_t pasid, uint64_t iova,
                  uint32_t access, struct sim_dma **out);
void sim_dma_answered(struct sim_dma *dma, uint32_t code);
void sim_dma_info_fill(struct sim_dma *dma, struct sim_dma_info *out);
void sim_dma_free_all(void);

/* ---- control (control.c) ---- */
char *sim_control_exec(const char *line);
int sim_control_start(const char *path);
void sim_control_stop(void);

/*
 * The path libc should see for @path (into our tree, or @path itself);
 * @buf must be PATH_MAX long.  Takes the lock itself (sim.c).
 */
const char *sim_redirect(const char *path, char *buf);

/* ---- what the host does before a VMM runs (host.c) ---- */
/* sysfs the kernel has for a vfio-pci bound device, and iommu_groups */
bool sim_host_build_tree(const char *root, GPtrArray *pdevs);
/* Mark a /dev/iommu or VFIO cdev fd so another process can adopt it */
void sim_handoff_tag(int fd, bool vfio, unsigned int vfio_index);
/* An fd from another simulating process: make it ours (lock held) */
struct sim_file *sim_handoff_adopt(int fd);

#endif /* IOMMUFD_SIM_INTERNAL_H */
