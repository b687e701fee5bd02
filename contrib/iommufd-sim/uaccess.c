/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Access to the caller's memory.
 *
 * The kernel never trusts a user pointer: a bad one is EFAULT, not a crash.
 * We live in the caller's address space, so copy through process_vm_readv()
 * and process_vm_writev() on our own pid, which fail with EFAULT on an
 * unmapped range exactly like copy_{from,to}_user.  Where those syscalls are
 * forbidden (seccomp, old kernels) fall back to a plain memcpy.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim-internal.h"

/* Our pid, looked up once: one system call per copy is enough. */
static pid_t self_pid;

static void self_pid_forget(void)
{
    self_pid = 0;
}

static pid_t self(void)
{
    static bool registered;

    if (!registered) {
        pthread_atfork(NULL, NULL, self_pid_forget);
        registered = true;
    }
    if (!self_pid) {
        self_pid = getpid();
    }
    return self_pid;
}

static int vm_copy(void *local, uint64_t remote, size_t len, bool to_user)
{
    struct iovec l = {.iov_base = local, .iov_len = len};
    struct iovec r = {.iov_base = (void *)(uintptr_t)remote, .iov_len = len};
    ssize_t n;

    if (!len) {
        return 0;
    }
    if (!remote) {
        return -EFAULT;
    }
    n = to_user ? process_vm_writev(self(), &l, 1, &r, 1, 0)
                : process_vm_readv(self(), &l, 1, &r, 1, 0);
    if (n == (ssize_t)len) {
        /*
         * The range is known to be mapped now.  Write it once more the
         * ordinary way so that tools watching this process (valgrind,
         * which does not follow process_vm_writev into its own address
         * space) see the bytes as written.
         */
        if (to_user) {
            memcpy(r.iov_base, local, len);
        }
        return 0;
    }
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        if (to_user) {
            memcpy(r.iov_base, local, len);
        } else {
            memcpy(local, r.iov_base, len);
        }
        return 0;
    }
    return -EFAULT;
}

int sim_copy_from_user(void *dst, uint64_t uptr, size_t len)
{
    return vm_copy(dst, uptr, len, false);
}

int sim_copy_to_user(uint64_t uptr, const void *src, size_t len)
{
    return vm_copy((void *)src, uptr, len, true);
}

/*
 * Copy the pieces @iov[0..@cnt) one after the other to @uptr: what a
 * read() of several records does.  Like copy_to_user() on the whole
 * range it is one access check and one copy, whatever the number of
 * pieces; the caller stages its records as pieces instead of copying
 * each on its own.  Returns 0 or -EFAULT: the range is checked as a whole,
 * so on -EFAULT the caller redoes the pieces one by one to find where the
 * bad address starts (the rare path).
 */
int sim_copy_iov_to_user(uint64_t uptr, const struct iovec *iov,
                         unsigned int cnt)
{
    struct iovec r = {.iov_base = (void *)(uintptr_t)uptr};
    uint8_t *p;
    ssize_t n;

    for (unsigned int i = 0; i < cnt; i++) {
        r.iov_len += iov[i].iov_len;
    }
    if (!r.iov_len) {
        return 0;
    }
    if (!uptr) {
        return -EFAULT;
    }
    n = process_vm_writev(self(), iov, cnt, &r, 1, 0);
    if (n != (ssize_t)r.iov_len &&
        !(n < 0 && (errno == ENOSYS || errno == EPERM))) {
        return -EFAULT;
    }
    /* mapped: write it the ordinary way too (see vm_copy()) */
    p = r.iov_base;
    for (unsigned int i = 0; i < cnt; i++) {
        memcpy(p, iov[i].iov_base, iov[i].iov_len);
        p += iov[i].iov_len;
    }
    return 0;
}

int sim_clear_user(uint64_t uptr, size_t len)
{
    static const uint8_t zero[256];
    int rc;

    while (len) {
        size_t n = MIN(len, sizeof(zero));

        rc = sim_copy_to_user(uptr, zero, n);
        if (rc) {
            return rc;
        }
        uptr += n;
        len -= n;
    }
    return 0;
}

/*
 * copy_struct_from_user(): a shorter user struct is zero-extended, a longer
 * one is accepted only if the bytes we don't know are all zero (else E2BIG).
 */
int sim_copy_struct_from_user(void *dst, size_t ksize, uint64_t uptr,
                              size_t usize)
{
    size_t n = MIN(ksize, usize);
    uint8_t tail[64];
    int rc;

    memset(dst, 0, ksize);
    rc = sim_copy_from_user(dst, uptr, n);
    if (rc) {
        return rc;
    }
    for (size_t off = ksize; off < usize; off += sizeof(tail)) {
        size_t chunk = MIN(sizeof(tail), usize - off);

        rc = sim_copy_from_user(tail, uptr + off, chunk);
        if (rc) {
            return rc;
        }
        for (size_t i = 0; i < chunk; i++) {
            if (tail[i]) {
                return -E2BIG;
            }
        }
    }
    return 0;
}
