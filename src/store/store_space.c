/* store_space.c - room on the disk before HDF5 writes, and a file left alone once a
 * write failed (see docs/HARDENING.md, "A full or failing disk").
 *
 * HDF5 1.10.8 cannot be trusted after a write fails inside it: the metadata cache is
 * half flushed, a later flush or close writes a mix of old and new metadata (files that
 * no longer open, "addr overflow"), and the exit-time close crashed (SIGSEGV). So space is
 * made sure of before each batch: the bytes the file may grow by are allocated past its
 * end with fallocate (which also counts against quotas, and which other writers cannot
 * take), and the holes of its sparse chunks are filled; so is room for the commit's
 * rollback journal (journal_file.h: the old bytes of what HDF5 overwrites in place:
 * metadata, rows, partly filled chunks, space it freed and reuses), so HDF5 never meets
 * ENOSPC in practice. Where the file system cannot allocate ahead (fallocate
 * unsupported) its free space is checked instead. When a write fails anyway, the store
 * is abandoned: no HDF5 call touches the file again and the process ends without HDF5's
 * exit-time close, so the file keeps the state of its last flush, which resume trusts as
 * it does after a kill. */
#define _GNU_SOURCE
#include "store_internal.h"

#include "gdsweep/out_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* The file's descriptor (the journaling driver's, journal_vfd.c); -1 if none. */
static int file_fd(const gd_store *st)
{
    void *handle = NULL;
    if (st->file < 0 || H5Fget_vfd_handle(st->file, H5P_DEFAULT, &handle) < 0 || !handle)
        return -1;
    return *(int *)handle;
}

/* The file's end: its size on disk or HDF5's allocated end, whichever is larger. */
static uint64_t file_end(const gd_store *st, int fd)
{
    struct stat sb;
    hsize_t h5 = 0;
    uint64_t end = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    if (H5Fget_filesize(st->file, &h5) >= 0 && h5 > end)
        end = h5;
    return end;
}

static int no_room(const gd_store *st, int e, uint64_t bytes, uint64_t free_bytes,
                   const char *what, gd_error *err)
{
    char avail[64] = "", cause[GD_ERRNO_TEXT];
    if (free_bytes != UINT64_MAX)
        snprintf(avail, sizeof avail, ", %.1f MB free", free_bytes / 1e6);
    return gd_fail_runtime(err, "%s: no room for %s: %s (about %.1f MB needed%s)", st->path,
                           what, gd_errno_text(e, cause, sizeof cause), bytes / 1e6, avail);
}

/* The fallback where the file system cannot allocate ahead: enough free space? */
static int check_free(const gd_store *st, int fd, uint64_t bytes, const char *what,
                      gd_error *err)
{
    struct statvfs vfs;
    if (fstatvfs(fd, &vfs) != 0)
        return 0; /* nothing known: HDF5's own errors remain */
    uint64_t free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    return free_bytes >= bytes ? 0 : no_room(st, ENOSPC, bytes, free_bytes, what, err);
}

/* The process's file size limit (ulimit -f), which fallocate does not apply. */
static int over_size_limit(uint64_t end)
{
    struct rlimit lim;
    return getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
           end > (uint64_t)lim.rlim_cur;
}

int gd_store_reserve(gd_store *st, gd_store_room room, const char *what, gd_error *err)
{
    uint64_t bytes = room.file;
    int fd = file_fd(st);
    if (fd < 0)
        return 0;
    uint64_t end = file_end(st, fd) + bytes;
    if (over_size_limit(end))
        return no_room(st, EFBIG, bytes, UINT64_MAX, what, err);
    uint64_t from = st->reserved_to < end ? st->reserved_to : end;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size < from)
        from = (uint64_t)sb.st_size; /* HDF5 truncated the file below what was reserved */
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(end - from)) == 0) {
        st->reserved_to = end;
        if (gd_h5_reserve_journal(st->file, room.journal) == 0)
            return 0;
    }
    int e = errno;
    if (e == EOPNOTSUPP || e == ENOSYS) /* the journal needs its room too */
        return check_free(st, fd, bytes + room.journal, what, err);
    return no_room(st, e, bytes, UINT64_MAX, what, err);
}

/* ---- what a batch may add -------------------------------------------------------------- */

/* Bytes of the chunks a series of chunk-value chunks gains when n values are appended. */
static uint64_t series_growth(uint64_t len, uint64_t n)
{
    uint64_t before = (len + SERIES_CHUNK - 1) / SERIES_CHUNK;
    uint64_t after = (len + n + SERIES_CHUNK - 1) / SERIES_CHUNK;
    return (after - before) * SERIES_CHUNK * sizeof(double);
}

uint64_t gd_store_runs_chunk_rows(gd_store *st)
{
    hsize_t rows = 0;
    if (st->runs_chunk_rows)
        return st->runs_chunk_rows;
    hid_t dcpl = H5Dget_create_plist(st->runs);
    if (dcpl < 0 || H5Pget_chunk(dcpl, 1, &rows) != 1 || rows == 0)
        rows = 1;
    gd_h5_close(&dcpl);
    st->runs_chunk_rows = rows;
    return rows;
}

/* 1 when a row of /runs' chunk c is committed (the chunk is in the file). */
static int chunk_in_file(const gd_store *st, uint64_t c, uint64_t rows)
{
    for (uint64_t id = c * rows; id < (c + 1) * rows && id < st->sweep->n_runs; id++)
        if (gd_store_is_committed(st, id))
            return 1;
    return 0;
}

/* A row's journaled span may start and end inside the journal's 64-byte diff blocks. */
#define ROW_SPAN_SLACK 128

static int by_chunk(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Adds to room what the rows of one /runs chunk c cost: the whole chunk when it is not in
 * the file yet (room->file), else its `count` rows of the batch (room->journal). */
static void chunk_room(gd_store *st, uint64_t c, uint64_t rows, uint64_t count,
                       gd_store_room *room)
{
    if (chunk_in_file(st, c, rows))
        room->journal += count * (st->cols.row_size + ROW_SPAN_SLACK);
    else
        room->file += rows * st->cols.row_size;
}

/* Bytes of the chunks of /runs the batch's rows fall in that are not in the file yet
 * (room->file), and of its rows in chunks that are (room->journal: rewritten in place,
 * their blank fill, not zeros, journaled whole; most of a batch under MPI, whose results
 * arrive out of order). Each chunk counts once, in whatever order the rows come (a
 * worker's lockstep blocks append a range's runs out of id order); without the memory to
 * sort them, a chunk counts at each change, which only overestimates. */
static void runs_room(gd_store *st, const gd_batch *b, gd_store_room *room)
{
    uint64_t rows = gd_store_runs_chunk_rows(st);
    uint64_t *chunks = malloc((b->count ? b->count : 1) * sizeof *chunks);
    for (size_t i = 0, k; !chunks && i < b->count; i += k) { /* at each change */
        uint64_t c = b->desc[i].id / rows;
        for (k = 1; i + k < b->count && b->desc[i + k].id / rows == c; k++)
            ;
        chunk_room(st, c, rows, k, room);
    }
    if (!chunks)
        return;
    for (size_t i = 0; i < b->count; i++)
        chunks[i] = b->desc[i].id / rows;
    qsort(chunks, b->count, sizeof *chunks, by_chunk);
    for (size_t i = 0, k; i < b->count; i += k) {
        for (k = 1; i + k < b->count && chunks[i + k] == chunks[i]; k++)
            ;
        chunk_room(st, chunks[i], rows, k, room);
    }
    free(chunks);
}

/* A series' appends: new chunks (room->file), and the values that go into its partly
 * filled last chunk (room->journal: written in place over committed bytes, which need
 * not be zeros). */
static void series_room(uint64_t len, uint64_t n, gd_store_room *room)
{
    room->file += series_growth(len, n);
    uint64_t tail = len % SERIES_CHUNK ? SERIES_CHUNK - len % SERIES_CHUNK : 0;
    room->journal += (n < tail ? n : tail) * sizeof(double);
}

gd_store_room gd_store_batch_room(gd_store *st, const gd_batch *b)
{
    gd_store_room room = {0, 0};
    runs_room(st, b, &room);
    for (int i = 0; i < GD_SERIES_COUNT; i++)
        if (gd_store_series_stored(st, i))
            series_room(st->series[i].len, gd_series_batch_len(&gd_series_table[i], b), &room);
    room.file += gd_batch_instance_values(b) * sizeof(double) + b->n_instances * 16384u;
    room.file += room.file / 8 + GD_STORE_METADATA_BYTES;
    hssize_t free_space = H5Fget_freespace(st->file); /* HDF5 may reuse it */
    room.journal += GD_STORE_METADATA_BYTES + (free_space > 0 ? (uint64_t)free_space : 0);
    return room;
}

/* ---- after a failure ------------------------------------------------------------------- */

static void release_from(int fd, uint64_t reserved_to)
{
    struct stat sb;
    if (fstat(fd, &sb) == 0 && reserved_to > (uint64_t)sb.st_size)
        (void)fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, sb.st_size,
                        (off_t)(reserved_to - (uint64_t)sb.st_size));
}

void gd_store_release_reserve(const char *path, uint64_t reserved_to)
{
    int fd = reserved_to ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        return;
    release_from(fd, reserved_to);
    close(fd);
}

/* Runs before HDF5's exit-time close (registered after HDF5 started, so called first):
 * ends the process without it. Only a runtime failure abandons a store. */
static void exit_without_hdf5(void)
{
    gd_out_lock_release();
    fflush(NULL);
    _exit(GD_EXIT_RUNTIME);
}

void gd_store_give_up_writing(gd_store *st)
{
    if (st->abandoned)
        return;
    st->abandoned = 1;
    if (st->file >= 0 && gd_h5_settle_journal(st->file) < 0)
        st->committed -= st->unsynced; /* its syncs failed: the journal rolls it back */
    int fd = file_fd(st);
    if (fd >= 0)
        release_from(fd, st->reserved_to);
    if (st->file >= 0)
        gd_h5_release_journal(st->file);
    atexit(exit_without_hdf5);
}

void gd_store_explain_failure(const gd_store *st, gd_error *err)
{
    if (!st || !st->abandoned || !err)
        return;
    char shard[64] = "";
    if (st->shards > 1)
        snprintf(shard, sizeof shard, " --shard %llu/%llu", (unsigned long long)st->shard + 1,
                 (unsigned long long)st->shards);
    gd_error_append(err, "the %llu runs committed are safe: fix the cause (free space, raise "
                    "the quota or size limit, or check the disk if it failed), then continue "
                    "with: gdsweep %s --resume -o %s%s",
                    (unsigned long long)st->committed, st->sweep->path, st->path, shard);
}
