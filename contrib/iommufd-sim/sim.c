/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libc interposition and the fd table.
 *
 * Every fd we hand out is a real kernel fd (an eventfd), so poll(), fcntl()
 * (F_GETFL/F_SETFL O_NONBLOCK), dup-free close-on-exec handling and glib's
 * main loop all work without help; only the calls whose meaning we change
 * (open of our paths, ioctl/read/write/pread/pwrite/lseek/close of our fds,
 * and path lookups into the simulated sysfs) are intercepted here.
 *
 * Built without _FILE_OFFSET_BITS so that "open" and "open64" are two
 * distinct symbols we can both define.
 */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim-internal.h"

struct sim_libc sim_libc;

static int (*real_stat64)(const char *, struct stat64 *);
static int (*real_fstatat)(int, const char *, struct stat *, int);
static int (*real_fstatat64)(int, const char *, struct stat64 *, int);
static int (*real_statx)(int, const char *, int, unsigned int, struct statx *);
static int (*real_faccessat)(int, const char *, int, int);
static int (*real_lstat64)(const char *, struct stat64 *);
static FILE *(*real_fopen64)(const char *, const char *);

static pthread_once_t libc_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sim_mutex = PTHREAD_MUTEX_INITIALIZER;
static __thread unsigned int busy_depth;
static bool sim_initialised;
/* set by our constructor: glib is usable from then on */
static bool sim_loaded;

void *sim_need_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);

    if (!p) {
        /* Nothing sensible is possible without libc underneath. */
        fprintf(stderr, "iommufd-sim: cannot resolve %s\n", name);
        abort();
    }
    return p;
}

static void resolve_libc(void)
{
    sim_libc.openat = sim_need_sym("openat");
    sim_libc.read = sim_need_sym("read");
    sim_libc.write = sim_need_sym("write");
    sim_libc.pread = sim_need_sym("pread64");
    sim_libc.pwrite = sim_need_sym("pwrite64");
    sim_libc.lseek = sim_need_sym("lseek64");
    sim_libc.readv = sim_need_sym("readv");
    sim_libc.mmap = sim_need_sym("mmap64");
    sim_libc.munmap = sim_need_sym("munmap");
    sim_libc.writev = sim_need_sym("writev");
    sim_libc.close = sim_need_sym("close");
    sim_libc.ioctl = sim_need_sym("ioctl");
    sim_libc.opendir = sim_need_sym("opendir");
    sim_libc.readlink = sim_need_sym("readlink");
    sim_libc.access = sim_need_sym("access");
    sim_libc.stat = sim_need_sym("stat");
    sim_libc.lstat = sim_need_sym("lstat");
    sim_libc.fopen = sim_need_sym("fopen");
    real_stat64 = sim_need_sym("stat64");
    real_fstatat = sim_need_sym("fstatat");
    real_fstatat64 = sim_need_sym("fstatat64");
    real_statx = sim_need_sym("statx");
    real_faccessat = sim_need_sym("faccessat");
    real_lstat64 = sim_need_sym("lstat64");
    real_fopen64 = sim_need_sym("fopen64");
}

static inline void libc_ready(void)
{
    pthread_once(&libc_once, resolve_libc);
}

void sim_lock(void)
{
    libc_ready();
    pthread_mutex_lock(&sim_mutex);
    busy_depth++;
}

void sim_unlock(void)
{
    busy_depth--;
    pthread_mutex_unlock(&sim_mutex);
}

bool sim_busy(void)
{
    return busy_depth > 0;
}

/* For our own threads: every libc call they make is the simulator's own */
void sim_mark_thread_busy(void)
{
    busy_depth++;
}

void sim_init_locked(void)
{
    if (sim_initialised) {
        return;
    }
    sim_initialised = true;
    sim_state_init();
}

/*
 * Take the lock if this call may concern the simulator.  Calls made by the
 * simulator itself (through glib) and calls while inert go straight to libc.
 */
bool sim_enter(void)
{
    libc_ready();
    /*
     * Libraries initialised before us (glib itself among them) may open
     * files from their constructors; the simulator, built on glib, can't
     * run yet, and nothing of ours can have been opened anyway.
     */
    if (busy_depth || !__atomic_load_n(&sim_loaded, __ATOMIC_ACQUIRE)) {
        return false;
    }
    sim_lock();
    sim_init_locked();
    if (!sim.active) {
        sim_unlock();
        return false;
    }
    return true;
}

/*
 * Under LD_PRELOAD, come up before main() so that the control socket exists
 * even if the program takes a while to touch /dev/iommu.
 */
__attribute__((constructor)) static void sim_load(void)
{
    libc_ready();
    sim_lock();
    sim_init_locked();
    __atomic_store_n(&sim_loaded, true, __ATOMIC_RELEASE);
    sim_unlock();
}

int sim_reinit_for_test(void)
{
    int rc;

    /* the control thread takes the lock: stop it before we hold it */
    libc_ready();
    sim_control_stop();
    sim_lock();
    sim_initialised = true;
    sim_state_reset();
    sim_state_init();
    rc = sim.active ? 0 : -ENODEV;
    sim_unlock();
    return rc;
}

bool sim_is_active(void)
{
    bool active;

    sim_lock();
    sim_init_locked();
    active = sim.active;
    sim_unlock();
    return active;
}

/* ---- fd table ---- */

struct sim_file *sim_file_lookup(int fd)
{
    if (!sim.files) {
        return NULL;
    }
    return g_hash_table_lookup(sim.files, GINT_TO_POINTER(fd));
}

void sim_file_add(int fd, enum sim_file_kind kind, void *priv)
{
    struct sim_file *f = g_new0(struct sim_file, 1);

    f->fd = fd;
    f->kind = kind;
    f->ictx = priv; /* all union members are pointers */
    g_hash_table_insert(sim.files, GINT_TO_POINTER(fd), f);
}

static void sim_file_release(struct sim_file *f)
{
    switch (f->kind) {
    case SIM_FILE_IOMMUFD:
        sim_ictx_put(f->ictx);
        break;
    case SIM_FILE_VFIO:
        sim_vfio_release(f->vfio);
        break;
    case SIM_FILE_FAULT:
        sim_fault_fd_closed(f->fault);
        break;
    case SIM_FILE_VEVENTQ:
        sim_veventq_fd_closed(f->veventq);
        break;
    }
    g_free(f);
}

/* Placeholder fd for /dev/iommu and VFIO cdevs: real, pollable, inert */
static int placeholder_fd(int flags)
{
    int fd = sim_eventfd_new();

    if (fd >= 0 && !(flags & O_NONBLOCK)) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    if (fd >= 0 && !(flags & O_CLOEXEC)) {
        fcntl(fd, F_SETFD, 0);
    }
    return fd;
}

static int open_iommufd(int flags)
{
    int fd = placeholder_fd(flags);

    if (fd < 0) {
        return -errno;
    }
    sim_handoff_tag(fd, false, 0);
    sim_file_add(fd, SIM_FILE_IOMMUFD, sim_ictx_new());
    return fd;
}

static int open_vfio(struct sim_pdev *pdev, int flags)
{
    struct sim_vfio_file *vf;
    int fd = placeholder_fd(flags);

    if (fd < 0) {
        return -errno;
    }
    sim_handoff_tag(fd, true, pdev->vfio_index);
    vf = g_new0(struct sim_vfio_file, 1);
    vf->pdev = pdev;
    sim_file_add(fd, SIM_FILE_VFIO, vf);
    return fd;
}

static int ret_errno(long rc)
{
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return (int)rc;
}

static ssize_t ret_errno_ssize(ssize_t rc)
{
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

static int sim_openat(int dirfd, const char *path, int flags, mode_t mode)
{
    char buf[PATH_MAX];
    struct sim_pdev *pdev = NULL;
    enum sim_path_kind kind;
    int rc;

    if (!path || !sim_enter()) {
        return sim_libc.openat(dirfd, path, flags, mode);
    }
    kind = sim_path_resolve(path, buf, sizeof(buf), &pdev);
    switch (kind) {
    case SIM_PATH_IOMMUFD:
        rc = open_iommufd(flags);
        break;
    case SIM_PATH_VFIO:
        rc = open_vfio(pdev, flags);
        break;
    case SIM_PATH_REWRITTEN:
        sim_unlock();
        return sim_libc.openat(dirfd, buf, flags, mode);
    default:
        sim_unlock();
        return sim_libc.openat(dirfd, path, flags, mode);
    }
    sim_unlock();
    return ret_errno(rc);
}

static mode_t open_mode(int flags, va_list ap)
{
    if (flags & (O_CREAT | __O_TMPFILE)) {
        return va_arg(ap, mode_t);
    }
    return 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return sim_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return sim_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return sim_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return sim_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* _FORTIFY_SOURCE variants: same calls, minus the mode argument */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
    return sim_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
    return sim_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    return sim_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    return sim_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

int ioctl(int fd, unsigned long request, ...)
{
    struct sim_file *f;
    va_list ap;
    void *arg;
    long rc;

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);

    if (!sim_enter()) {
        return sim_libc.ioctl(fd, request, arg);
    }
    f = sim_file_lookup(fd);
    /* iommufd and VFIO share the ';' type: maybe an fd handed to us */
    if (!f && _IOC_TYPE(request) == IOMMUFD_TYPE) {
        f = sim_handoff_adopt(fd);
    }
    if (!f) {
        sim_unlock();
        return sim_libc.ioctl(fd, request, arg);
    }
    sim.stats.ioctls++;
    rc = sim_inject_ioctl_take(request);
    if (rc) {
        sim.stats.ioctls_injected++;
        if (f->kind == SIM_FILE_IOMMUFD) {
            sim_iommufd_injected(request, (uintptr_t)arg);
        }
    } else if (f->kind == SIM_FILE_IOMMUFD) {
        rc = sim_iommufd_ioctl(f->ictx, request, (uintptr_t)arg);
    } else if (f->kind == SIM_FILE_VFIO) {
        rc = sim_vfio_ioctl(f->vfio, request, (uintptr_t)arg);
    } else {
        /* event queue fds have no ioctls */
        rc = -ENOTTY;
    }
    sim_unlock();
    return ret_errno(rc);
}

static ssize_t queue_read(struct sim_file *f, void *buf, size_t count)
{
    enum sim_queue_kind kind =
        f->kind == SIM_FILE_FAULT ? SIM_QUEUE_FAULT : SIM_QUEUE_VEVENTQ;
    int rc = sim_inject_read_take(kind, &count);

    if (rc) {
        return rc;
    }
    if (kind == SIM_QUEUE_FAULT) {
        return sim_fault_read(f->fault, (uintptr_t)buf, count);
    }
    return sim_veventq_read(f->veventq, (uintptr_t)buf, count);
}

/* read()/pread() on one of our fds; off < 0 means "file position" */
static ssize_t sim_file_read(struct sim_file *f, void *buf, size_t count,
                             int64_t off)
{
    ssize_t rc;

    switch (f->kind) {
    case SIM_FILE_FAULT:
    case SIM_FILE_VEVENTQ:
        /* nonseekable_open(): no pread at all, whatever the offset */
        if (off >= 0) {
            return -ESPIPE;
        }
        return queue_read(f, buf, count);
    case SIM_FILE_VFIO:
        rc = sim_vfio_rw(f->vfio, (uintptr_t)buf, count,
                         off < 0 ? f->vfio->pos : (uint64_t)off, false);
        if (rc > 0 && off < 0) {
            f->vfio->pos += rc;
        }
        return rc;
    default:
        return -EINVAL;
    }
}

static ssize_t sim_file_write(struct sim_file *f, const void *buf, size_t count,
                              int64_t off)
{
    ssize_t rc;

    switch (f->kind) {
    case SIM_FILE_FAULT:
        if (off >= 0) {
            return -ESPIPE;
        }
        rc = sim_inject_write_take(SIM_QUEUE_FAULT);
        if (rc) {
            return rc;
        }
        return sim_fault_write(f->fault, (uintptr_t)buf, count);
    case SIM_FILE_VFIO:
        rc = sim_vfio_rw(f->vfio, (uintptr_t)buf, count,
                         off < 0 ? f->vfio->pos : (uint64_t)off, true);
        if (rc > 0 && off < 0) {
            f->vfio->pos += rc;
        }
        return rc;
    default:
        /* no write op: the VFS answers EINVAL */
        return -EINVAL;
    }
}

ssize_t read(int fd, void *buf, size_t count)
{
    struct sim_file *f;
    ssize_t rc;

    if (!sim_enter()) {
        return sim_libc.read(fd, buf, count);
    }
    f = sim_file_lookup(fd);
    if (!f) {
        sim_unlock();
        return sim_libc.read(fd, buf, count);
    }
    rc = sim_file_read(f, buf, count, -1);
    sim_unlock();
    return ret_errno_ssize(rc);
}

ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen)
{
    if (count > buflen) {
        abort();
    }
    return read(fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    struct sim_file *f;
    ssize_t rc;

    if (!sim_enter()) {
        return sim_libc.write(fd, buf, count);
    }
    f = sim_file_lookup(fd);
    if (!f) {
        sim_unlock();
        return sim_libc.write(fd, buf, count);
    }
    rc = sim_file_write(f, buf, count, -1);
    sim_unlock();
    return ret_errno_ssize(rc);
}

static ssize_t sim_pread(int fd, void *buf, size_t count, int64_t off)
{
    struct sim_file *f;
    ssize_t rc;

    if (!sim_enter()) {
        return sim_libc.pread(fd, buf, count, off);
    }
    f = sim_file_lookup(fd);
    if (!f) {
        sim_unlock();
        return sim_libc.pread(fd, buf, count, off);
    }
    rc = off < 0 ? -EINVAL : sim_file_read(f, buf, count, off);
    sim_unlock();
    return ret_errno_ssize(rc);
}

static ssize_t sim_pwrite(int fd, const void *buf, size_t count, int64_t off)
{
    struct sim_file *f;
    ssize_t rc;

    if (!sim_enter()) {
        return sim_libc.pwrite(fd, buf, count, off);
    }
    f = sim_file_lookup(fd);
    if (!f) {
        sim_unlock();
        return sim_libc.pwrite(fd, buf, count, off);
    }
    rc = off < 0 ? -EINVAL : sim_file_write(f, buf, count, off);
    sim_unlock();
    return ret_errno_ssize(rc);
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
    return sim_pread(fd, buf, count, off);
}

ssize_t pread64(int fd, void *buf, size_t count, off64_t off)
{
    return sim_pread(fd, buf, count, off);
}

ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off, size_t buflen)
{
    if (count > buflen) {
        abort();
    }
    return sim_pread(fd, buf, count, off);
}

ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t off,
                      size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t off,
                      size_t buflen)
{
    if (count > buflen) {
        abort();
    }
    return sim_pread(fd, buf, count, off);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
    return sim_pwrite(fd, buf, count, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off)
{
    return sim_pwrite(fd, buf, count, off);
}

static int64_t sim_lseek(int fd, int64_t off, int whence)
{
    struct sim_file *f;
    int64_t pos;

    if (!sim_enter()) {
        return sim_libc.lseek(fd, off, whence);
    }
    f = sim_file_lookup(fd);
    if (!f) {
        sim_unlock();
        return sim_libc.lseek(fd, off, whence);
    }
    if (f->kind != SIM_FILE_VFIO) {
        /* no .llseek on iommufd, nonseekable_open() queues */
        sim_unlock();
        errno = ESPIPE;
        return -1;
    }
    if (whence == SEEK_SET) {
        pos = off;
    } else if (whence == SEEK_CUR) {
        pos = (int64_t)f->vfio->pos + off;
    } else {
        pos = -1;
    }
    if (pos >= 0) {
        f->vfio->pos = pos;
    }
    sim_unlock();
    if (pos < 0) {
        errno = EINVAL;
        return -1;
    }
    return pos;
}

off_t lseek(int fd, off_t off, int whence)
{
    return sim_lseek(fd, off, whence);
}

off64_t lseek64(int fd, off64_t off, int whence)
{
    return sim_lseek(fd, off, whence);
}

/*
 * readv()/writev() on a file with only .read/.write: one call per iovec,
 * stopping at the first short transfer or error (do_loop_readv_writev()).
 */
static ssize_t sim_rw_vec(int fd, const struct iovec *iov, int iovcnt,
                          bool write)
{
    struct sim_file *f;
    ssize_t done = 0, rc = 0;

    if (!sim_enter()) {
        return write ? sim_libc.writev(fd, iov, iovcnt)
                     : sim_libc.readv(fd, iov, iovcnt);
    }
    f = sim_file_lookup(fd);
    if (!f) {
        sim_unlock();
        return write ? sim_libc.writev(fd, iov, iovcnt)
                     : sim_libc.readv(fd, iov, iovcnt);
    }
    if (iovcnt < 0 || iovcnt > IOV_MAX) {
        rc = -EINVAL;
    }
    for (int i = 0; !rc && i < iovcnt; i++) {
        if (!iov[i].iov_len) {
            continue;
        }
        rc = write ? sim_file_write(f, iov[i].iov_base, iov[i].iov_len, -1)
                   : sim_file_read(f, iov[i].iov_base, iov[i].iov_len, -1);
        if (rc < 0) {
            break;
        }
        done += rc;
        if ((size_t)rc != iov[i].iov_len) {
            break;
        }
        rc = 0;
    }
    sim_unlock();
    return ret_errno_ssize(done ? done : MIN(rc, 0));
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    return sim_rw_vec(fd, iov, iovcnt, false);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    return sim_rw_vec(fd, iov, iovcnt, true);
}

/*
 * mmap() of an iommufd: the regions a selftest vIOMMU offers.  Anonymous
 * mappings and other fds go straight to libc without the lock.
 */
static void *sim_mmap(void *addr, size_t len, int prot, int flags, int fd,
                      int64_t off)
{
    struct sim_file *f;
    void *ret;
    int err = 0;

    libc_ready();
    if (fd < 0 || (flags & MAP_ANONYMOUS) || !sim_enter()) {
        return sim_libc.mmap(addr, len, prot, flags, fd, off);
    }
    f = sim_file_lookup(fd);
    if (!f || f->kind != SIM_FILE_IOMMUFD) {
        sim_unlock();
        return sim_libc.mmap(addr, len, prot, flags, fd, off);
    }
    ret = sim_mock_mmap(f->ictx, len, prot, flags, off, &err);
    sim_unlock();
    if (ret == MAP_FAILED) {
        errno = err;
    }
    return ret;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return sim_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
    return sim_mmap(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
    if (sim_enter()) {
        if (g_hash_table_size(sim.mmaps)) {
            sim_mock_munmap(addr);
        }
        sim_unlock();
    }
    return sim_libc.munmap(addr, len);
}

int close(int fd)
{
    struct sim_file *f;
    int rc;

    if (!sim_enter()) {
        return sim_libc.close(fd);
    }
    f = sim_file_lookup(fd);
    if (f) {
        /* forget the number before libc can hand it out again */
        g_hash_table_steal(sim.files, GINT_TO_POINTER(fd));
        sim_file_release(f);
    }
    rc = sim_libc.close(fd);
    sim_unlock();
    return rc;
}

/* ---- path-based calls: redirect simulated devices into our tree ---- */

/*
 * Returns the path libc should see; buf must be PATH_MAX long.  Call it
 * before touching sim_libc: it is what makes sure libc is resolved.
 */
static const char *redirect(const char *path, char *buf)
{
    enum sim_path_kind kind;

    if (!path || !sim_enter()) {
        return path;
    }
    kind = sim_path_resolve(path, buf, PATH_MAX, NULL);
    sim_unlock();
    return kind == SIM_PATH_REAL ? path : buf;
}

/* For the interposers in other files (host.c: realpath). */
const char *sim_redirect(const char *path, char *buf)
{
    return redirect(path, buf);
}

DIR *opendir(const char *path)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_libc.opendir(p);
}

ssize_t readlink(const char *path, char *out, size_t len)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_libc.readlink(p, out, len);
}

int access(const char *path, int mode)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_libc.access(p, mode);
}

int stat(const char *path, struct stat *st)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_stat_fixup(AT_FDCWD, path, 0, sim_libc.stat(p, st), &st->st_mode,
                          &st->st_rdev);
}

int stat64(const char *path, struct stat64 *st)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_stat_fixup(AT_FDCWD, path, 0, real_stat64(p, st), &st->st_mode,
                          &st->st_rdev);
}

int lstat(const char *path, struct stat *st)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_stat_fixup(AT_FDCWD, path, 0, sim_libc.lstat(p, st),
                          &st->st_mode, &st->st_rdev);
}

int lstat64(const char *path, struct stat64 *st)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_stat_fixup(AT_FDCWD, path, 0, real_lstat64(p, st), &st->st_mode,
                          &st->st_rdev);
}

/* glibc's fopen opens internally, below the interposable layer */
FILE *fopen(const char *path, const char *mode)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_libc.fopen(p, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return real_fopen64(p, mode);
}

/* The *at() forms: only absolute paths can name our devices */
int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_stat_fixup(dirfd, path, flags, real_fstatat(dirfd, p, st, flags),
                          &st->st_mode, &st->st_rdev);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_stat_fixup(dirfd, path, flags,
                          real_fstatat64(dirfd, p, st, flags), &st->st_mode,
                          &st->st_rdev);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask,
          struct statx *st)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return sim_statx_fixup(dirfd, path, flags,
                           real_statx(dirfd, p, flags, mask, st), st);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    char buf[PATH_MAX];
    const char *p = redirect(path, buf);

    return real_faccessat(dirfd, p, mode, flags);
}
