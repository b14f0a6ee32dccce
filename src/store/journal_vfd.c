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
 * The file format is plain HDF5: no driver information is stored in the file, and h5py
 * or HDF5's tools read it with their own driver. */
#include "journal.h"
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define NO_CUT UINT64_MAX

/* What a file access property list carries: the journal's path ("" = FILE.journal). */
typedef struct journal_info {
    char journal[GD_PATH_MAX + 16];
} journal_info;

/* A write over committed bytes, held until the commit. */
typedef struct held_write {
    uint64_t addr, len;
    unsigned char *bytes;
} held_write;

typedef struct journal_file {
    H5FD_t pub; /* first: HDF5 sees this part */
    int fd, journal_fd;
    int writable;
    int torn; /* a commit failed after its journal was saved */
    int creating; /* created, journal not started: nothing held, nothing journaled */
    char journal[GD_PATH_MAX + 16];
    struct stat sb;     /* its inode names the owner of a journal */
    haddr_t eoa;
    uint64_t eof;       /* the file's size as HDF5 sees it */
    uint64_t committed; /* its size at the last commit: bytes below are journaled */
    uint64_t cut;       /* lowest size a truncation set below `committed` (NO_CUT: none) */
    held_write *held;
    size_t n_held, cap_held;
} journal_file;

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

/* ---- held writes -------------------------------------------------------------------- */

static void drop_held(journal_file *f)
{
    for (size_t i = 0; i < f->n_held; i++)
        free(f->held[i].bytes);
    f->n_held = 0;
}

/* Holds a copy of a write over committed bytes; a rewrite of the same range replaces its
 * copy (HDF5 rewrites the same object headers commit after commit). */
static int hold(journal_file *f, uint64_t addr, uint64_t len, const void *buf)
{
    for (size_t i = f->n_held; i-- > 0;)
        if (f->held[i].addr == addr && f->held[i].len == len) {
            memcpy(f->held[i].bytes, buf, (size_t)len);
            return 0;
        }
    if (f->n_held == f->cap_held) {
        size_t cap = f->cap_held ? 2 * f->cap_held : 64;
        held_write *grown = realloc(f->held, cap * sizeof *grown);
        if (!grown)
            return errno = ENOMEM, -1;
        f->held = grown, f->cap_held = cap;
    }
    unsigned char *copy = malloc((size_t)len);
    if (!copy)
        return errno = ENOMEM, -1;
    memcpy(copy, buf, (size_t)len);
    f->held[f->n_held++] = (held_write){addr, len, copy};
    return 0;
}

/* Copies the held bytes that fall in [addr, addr + len) over buf, oldest first. */
static void overlay_held(const journal_file *f, uint64_t addr, uint64_t len, unsigned char *buf)
{
    for (size_t i = 0; i < f->n_held; i++) {
        const held_write *h = &f->held[i];
        uint64_t from = h->addr > addr ? h->addr : addr;
        uint64_t to = h->addr + h->len < addr + len ? h->addr + h->len : addr + len;
        if (from < to)
            memcpy(buf + (from - addr), h->bytes + (from - h->addr), (size_t)(to - from));
    }
}

/* A truncation to `size` below the committed size: held bytes past it are gone. */
static void cut_held(journal_file *f, uint64_t size)
{
    for (size_t i = 0; i < f->n_held; i++)
        if (f->held[i].addr >= size)
            f->held[i].len = 0;
        else if (f->held[i].addr + f->held[i].len > size)
            f->held[i].len = size - f->held[i].addr;
}

/* ---- the commit --------------------------------------------------------------------- */

/* What a commit changes in the committed bytes: the spans where the held writes differ
 * from the file (HDF5 rewrites whole chunks and object headers of which a few bytes
 * change: a run's `written` flag, a dataset's extent), each with its old and new bytes,
 * and a tail that a truncation cut (its new bytes NULL: the file is cut there). Only
 * these are journaled and written. */
typedef struct change_set {
    gd_journal_range *spans;
    const unsigned char **old, **now;
    size_t n, cap;
    unsigned char **buffers; /* owned: the old and new images the spans point into */
    size_t n_buffers;
} change_set;

/* Old and new bytes are compared in blocks of this many: a span is whole blocks (a few
 * unchanged bytes journaled and rewritten cost less than a byte-by-byte scan). */
#define DIFF_BLOCK 64

static void changes_free(change_set *c)
{
    for (size_t i = 0; i < c->n_buffers; i++)
        free(c->buffers[i]);
    free(c->buffers);
    free(c->spans);
    free(c->old);
    free(c->now);
    memset(c, 0, sizeof *c);
}

/* A buffer of len bytes owned by the change set; NULL when out of memory. */
static unsigned char *change_buffer(change_set *c, uint64_t len)
{
    unsigned char **grown = realloc(c->buffers, (c->n_buffers + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    c->buffers = grown;
    unsigned char *b = len == (size_t)len ? malloc(len ? (size_t)len : 1) : NULL;
    if (b)
        c->buffers[c->n_buffers++] = b;
    return b;
}

static int add_span(change_set *c, uint64_t addr, uint64_t len, const unsigned char *old,
                    const unsigned char *now)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        gd_journal_range *spans = realloc(c->spans, cap * sizeof *spans);
        if (spans)
            c->spans = spans;
        const unsigned char **olds = spans ? realloc(c->old, cap * sizeof *olds) : NULL;
        if (olds)
            c->old = olds;
        const unsigned char **nows = olds ? realloc(c->now, cap * sizeof *nows) : NULL;
        if (!nows)
            return errno = ENOMEM, -1;
        c->now = nows, c->cap = cap;
    }
    c->spans[c->n] = (gd_journal_range){addr, len};
    c->old[c->n] = old;
    c->now[c->n++] = now;
    return 0;
}

static uint64_t block_at(uint64_t i, uint64_t len)
{
    return len - i < DIFF_BLOCK ? len - i : DIFF_BLOCK;
}

/* The spans of [addr, addr + len) where `now` differs from `old`, in whole blocks. */
static int diff_spans(change_set *c, uint64_t addr, uint64_t len, const unsigned char *old,
                      const unsigned char *now)
{
    for (uint64_t i = 0; i < len;) {
        if (memcmp(old + i, now + i, (size_t)block_at(i, len)) == 0) {
            i += block_at(i, len);
            continue;
        }
        uint64_t from = i;
        while (i < len && memcmp(old + i, now + i, (size_t)block_at(i, len)) != 0)
            i += block_at(i, len);
        if (add_span(c, addr + from, i - from, old + from, now + from) < 0)
            return -1;
    }
    return 0;
}

/* One merged range of held writes: the file's bytes, the held ones laid over them. */
static int diff_range(journal_file *f, change_set *c, gd_journal_range r)
{
    unsigned char *old = change_buffer(c, r.len), *now = old ? change_buffer(c, r.len) : NULL;
    if (!now)
        return errno = ENOMEM, -1;
    if (gd_read_at(f->fd, old, r.len, r.addr) < 0)
        return -1;
    memcpy(now, old, (size_t)r.len);
    overlay_held(f, r.addr, r.len, now);
    return diff_spans(c, r.addr, r.len, old, now);
}

/* The tail [cut, committed) a truncation removed: journaled whole, not written. */
static int cut_tail(journal_file *f, change_set *c)
{
    uint64_t len = f->committed - f->cut;
    unsigned char *old = change_buffer(c, len);
    if (!old)
        return errno = ENOMEM, -1;
    return gd_read_at(f->fd, old, len, f->cut) < 0 ? -1 : add_span(c, f->cut, len, old, NULL);
}

static int changes_of(journal_file *f, change_set *c)
{
    memset(c, 0, sizeof *c);
    gd_journal_range *held = malloc((f->n_held + 1) * sizeof *held);
    if (!held)
        return errno = ENOMEM, -1;
    size_t k = 0;
    for (size_t i = 0; i < f->n_held; i++)
        if (f->held[i].len)
            held[k++] = (gd_journal_range){f->held[i].addr, f->held[i].len};
    k = gd_journal_merge_ranges(held, k);
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++)
        rc = diff_range(f, c, held[i]);
    free(held);
    return rc == 0 && f->cut < f->committed ? cut_tail(f, c) : rc;
}

static int save_journal(journal_file *f, const change_set *c)
{
    if (f->journal_fd < 0)
        f->journal_fd = open(f->journal, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    return f->journal_fd < 0 ? -1
                             : gd_journal_save(f->journal_fd, &f->sb, f->committed, c->spans,
                                               c->old, c->n);
}

/* Zeros over a truncated tail that later writes extended again, then the changed spans. */
static int apply_changes(journal_file *f, const change_set *c, uint64_t size)
{
    static const unsigned char zeros[65536];
    for (uint64_t at = f->cut; at < f->committed && at < size;) {
        uint64_t end = f->committed < size ? f->committed : size;
        uint64_t len = end - at < sizeof zeros ? end - at : sizeof zeros;
        if (gd_write_at(f->fd, zeros, len, at) < 0)
            return -1;
        at += len;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->now[i] && gd_write_at(f->fd, c->now[i], c->spans[i].len, c->spans[i].addr) < 0)
            return -1;
    return 0;
}

static int set_size(journal_file *f, uint64_t size)
{
    struct stat now;
    if (fstat(f->fd, &now) < 0)
        return -1;
    return (uint64_t)now.st_size == size ? 0 : ftruncate(f->fd, (off_t)size);
}

/* Journal, write, empty the journal. The file ends at least at HDF5's end of allocation,
 * so the superblock written in this commit never points past the end of the file. Once
 * a commit failed after its journal was saved, the file is torn and the journal is the
 * only record of its old bytes: nothing more is written (the next writer rolls it back). */
static int commit(journal_file *f)
{
    if (!f->writable)
        return 0;
    if (f->torn)
        return errno = EIO, -1;
    uint64_t size = f->eof > f->eoa ? f->eof : f->eoa;
    if (f->creating) /* nothing held (committed is 0): the file is as written */
        return set_size(f, size) < 0 ? -1 : (f->eof = size, 0);
    change_set c;
    int rc = changes_of(f, &c), journaled = rc == 0 && c.n > 0;
    if (journaled)
        rc = save_journal(f, &c);
    if (rc < 0) {
        changes_free(&c);
        return -1; /* the file is untouched */
    }
    f->torn = journaled;
    rc = apply_changes(f, &c, size);
    changes_free(&c);
    if (rc < 0 || set_size(f, size) < 0 ||
        (journaled && (fsync(f->fd) < 0 || gd_journal_clear(f->journal_fd) < 0)))
        return -1;
    f->torn = 0;
    drop_held(f);
    f->eof = f->committed = size;
    f->cut = NO_CUT;
    return 0;
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
            rc = hold(f, j.ranges[i].addr, j.ranges[i].len, j.bytes + at);
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
    drop_held(f);
    free(f->held);
    free(f);
    return NULL;
}

static herr_t journal_close(H5FD_t *file)
{
    journal_file *f = (journal_file *)file;
    int rc = commit(f);
    if (rc < 0)
        fail(__func__, "unable to commit the file");
    if (f->journal_fd >= 0) {
        close(f->journal_fd);
        if (rc == 0 && !f->torn) /* empty: the last commit completed */
            unlink(f->journal);
    }
    if (close(f->fd) < 0 && rc == 0)
        rc = fail(__func__, "unable to close file");
    drop_held(f);
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
    overlay_held(f, addr, size, buf);
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
    if (below && hold(f, addr, below, buf) < 0)
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
        cut_held(f, size);
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
    return commit((journal_file *)file) < 0 ? fail(__func__, "unable to commit the file") : 0;
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

int gd_h5_start_journal(hid_t file)
{
    hid_t fapl = H5Fget_access_plist(file);
    int ours = fapl >= 0 && H5Pget_driver(fapl) == journal_driver();
    if (fapl >= 0)
        H5Pclose(fapl);
    void *handle = NULL;
    if (!ours || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || !handle)
        return -1;
    /* the handle is the descriptor inside this driver's own record (journal_get_handle) */
    journal_file *f = (journal_file *)((char *)handle - offsetof(journal_file, fd));
    if (!f->creating)
        return 0;
    uint64_t size = f->eof > f->eoa ? f->eof : f->eoa;
    if (set_size(f, size) < 0 || fsync(f->fd) < 0)
        return -1;
    f->creating = 0;
    f->eof = f->committed = size;
    return 0;
}
