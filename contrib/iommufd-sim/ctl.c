/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommufd-sim-ctl: send one control command to a running simulator and
 * print its reply.
 *
 *   iommufd-sim-ctl [-s SOCKET] COMMAND [ARGS...]
 *
 * The socket defaults to $IOMMUFD_SIM_SOCKET.  Exit status: 0 for an "OK"
 * reply, 1 for "ERR", 2 for usage or connection problems.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

static int connect_to(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        return -ENAMETOOLONG;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
        int err = errno;

        close(fd);
        return -err;
    }
    return fd;
}

static bool send_line(int fd, const char *line)
{
    size_t len = strlen(line);

    while (len) {
        ssize_t n = write(fd, line, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        line += n;
        len -= n;
    }
    return true;
}

/* Print reply lines up to the final OK/ERR one; return the exit status */
static int print_reply(int fd)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[4096];
    char *nl;

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "iommufd-sim-ctl: connection closed\n");
            return 2;
        }
        g_string_append_len(buf, chunk, n);
        while ((nl = memchr(buf->str, '\n', buf->len))) {
            g_autofree char *line = g_strndup(buf->str, nl - buf->str);

            g_string_erase(buf, 0, nl - buf->str + 1);
            puts(line);
            if (g_str_has_prefix(line, "OK")) {
                return 0;
            }
            if (g_str_has_prefix(line, "ERR")) {
                return 1;
            }
        }
    }
}

int main(int argc, char **argv)
{
    const char *path = g_getenv("IOMMUFD_SIM_SOCKET");
    g_autofree char *line = NULL;
    int first = 1, fd, rc;

    if (argc > 2 && !strcmp(argv[1], "-s")) {
        path = argv[2];
        first = 3;
    }
    if (!path || first >= argc) {
        fprintf(stderr,
                "usage: %s [-s SOCKET] COMMAND [ARGS...]\n"
                "       (SOCKET defaults to $IOMMUFD_SIM_SOCKET)\n",
                argv[0]);
        return 2;
    }
    fd = connect_to(path);
    if (fd < 0) {
        fprintf(stderr, "iommufd-sim-ctl: %s: %s\n", path, g_strerror(-fd));
        return 2;
    }
    line = g_strjoinv(" ", argv + first);
    if (!send_line(fd, line) || !send_line(fd, "\n")) {
        fprintf(stderr, "iommufd-sim-ctl: send failed\n");
        close(fd);
        return 2;
    }
    rc = print_reply(fd);
    close(fd);
    return rc;
}
