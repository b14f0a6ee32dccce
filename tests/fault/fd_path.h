/* fd_path.h - the path an open descriptor names, for the fault injectors (LD_PRELOAD)
 * that act on one file only. */
#ifndef GD_FAULT_FD_PATH_H
#define GD_FAULT_FD_PATH_H

#include <stdio.h>
#include <unistd.h>

/* What /proc/self/fd/FD links to, into path (size bytes): 0, or -1 when it cannot be read. */
static inline int fd_path(int fd, char *path, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, size - 1);
    if (n < 0)
        return -1;
    path[n] = '\0';
    return 0;
}

#endif
