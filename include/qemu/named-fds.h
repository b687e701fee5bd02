/*
 * Named file descriptors: the table behind QMP getfd/closefd, and the
 * lookup for properties that take an fd (util/named-fds.c).
 */
#ifndef QEMU_NAMED_FDS_H
#define QEMU_NAMED_FDS_H

#include "qapi/error.h"

/* Name @fd (now the table's); replaces and closes an fd of that name. */
bool named_fd_add(const char *name, int fd, Error **errp);
/* Close the fd named @name; its number, or -1 with @errp set. */
int named_fd_close(const char *name, Error **errp);
/*
 * An fd given as a property: a number (an fd this process holds) or a
 * name given to getfd, whose fd the caller then owns (*@owned true).
 * -1 with @errp set if neither.
 */
int monitor_fd_param(const char *str, bool *owned, Error **errp);

#endif
