/* close_later.h - a file let go of off the caller's path: its last close on a thread.
 *
 * Replacing a large file (rename over it, --overwrite) makes the kernel drop its cached
 * pages and free its blocks in the call that drops its last reference: 134 ms for a
 * 345 MB output on the dev VM, inside rename(), before the sweep could start. Holding a
 * reference to the old file across the rename moves that work to its last close. */
#ifndef GDSWEEP_CLOSE_LATER_H
#define GDSWEEP_CLOSE_LATER_H

/* A reference (O_PATH) to the regular file at path, held across its replacement (a
 * FIFO, a device or a symlink is not held): a descriptor, or -1 when there is nothing
 * to hold. */
int gd_hold_for_replacing(const char *path);

/* Closes fd (-1: nothing) on a detached thread, or here when no thread can start. A
 * process that exits first closes it in its exit. */
void gd_close_later(int fd);

#endif
