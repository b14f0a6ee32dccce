/* journal_commit.c - a journaled file's commit: writes over committed bytes held, then
 * diffed against the file, journaled, written and synced as one all-or-nothing step.
 *
 * The held writes are what HDF5 wrote over bytes of the last commit since then (reads see
 * them: journal_vfd.c). The commit compares them with the file in DIFF_BLOCK blocks and
 * keeps only the changed spans (journal_file.h, journal.h).
 *
 * The commit's last step, syncing the file and then emptying the journal (the commit
 * point), waits on the disk, not the CPU: it runs on a thread of its own while the sweep
 * computes the next batch, and the next commit (or the close) waits for it first. The
 * order of the steps is unchanged, so a kill or a power cut at any moment still leaves
 * either this commit or, with its journal, the one before. */
#define _GNU_SOURCE /* fallocate */
#include "journal.h"
#include "journal_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- held writes -------------------------------------------------------------------- */

void gd_jfile_drop_held(journal_file *f)
{
    for (size_t i = 0; i < f->n_held; i++)
        free(f->held[i].bytes);
    f->n_held = 0;
}

/* Holds a copy of a write over committed bytes; a rewrite of the same range replaces its
 * copy (HDF5 rewrites the same object headers commit after commit). */
int gd_jfile_hold(journal_file *f, uint64_t addr, uint64_t len, const void *buf)
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
void gd_jfile_overlay_held(const journal_file *f, uint64_t addr, uint64_t len,
                           unsigned char *buf)
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
void gd_jfile_cut_held(journal_file *f, uint64_t size)
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
    unsigned char *joins; /* joins[i]: span i's new bytes follow span i-1's in one image */
    size_t n, cap;
    unsigned char **buffers; /* owned: the old and new images the spans point into */
    size_t n_buffers;
} change_set;

/* Old and new bytes are compared in blocks of this many: a span is whole blocks (a few
 * unchanged bytes journaled and rewritten cost less than a byte-by-byte scan). */
#define DIFF_BLOCK 64

/* Spans of one image at most this far apart are written with one pwrite, the unchanged
 * bytes between them included (they equal the file's: writing them changes nothing, a
 * kill mid-write included). The `written` marks of a batch, one byte per runs-table row,
 * were one 64-byte pwrite per row. */
#define WRITE_GAP 4096

static void changes_free(change_set *c)
{
    for (size_t i = 0; i < c->n_buffers; i++)
        free(c->buffers[i]);
    free(c->buffers);
    free(c->spans);
    free(c->old);
    free(c->now);
    free(c->joins);
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
                    const unsigned char *now, int joins)
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
        if (nows)
            c->now = nows;
        unsigned char *j = nows ? realloc(c->joins, cap) : NULL;
        if (!j)
            return errno = ENOMEM, -1;
        c->joins = j, c->cap = cap;
    }
    c->joins[c->n] = (unsigned char)joins;
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
    int joins = 0;
    for (uint64_t i = 0; i < len;) {
        if (memcmp(old + i, now + i, (size_t)block_at(i, len)) == 0) {
            i += block_at(i, len);
            continue;
        }
        uint64_t from = i;
        while (i < len && memcmp(old + i, now + i, (size_t)block_at(i, len)) != 0)
            i += block_at(i, len);
        if (add_span(c, addr + from, i - from, old + from, now + from, joins) < 0)
            return -1;
        joins = 1;
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
    gd_jfile_overlay_held(f, r.addr, r.len, now);
    return diff_spans(c, r.addr, r.len, old, now);
}

/* The tail [cut, committed) a truncation removed: journaled whole, not written. */
static int cut_tail(journal_file *f, change_set *c)
{
    uint64_t len = f->committed - f->cut;
    unsigned char *old = change_buffer(c, len);
    if (!old)
        return errno = ENOMEM, -1;
    return gd_read_at(f->fd, old, len, f->cut) < 0 ? -1 : add_span(c, f->cut, len, old, NULL, 0);
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

static int open_journal(journal_file *f)
{
    if (f->journal_fd < 0)
        f->journal_fd = open(f->journal, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    return f->journal_fd < 0 ? -1 : 0;
}

/* Allocates the journal's first `bytes` bytes on the disk (a file system that cannot: 0). */
static int allocate_journal(journal_file *f, uint64_t bytes)
{
    if (open_journal(f) < 0)
        return -1;
    if (bytes == 0 || fallocate(f->journal_fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) == 0)
        return 0;
    return errno == EOPNOTSUPP || errno == ENOSYS ? 0 : -1;
}

/* Allocates the room reserved for it again first: the last commit's syncs, which emptied
 * the journal, may have freed the allocation made at the reservation. */
static int save_journal(journal_file *f, const change_set *c)
{
    struct stat jb;
    if (allocate_journal(f, f->journal_room) < 0 ||
        gd_journal_save(f->journal_fd, &f->sb, f->committed, c->spans, c->old, c->n) < 0)
        return -1;
    if (fstat(f->journal_fd, &jb) == 0 && (uint64_t)jb.st_size > f->largest_journal)
        f->largest_journal = (uint64_t)jb.st_size;
    return 0;
}

int gd_jfile_reserve_journal(journal_file *f, uint64_t most)
{
    if (!f->writable || f->creating || f->torn)
        return 0;
    uint64_t bytes = 2 * f->largest_journal + 65536;
    f->journal_room = bytes < most ? most : bytes;
    return allocate_journal(f, f->journal_room);
}

void gd_jfile_release_journal(journal_file *f)
{
    if (f->journal_fd >= 0 && !f->torn && !f->syncing)
        (void)ftruncate(f->journal_fd, 0); /* frees the blocks allocated past its end */
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
    for (size_t i = 0, j; i < c->n; i = j) {
        uint64_t end = c->spans[i].addr + c->spans[i].len;
        for (j = i + 1; j < c->n && c->joins[j] && c->spans[j].addr - end <= WRITE_GAP; j++)
            end = c->spans[j].addr + c->spans[j].len;
        uint64_t at = c->spans[i].addr;
        if (c->now[i] && gd_write_at(f->fd, c->now[i], end - at, at) < 0)
            return -1;
    }
    return 0;
}

int gd_jfile_set_size(journal_file *f, uint64_t size)
{
    struct stat now;
    if (fstat(f->fd, &now) < 0)
        return -1;
    return (uint64_t)now.st_size == size ? 0 : ftruncate(f->fd, (off_t)size);
}

/* ---- the syncs, in the background ------------------------------------------------------ */

/* The file made durable, then the journal emptied (the commit point); the commit lock let
 * go when the commit took it. */
static void *sync_commit(void *arg)
{
    journal_file *f = arg;
    f->sync_errno = fsync(f->fd) < 0 || gd_journal_clear(f->journal_fd) < 0 ? errno : 0;
    if (f->sync_unlocks)
        gd_commit_unlock(f->fd);
    atomic_store(&f->sync_done, 1);
    return NULL;
}

/* Starts sync_commit on its own thread (on this one when no thread can be made). */
static int sync_in_background(journal_file *f, int unlocks)
{
    f->sync_unlocks = unlocks;
    f->sync_errno = 0;
    atomic_store(&f->sync_done, 0);
    if (pthread_create(&f->syncer, NULL, sync_commit, f) == 0) {
        f->syncing = 1;
        return 0;
    }
    sync_commit(f);
    return f->sync_errno ? (errno = f->sync_errno, -1) : 0;
}

int gd_jfile_syncing(journal_file *f)
{
    return f->syncing && !atomic_load(&f->sync_done);
}

int gd_jfile_settle(journal_file *f)
{
    if (!f->syncing)
        return 0;
    pthread_join(f->syncer, NULL);
    f->syncing = 0;
    if (f->sync_errno == 0)
        return 0;
    f->torn = f->sync_failed = 1;
    errno = f->sync_errno;
    return -1;
}

/* ---- the commit ------------------------------------------------------------------------ */

/* The changes journaled, written and the size set, under the commit lock: 0 when nothing
 * was journaled (done), 1 when the syncs are still to come, -1 with errno. */
static int write_commit(journal_file *f, uint64_t size)
{
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
    if (rc < 0 || gd_jfile_set_size(f, size) < 0)
        return -1;
    return journaled;
}

/* Journal, write, empty the journal. The file ends at least at HDF5's end of allocation,
 * so the superblock written in this commit never points past the end of the file. Once
 * a commit failed after its journal was saved, the file is torn and the journal is the
 * only record of its old bytes: nothing more is written (the next writer rolls it back). */
int gd_jfile_commit(journal_file *f)
{
    if (!f->writable)
        return 0;
    if (gd_jfile_settle(f) < 0)
        return -1;
    if (f->torn)
        return errno = EIO, -1;
    uint64_t size = f->eof > f->eoa ? f->eof : f->eoa;
    if (f->creating) /* nothing held (committed is 0): the file is as written */
        return gd_jfile_set_size(f, size) < 0 ? -1 : (f->eof = size, 0);
    int locked = gd_commit_lock_writer(f->fd);
    if (locked < 0)
        return -1;
    int rc = write_commit(f, size);
    int saved = errno;
    if (rc == 1) {
        rc = sync_in_background(f, locked);
        saved = errno;
    } else if (locked) {
        gd_commit_unlock(f->fd);
    }
    errno = saved;
    if (rc < 0)
        return -1;
    f->torn = 0;
    gd_jfile_drop_held(f);
    f->eof = f->committed = size;
    f->cut = NO_CUT;
    return 0;
}
