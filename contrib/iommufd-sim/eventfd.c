/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Readiness of queue fds.
 *
 * A FAULT or vEVENTQ fd is an eventfd whose counter is kept non-zero exactly
 * while the queue has something to read, so that poll()/epoll and glib's
 * main loop see POLLIN at the same moments the kernel's poll op would report
 * EPOLLIN.  Nobody but us ever reads the counter: read() on these fds is
 * answered by the simulator.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "sim-internal.h"

int sim_eventfd_new(void)
{
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void sim_eventfd_set(int fd, bool *ready, bool want)
{
    uint64_t v = 1;

    if (fd < 0 || *ready == want) {
        return;
    }
    if (want) {
        if (sim_libc.write(fd, &v, sizeof(v)) == sizeof(v)) {
            *ready = true;
        }
    } else {
        /* drains the counter back to 0; EAGAIN means already 0 */
        if (sim_libc.read(fd, &v, sizeof(v)) == sizeof(v) || errno == EAGAIN) {
            *ready = false;
        }
    }
}
