/* path_check.c - refusing non-regular files and reading bounded regular ones
 * (see gdsweep/path_check.h). */
#include "gdsweep/path_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *gd_path_kind(mode_t mode)
{
    return S_ISREG(mode)    ? "a regular file"
           : S_ISDIR(mode)  ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "a special file";
}

int gd_path_require_regular(const char *path, const struct stat *sb, const char *fix,
                            gd_error *err)
{
    if (S_ISREG(sb->st_mode))
        return 0;
    return gd_fail(err, "%s is %s, not a regular file; %s", path, gd_path_kind(sb->st_mode),
                   fix);
}

static int too_big(const char *path, const char *what, size_t max_bytes, gd_error *err)
{
    return gd_fail(err, "%s: the %s is larger than %zu bytes (%zu MiB), the most gdsweep "
                   "reads; check that this is the right file", path, what, max_bytes,
                   max_bytes >> 20);
}

/* Reads fd to its end into *buf (grown as needed, never past max_bytes + 1 bytes: one
 * byte more than allowed tells "too big"). */
static int read_all(int fd, const char *path, const char *what, size_t max_bytes,
                    char **buf, size_t *len, gd_error *err)
{
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t bigger = cap ? (cap * 2 < max_bytes + 1 ? cap * 2 : max_bytes + 1) : 4096;
            char *p = realloc(*buf, bigger + 1);
            if (!p)
                return gd_fail_runtime(err, "%s: out of memory reading the %s", path, what);
            *buf = p;
            cap = bigger;
        }
        ssize_t got = read(fd, *buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return gd_fail(err, "%s: cannot read the %s: %s; check that it is a readable "
                           "file", path, what, strerror(errno));
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max_bytes)
            return too_big(path, what, max_bytes, err);
    }
    (*buf)[n] = '\0';
    *len = n;
    return 0;
}

int gd_path_read_regular(const char *path, size_t max_bytes, const char *what, char **text,
                         size_t *len, gd_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return gd_fail(err, "%s: cannot open the %s: %s; check the path", path, what,
                       strerror(errno));
    struct stat sb;
    char *buf = NULL;
    int rc = fstat(fd, &sb) != 0
                 ? gd_fail(err, "%s: cannot stat the %s: %s", path, what, strerror(errno))
                 : gd_path_require_regular(path, &sb, "name a regular file", err);
    if (rc == 0 && (uintmax_t)sb.st_size > max_bytes)
        rc = too_big(path, what, max_bytes, err);
    if (rc == 0)
        rc = read_all(fd, path, what, max_bytes, &buf, len, err);
    close(fd);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    *text = buf;
    return 0;
}
