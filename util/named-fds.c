/*
 * Named file descriptors (QMP getfd/closefd), and how a property that
 * takes an fd finds one: a number (an fd this process already holds,
 * e.g. inherited from libvirt) or a name given to getfd.
 *
 * A named fd belongs to this table until a property takes it (then the
 * object owns it and closes it) or closefd closes it, as in QEMU.  It
 * lives in util so that backends (-object iommufd) and devices
 * (vfio-pci) can take fds without depending on the QMP server.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/named-fds.h"

/* Bound on names held at once: each holds an fd of this process. */
#define NAMED_FDS_MAX 64

static GHashTable *named_fds;   /* name -> fd (GINT_TO_POINTER) */

static GHashTable *named_fd_table(void)
{
    if (!named_fds) {
        named_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    }
    return named_fds;
}

bool named_fd_add(const char *name, int fd, Error **errp)
{
    gpointer old;

    /* As in QEMU, a name given again replaces (and closes) the old fd. */
    if (g_hash_table_lookup_extended(named_fd_table(), name, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    } else if (g_hash_table_size(named_fd_table()) >= NAMED_FDS_MAX) {
        error_setg(errp, "Too many named file descriptors (%d)",
                   NAMED_FDS_MAX);
        return false;
    }
    g_hash_table_insert(named_fd_table(), g_strdup(name), GINT_TO_POINTER(fd));
    return true;
}

int named_fd_close(const char *name, Error **errp)
{
    gpointer fd;

    if (!g_hash_table_lookup_extended(named_fd_table(), name, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return -1;
    }
    close(GPOINTER_TO_INT(fd));
    g_hash_table_remove(named_fd_table(), name);
    return GPOINTER_TO_INT(fd);
}

int monitor_fd_param(const char *str, bool *owned, Error **errp)
{
    uint64_t n;
    gpointer fd;

    *owned = false;
    if (g_ascii_isdigit(str[0])) {
        if (qemu_strtou64(str, &n) < 0 || n > INT_MAX ||
            fcntl(n, F_GETFD) < 0) {
            error_setg(errp, "Invalid file descriptor '%s'", str);
            return -1;
        }
        return n;
    }
    if (!g_hash_table_lookup_extended(named_fd_table(), str, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   str);
        return -1;
    }
    g_hash_table_remove(named_fd_table(), str);
    *owned = true;
    return GPOINTER_TO_INT(fd);
}
