/* path_check.h - refusing paths that are not regular files before anything opens them.
 *
 * A FIFO blocks open() and read() until a writer comes, a device like /dev/zero never
 * ends, a directory cannot be read: each would hang or exhaust memory, so every file
 * gdsweep reads (the grid, the .h5 files of status, summary and merge) is checked here
 * first. Failures are usage errors (exit 2) naming the path and what it is instead. */
#ifndef GDSWEEP_PATH_CHECK_H
#define GDSWEEP_PATH_CHECK_H

#include <stddef.h>
#include <sys/stat.h>

#include "gdsweep/error.h"

/* "a FIFO", "a directory", "a character device", ...: what mode describes. */
const char *gd_path_kind(mode_t mode);

/* 0 when sb is a regular file; else fails "PATH is KIND, not a regular file; FIX". */
int gd_path_require_regular(const char *path, const struct stat *sb, const char *fix,
                            gd_error *err);

/* Reads the whole of path into a new NUL-terminated buffer (*text, *len), refusing
 * anything but a regular file of at most max_bytes (checked before and while reading,
 * so a file that grows meanwhile is refused too). Opening never blocks. `what` names
 * the file in messages ("grid file"). The caller frees *text. */
int gd_path_read_regular(const char *path, size_t max_bytes, const char *what, char **text,
                         size_t *len, gd_error *err);

#endif
