/* journal.h - the rollback journal that makes each commit of an HDF5 file all-or-nothing
 * (private to src/store/).
 *
 * Before a commit overwrites bytes that the last commit left in the file, their old
 * contents are saved to FILE.journal and made durable; then the file is written; then
 * the journal is emptied (the commit point). A commit cut short (a kill, a failed write,
 * a crash) leaves a valid journal: writing its old bytes back and cutting the file to
 * its recorded size gives the file exactly as the last commit left it, as SQLite's
 * rollback journal does for its pages. A journal whose checksum fails was cut short
 * before the file was touched, and one made for another file (its inode differs) is
 * stale: both are ignored. (gdsweep removes OUT's journal whenever it moves a new file
 * into place, so a new file that reuses an old inode never meets the old journal.)
 *
 * Layout (integers little-endian): "GDSWJNL1", size to return to, device (recorded, not
 * compared), inode, entry count, body length, SHA-256 of those five numbers and the body;
 * then the body, for each entry: address, length, the old bytes (none when the length has
 * its top bit set: the old bytes were all zeros). */
#ifndef GDSWEEP_JOURNAL_H
#define GDSWEEP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* A byte range of the file: [addr, addr + len). */
typedef struct gd_journal_range {
    uint64_t addr, len;
} gd_journal_range;

/* A journal read back: the old bytes of each range, one after another in `bytes`. */
typedef struct gd_journal {
    uint64_t size;            /* the file's size at the last commit */
    gd_journal_range *ranges;
    size_t count;
    unsigned char *bytes;
} gd_journal;

/* Sorts and merges `ranges` (n of them; modified in place) and returns how many remain. */
size_t gd_journal_merge_ranges(gd_journal_range *ranges, size_t n);

/* Saves the old bytes old[i] of each of the n `ranges` (all below `size`) of the file
 * identified by sb into the journal open as journal_fd, and makes it durable. 0, or -1
 * with errno. */
int gd_journal_save(int journal_fd, const struct stat *sb, uint64_t size,
                    const gd_journal_range *ranges, const unsigned char *const *old, size_t n);

/* Empties the journal (durably): the commit point. 0 / -1 with errno. */
int gd_journal_clear(int journal_fd);

/* Reads the journal at `path` for the file identified by sb: 1 and *j filled when it is
 * valid for this file; 0 when there is none, or it is empty, cut short or stale; -1 with
 * errno when it cannot be read. */
int gd_journal_load(const char *path, const struct stat *sb, gd_journal *j);

/* Writes the journal's old bytes back into file_fd and cuts the file to j->size,
 * durably. 0 / -1 with errno. */
int gd_journal_restore(int file_fd, const gd_journal *j);

void gd_journal_free(gd_journal *j);

/* The commit lock (commit_lock.c), on the HDF5 file's descriptor fd. The writer holds it
 * exclusively while a commit writes: 1 held; 0 not held (no record locks here, or a
 * reader kept it a minute: warned once on stderr); -1 with errno. */
int gd_commit_lock_writer(int fd);
/* The same with a wait other than a minute (tests). */
int gd_commit_lock_writer_wait(int fd, double wait_seconds);
/* A reader holds it shared while it has the file open; waits up to wait_seconds for a
 * commit to end (-1 with errno EAGAIN or EACCES past that). */
int gd_commit_lock_reader(int fd, double wait_seconds);
void gd_commit_unlock(int fd);

/* pread/pwrite of exactly len bytes (retried on EINTR and short counts); a read past the
 * end of the file fills with zeros. 0 / -1 with errno. */
int gd_read_at(int fd, void *buf, uint64_t len, uint64_t at);
int gd_write_at(int fd, const void *buf, uint64_t len, uint64_t at);

#endif
