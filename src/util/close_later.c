/* close_later.c - a replaced file's last close on a thread (see gdsweep/close_later.h). */
#define _GNU_SOURCE /* O_PATH */
#include "gdsweep/close_later.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

int gd_hold_for_replacing(const char *path)
{
    /* O_PATH: a reference, not an open for reading (no read permission needed, no
     * filesystem open: a FIFO or a device is never opened, an on-access scanner sees no
     * open, an NFS client has no open file to silly-rename) */
    int fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void *close_it(void *arg)
{
    close((int)(intptr_t)arg);
    return NULL;
}

void gd_close_later(int fd)
{
    if (fd < 0)
        return;
    pthread_t t;
    pthread_attr_t attr;
    int started = 0;
    if (pthread_attr_init(&attr) == 0) {
        started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                  pthread_create(&t, &attr, close_it, (void *)(intptr_t)fd) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started)
        close(fd);
}
