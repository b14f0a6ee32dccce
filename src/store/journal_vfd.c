/* journal_vfd.c - an HDF5 file driver (POSIX, like HDF5's sec2) whose commits are atomic:
 * the bytes of the last commit are overwritten only through the rollback journal.
 *
 * Writes past the size of the last commit go to the file at once (nothing committed
 * lives there). Writes over committed bytes are held in memory (reads see them) until
 * HDF5 flushes or closes the file: then their old bytes go to FILE.journal, made durable,
 * then the held writes reach the file, then the journal is emptied (journal.h). A commit
 * cut short by a kill or a failed write leaves a valid journal; the next writer opening
 * the file writes the old bytes back first, and a reader sees the old bytes in place of
 * the torn ones (nothing written), so both see the file as its last commit left it.
 *
 * A file the driver creates is journaled only from gd_h5_start_journal on: gdsweep lays a
 * new file out as OUT.creating and renames it into place, and until then a torn file is
 * discarded whole, so a journal (named after OUT) would only stand in the way of the file
 * it replaces.
 *
 * This file is the driver (opening with its roll-back, reads, writes, truncation, the
 * driver table); holding writes and the commit itself are journal_commit.c. The file
 * format is plain HDF5: no driver information is stored in the file, and h5py or HDF5's
 * tools read it with their own driver. */
#include "journal.h"
#include "journal_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* What a file access property list carries: the journal's path ("" = FILE.journal). */
typedef struct journal_info {
    char journal[GD_PATH_MAX + 16];
} journal_info;

/* ---- errors ------------------------------------------------------------------------- */

/* Pushes a system error the way HDF5's own drivers word it ("errno = N"), so that the
 * store names the cause (ENOSPC, EIO) in its message. */
static herr_t fail(const char *func, const char *what)
{
    int e = errno;
    H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_VFL, H5E_WRITEERROR,
             "%s, errno = %d, error message = '%s'", what, e, strerror(e));
    errno = e;
    return -1;
}

/* ---- opening: a torn commit rolled back (writer) or seen rolled back (reader) -------- */

static int roll_back(journal_file *f)
{
    gd_journal j;
    int found = gd_journal_load(f->journal, &f->sb, &j);
    if (found < 0)
        return -1;
    int rc = 0;
    if (found && f->writable) {
        rc = gd_journal_restore(f->fd, &j);
        f->eof = j.size;
    } else if (found) { /* a reader: the old bytes held in place of the torn ones */
        for (size_t i = 0, at = 0; i < j.count && rc == 0; at += j.ranges[i].len, i++)
            rc = gd_jfile_hold(f, j.ranges[i].addr, j.ranges[i].len, j.bytes + at);
        f->eof = j.size;
    }
    gd_journal_free(&j);
    if (rc == 0 && found && f->writable && unlink(f->journal) < 0 && errno != ENOENT)
        rc = -1; /* a writer removes the journal it restored */
    return rc;
}

static int open_flags(unsigned flags)
{
    int o = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
    if (flags & H5F_ACC_TRUNC)
        o |= O_TRUNC;
    if (flags & H5F_ACC_CREAT)
        o |= O_CREAT;
    if (flags & H5F_ACC_EXCL)
        o |= O_EXCL;
    return o | O_CLOEXEC;
}

static void name_journal(journal_file *f, const char *name, hid_t fapl)
{
    const journal_info *info = H5Pget_driver_info(fapl);
    if (info && info->journal[0])
        snprintf(f->journal, sizeof f->journal, "%s", info->journal);
    else
        snprintf(f->journal, sizeof f->journal, "%s%s", name, GD_JOURNAL_SUFFIX);
}

static H5FD_t *journal_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
    (void)maxaddr;
    journal_file *f = calloc(1, sizeof *f);
    if (!f)
        return errno = ENOMEM, fail(__func__, "out of memory"), NULL;
    f->journal_fd = -1;
    f->cut = NO_CUT;
    f->writable = (flags & H5F_ACC_RDWR) != 0;
    f->creating = (flags & (H5F_ACC_TRUNC | H5F_ACC_CREAT)) != 0;
    name_journal(f, name, fapl);
    f->fd = open(name, open_flags(flags), 0644);
    if (f->fd < 0 || fstat(f->fd, &f->sb) < 0) {
        fail(__func__, "unable to open file");
        goto failed;
    }
    f->eof = (uint64_t)f->sb.st_size;
    if (!f->creating && roll_back(f) < 0) {
        fail(__func__, "unable to roll back the interrupted commit recorded in its journal");
        goto failed;
    }
    f->committed = f->writable && !f->creating ? f->eof : 0;
    return &f->pub;
failed:
    if (f->fd >= 0)
        close(f->fd);
    gd_jfile_drop_held(f);
    free(f->held);
    free(f);
    return NULL;
}

static herr_t journal_close(H5FD_t *file)
{
    journal_file *f = (journal_file *)file;
    int rc = gd_jfile_commit(f) < 0 || gd_jfile_settle(f) < 0 ? -1 : 0;
    if (rc < 0)
        fail(__func__, "unable to commit the file");
    if (f->journal_fd >= 0) {
        close(f->journal_fd);
        if (rc == 0 && !f->torn) /* empty: the last commit completed */
            unlink(f->journal);
    }
    if (close(f->fd) < 0 && rc == 0)
        rc = fail(__func__, "unable to close file");
    gd_jfile_drop_held(f);
    free(f->held);
    free(f);
    return rc;
}

/* ---- reads and writes --------------------------------------------------------------- */

static herr_t journal_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                           size_t size, void *buf)
{
    (void)type, (void)dxpl;
    journal_file *f = (journal_file *)file;
    if (addr + size < addr || addr + size > f->eoa)
        return errno = EINVAL, fail(__func__, "addr overflow");
    uint64_t on_disk = addr < f->eof ? (f->eof - addr < size ? f->eof - addr : size) : 0;
    if (gd_read_at(f->fd, buf, on_disk, addr) < 0)
        return fail(__func__, "file read failed");
    memset((unsigned char *)buf + on_disk, 0, size - on_disk);
    if (f->cut < f->committed && addr + size > f->cut && addr < f->committed) {
        uint64_t from = addr > f->cut ? addr : f->cut;
        uint64_t to = addr + size < f->committed ? addr + size : f->committed;
        memset((unsigned char *)buf + (from - addr), 0, (size_t)(to - from));
    }
    gd_jfile_overlay_held(f, addr, size, buf);
    return 0;
}

static herr_t journal_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                            size_t size, const void *buf)
{
    (void)type, (void)dxpl;
    journal_file *f = (journal_file *)file;
    if (addr + size < addr || addr + size > f->eoa)
        return errno = EINVAL, fail(__func__, "addr overflow");
    uint64_t below = addr < f->committed ? (f->committed - addr < size ? f->committed - addr : size) : 0;
    if (below && gd_jfile_hold(f, addr, below, buf) < 0)
        return fail(__func__, "file write failed");
    if (size > below &&
        gd_write_at(f->fd, (const unsigned char *)buf + below, size - below, addr + below) < 0)
        return fail(__func__, "file write failed");
    if (addr + size > f->eof)
        f->eof = addr + size;
    return 0;
}

/* A cut below the committed size is held until the commit (the old tail is journaled);
 * above it, nothing committed is lost and the file is cut at once. */
static herr_t journal_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
    (void)dxpl, (void)closing;
    journal_file *f = (journal_file *)file;
    if (!f->writable || f->eoa >= f->eof) {
        if (f->writable)
            f->eof = f->eoa; /* grown: the commit extends the file */
        return 0;
    }
    uint64_t size = f->eoa;
    if (size < f->committed) {
        gd_jfile_cut_held(f, size);
        if (size < f->cut)
            f->cut = size;
    }
    if (ftruncate(f->fd, (off_t)(size > f->committed ? size : f->committed)) < 0)
        return fail(__func__, "unable to extend file properly");
    f->eof = size;
    return 0;
}

static herr_t journal_flush(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
    (void)dxpl, (void)closing;
    return gd_jfile_commit((journal_file *)file) < 0 ? fail(__func__, "unable to commit the file") : 0;
}

/* ---- the rest of the driver --------------------------------------------------------- */

static haddr_t journal_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const journal_file *)file)->eoa;
}

static herr_t journal_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
    (void)type;
    ((journal_file *)file)->eoa = addr;
    return 0;
}

static haddr_t journal_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const journal_file *)file)->eof;
}

static herr_t journal_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
    (void)fapl;
    *handle = &((journal_file *)file)->fd;
    return 0;
}

static int journal_cmp(const H5FD_t *a, const H5FD_t *b)
{
    const struct stat *x = &((const journal_file *)a)->sb, *y = &((const journal_file *)b)->sb;
    if (x->st_dev != y->st_dev)
        return x->st_dev < y->st_dev ? -1 : 1;
    return x->st_ino < y->st_ino ? -1 : x->st_ino > y->st_ino;
}

/* The layout features of HDF5's sec2 driver, so files are laid out as sec2 lays them. */
static herr_t journal_query(const H5FD_t *file, unsigned long *flags)
{
    (void)file;
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA |
             H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA;
    return 0;
}

/* HDF5's own file lock (when HDF5_USE_FILE_LOCKING allows it); a file system without
 * flock is not an error, as with HDF5's best-effort setting. */
static herr_t journal_lock(H5FD_t *file, hbool_t rw)
{
    if (flock(((journal_file *)file)->fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 ||
        errno == ENOSYS)
        return 0;
    return fail(__func__, "unable to lock file");
}

static herr_t journal_unlock(H5FD_t *file)
{
    if (flock(((journal_file *)file)->fd, LOCK_UN) == 0 || errno == ENOSYS)
        return 0;
    return fail(__func__, "unable to unlock file");
}

static const H5FD_class_t journal_class = {
    .name = "gdsweep_journal",
    .maxaddr = (haddr_t)INT64_MAX,
    .fc_degree = H5F_CLOSE_WEAK,
    .fapl_size = sizeof(journal_info),
    .open = journal_open,
    .close = journal_close,
    .cmp = journal_cmp,
    .query = journal_query,
    .get_eoa = journal_get_eoa,
    .set_eoa = journal_set_eoa,
    .get_eof = journal_get_eof,
    .get_handle = journal_get_handle,
    .read = journal_read,
    .write = journal_write,
    .flush = journal_flush,
    .truncate = journal_truncate,
    .lock = journal_lock,
    .unlock = journal_unlock,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

static hid_t journal_driver(void)
{
    static hid_t id = H5I_INVALID_HID;
    if (id < 0 || H5Iis_valid(id) <= 0)
        id = H5FDregister(&journal_class);
    return id;
}

int gd_h5_use_journal(hid_t fapl, const char *journal_path)
{
    journal_info info = {{0}};
    if (journal_path && snprintf(info.journal, sizeof info.journal, "%s", journal_path) >=
                            (int)sizeof info.journal)
        return -1;
    hid_t driver = journal_driver();
    return driver >= 0 && H5Pset_driver(fapl, driver, &info) >= 0 ? 0 : -1;
}

/* The driver's record of an open file, or NULL when the file is not open through it. */
static journal_file *journal_of(hid_t file)
{
    hid_t fapl = H5Fget_access_plist(file);
    int ours = fapl >= 0 && H5Pget_driver(fapl) == journal_driver();
    if (fapl >= 0)
        H5Pclose(fapl);
    void *handle = NULL;
    if (!ours || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || !handle)
        return NULL;
    /* the handle is the descriptor inside this driver's own record (journal_get_handle) */
    return (journal_file *)((char *)handle - offsetof(journal_file, fd));
}

int gd_h5_settle_journal(hid_t file)
{
    journal_file *f = journal_of(file);
    return f && (gd_jfile_settle(f) < 0 || f->sync_failed) ? -1 : 0;
}

int gd_h5_reserve_journal(hid_t file, uint64_t most)
{
    journal_file *f = journal_of(file);
    return f ? gd_jfile_reserve_journal(f, most) : 0;
}

void gd_h5_release_journal(hid_t file)
{
    journal_file *f = journal_of(file);
    if (f)
        gd_jfile_release_journal(f);
}

int gd_h5_journal_syncing(hid_t file)
{
    journal_file *f = journal_of(file);
    return f && gd_jfile_syncing(f);
}

int gd_h5_start_journal(hid_t file)
{
    journal_file *f = journal_of(file);
    if (!f)
        return -1;
    if (!f->creating)
        return 0;
    uint64_t size = f->eof > f->eoa ? f->eof : f->eoa;
    if (gd_jfile_set_size(f, size) < 0 || fsync(f->fd) < 0)
        return -1;
    f->creating = 0;
    f->eof = f->committed = size;
    return 0;
}
