/* store.c - the sweep's HDF5 file: checking the target, creating it with its metadata,
 * recording completion and closing (see gdsweep/store.h, layout in docs/FORMAT.md).
 * The caller of gd_store_create holds OUT's lock (gdsweep/out_lock.h).
 *
 * The store owns its HDF5 ids, its column list and its buffers; it borrows the sweep,
 * which must outlive it. A failed create closes what it opened, removes the partial file
 * and frees everything; gd_store_close frees the store whatever happens. */
#include "store_internal.h"

#include "gdsweep/close_later.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Target bytes of one chunk of the runs table, and its bounds in rows. */
#define RUNS_CHUNK_BYTES (1u << 20)
#define RUNS_CHUNK_MIN 64
#define RUNS_CHUNK_MAX 4096
/* Chunk cache of the runs table: holds a whole batch's chunks between the two writes. */
#define RUNS_CACHE_BYTES (64u << 20)
#define RUNS_CACHE_SLOTS 12421

/* ---- checking the target ------------------------------------------------------------- */

static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static const char *file_kind(mode_t mode)
{
    return S_ISCHR(mode)    ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
                            : "a special file";
}

int gd_store_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!strcmp(a, b))
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

enum { JOURNAL_PATH_MAX = GD_PATH_MAX + 16 };

/* path + GD_JOURNAL_SUFFIX into journal; 0, or -1 when it does not fit. */
static int journal_path(char journal[JOURNAL_PATH_MAX], const char *path)
{
    return snprintf(journal, JOURNAL_PATH_MAX, "%s%s", path, GD_JOURNAL_SUFFIX) <
                   JOURNAL_PATH_MAX
               ? 0
               : -1;
}

/* A name too long for a journal has no journal either. */
static void unlink_journal(const char *path)
{
    char journal[JOURNAL_PATH_MAX];
    if (journal_path(journal, path) == 0)
        unlink(journal);
}

/* The old file's journal goes after the rename (it names the old file's inode, so the
 * new file ignores it meanwhile): no moment leaves the old file without its journal. A
 * reference to the old file is held across the rename and let go of on a thread
 * (close_later.h): the rename no longer waits while the kernel frees it. */
int gd_store_move_into_place(const char *tmp, const char *path)
{
    int old = gd_hold_for_replacing(path);
    int rc = rename(tmp, path);
    if (rc != 0 && old >= 0) { /* let go first: a file system may refuse a held file */
        int e = errno;
        close(old);
        old = -1;
        errno = e;
        if (e == EBUSY || e == EACCES || e == EPERM)
            rc = rename(tmp, path);
    }
    if (rc != 0)
        return -1;
    unlink_journal(path);
    gd_close_later(old);
    return 0;
}

int gd_store_remove_unfinished(const char *tmp)
{
    unlink_journal(tmp);
    return unlink(tmp);
}

int gd_store_check_target(const char *path, int overwrite, gd_error *err)
{
    char dir[GD_PATH_MAX];
    struct stat sb;
    if (!path || !path[0])
        return gd_fail(err, "the output file name is empty");
    if (strlen(path) >= GD_PATH_MAX)
        return gd_fail(err, "output path is longer than %d bytes: %.64s...", GD_PATH_MAX - 1,
                       path);
    const char *base = strrchr(path, '/');
    if (strlen(base ? base + 1 : path) + strlen(".creating") > NAME_MAX)
        return gd_fail(err, "%s: the file name is longer than %d bytes (with the .creating "
                       "gdsweep writes first); use a shorter name", path,
                       NAME_MAX - (int)strlen(".creating"));
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &sb) != 0)
        return gd_fail(err, "%s: directory %s does not exist (%s); create it first", path,
                       dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return gd_fail(err, "%s: %s is not a directory", path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return gd_fail(err, "%s: directory %s is not writable (%s)", path, dir,
                       strerror(errno));
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? 0 : gd_fail(err, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return gd_fail(err, "%s is a directory; name the output file", path);
    if (!S_ISREG(sb.st_mode))
        return gd_fail(err, "%s is %s, not a regular file; gdsweep writes its output to a "
                       "regular file (--overwrite does not change that): name one", path,
                       file_kind(sb.st_mode));
    if (!overwrite)
        return gd_fail(err, "%s already exists; pass --overwrite to replace it, or choose "
                       "another output", path);
    return 0;
}

/* ---- creating ---------------------------------------------------------------------- */

static void utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, size, "unknown");
}

/* A list of texts the runs table's columns of `kind` index, and those columns, as the
 * attributes list_attr and columns_attr (nothing when text is NULL); frees text. */
static int write_text_index(gd_store *st, char *text, gd_param_kind kind,
                            const char *list_attr, const char *columns_attr)
{
    char columns[1024];
    int rc = 0;
    if (text) {
        gd_columns_text_columns(&st->cols, kind, columns, sizeof columns);
        rc = gd_h5_attr_text(st->file, list_attr, text) < 0 ||
                     gd_h5_attr_text(st->file, columns_attr, columns) < 0
                 ? -1
                 : 0;
    }
    free(text);
    return rc;
}

/* The files and the names the grid gives, and the columns that index them. */
static int write_input_files(gd_store *st)
{
    return write_text_index(st, gd_sweep_input_files_text(st->sweep), GD_PATH,
                            GD_ATTR_INPUT_FILES, GD_ATTR_FILE_COLUMNS) < 0 ||
                   write_text_index(st, gd_sweep_names_text(st->sweep), GD_NAME,
                                    GD_ATTR_NAMES, GD_ATTR_NAME_COLUMNS) < 0
               ? -1
               : 0;
}

int gd_store_note_session(gd_store *st)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double start = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
    return gd_h5_attr_f64(st->file, GD_ATTR_SESSION_START, start) < 0 ||
                   gd_h5_attr_u64(st->file, GD_ATTR_SESSION_RUNS, st->committed) < 0
               ? -1
               : 0;
}

/* The sampled designs (absent when no key is sampled). */
static int write_design(gd_store *st)
{
    char *text = gd_sweep_designs_text(st->sweep);
    int rc = text ? gd_h5_attr_text(st->file, GD_ATTR_DESIGN, text) : 0;
    free(text);
    return rc;
}

/* The series this file leaves out (absent when it stores every one). */
static int write_implicit(gd_store *st)
{
    char text[128];
    if (st->implicit == 0)
        return 0;
    return gd_traj_implicit_text(st->implicit, text, sizeof text) < 0
               ? -1
               : gd_h5_attr_text(st->file, GD_ATTR_TRAJ_IMPLICIT, text);
}

static int write_root_attributes(gd_store *st, const char *command_line)
{
    const gd_sweep *s = st->sweep;
    char created[32];
    utc_now(created, sizeof created);
    const char *text[][2] = {
        {GD_ATTR_GDSWEEP_VERSION, GD_VERSION}, {GD_ATTR_NAME, s->name},
        {GD_ATTR_GRID_TEXT, s->text},          {GD_ATTR_GRID_HASH, s->hash},
        {GD_ATTR_IDENTITY, s->identity},       {GD_ATTR_GRID_PATH, s->path},
        {GD_ATTR_COMMAND_LINE, command_line},  {GD_ATTR_CREATED, created},
    };
    hid_t root = st->file;
    if (gd_h5_attr_i64(root, GD_ATTR_FORMAT_VERSION, GD_FORMAT_VERSION) < 0 ||
        write_implicit(st) < 0)
        return -1;
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (gd_h5_attr_text(root, text[i][0], text[i][1]) < 0)
            return -1;
    if (write_input_files(st) < 0 || write_design(st) < 0)
        return -1;
    char modes[512];
    gd_columns_metric_modes(&st->cols, modes, sizeof modes);
    if (gd_h5_attr_text(root, GD_ATTR_METRIC_MODES, modes) < 0)
        return -1;
    if (gd_h5_attr_u64(root, GD_ATTR_SEED, s->seed) < 0 ||
        gd_h5_attr_u64(root, GD_ATTR_N_RUNS, s->n_runs) < 0 ||
        gd_h5_attr_u64(root, GD_ATTR_N_INSTANCES, s->n_instances) < 0 ||
        gd_h5_attr_i64(root, GD_ATTR_RECORD_EVERY, s->record_every) < 0 ||
        gd_h5_attr_i64(root, GD_ATTR_COMPLETE, 0) < 0 ||
        gd_h5_attr_u64(root, GD_ATTR_RUNS_WRITTEN, 0) < 0 || gd_store_note_session(st) < 0)
        return -1;
    return 0;
}

/* Rows per chunk: about RUNS_CHUNK_BYTES, a power of two, never more than the table. */
static hsize_t runs_chunk(size_t row_size, uint64_t n_runs)
{
    hsize_t rows = RUNS_CHUNK_MIN;
    while (rows < RUNS_CHUNK_MAX && (rows * 2) * row_size <= RUNS_CHUNK_BYTES)
        rows *= 2;
    if (n_runs && n_runs < rows)
        rows = n_runs;
    return rows;
}

/* /runs: n_runs rows, chunked, filled with the blank row (written = 0). */
static int create_runs(gd_store *st)
{
    uint64_t n = st->sweep->n_runs;
    hsize_t dims = n, maxdims = n ? n : H5S_UNLIMITED;
    hsize_t chunk = runs_chunk(st->cols.row_size, n);
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (space >= 0 && dcpl >= 0 && dapl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
        H5Pset_fill_value(dcpl, st->row_type, st->cols.blank) >= 0 &&
        H5Pset_chunk_cache(dapl, RUNS_CACHE_SLOTS, RUNS_CACHE_BYTES, 1.0) >= 0)
        st->runs = H5Dcreate2(st->file, GD_H5_RUNS, st->row_type, space, H5P_DEFAULT, dcpl, dapl);
    gd_h5_close(&dapl);
    gd_h5_close(&dcpl);
    gd_h5_close(&space);
    return st->runs >= 0 ? 0 : -1;
}

int gd_store_create_series(gd_store *st)
{
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        const gd_series *s = &gd_series_table[i];
        if (gd_store_series_stored(st, i) &&
            gd_h5_series_create(&st->series[i], st->file, s->name,
                                gd_h5_series_file_type(s)) < 0)
            return -1;
    }
    return 0;
}

/* Each step names what failed for the error message. The file is laid out under a
 * temporary name and renamed into place once flushed, so OUT.h5 never exists half-made
 * (a kill during creation leaves no OUT.h5, and --overwrite replaces the old file only
 * then). */
static int lay_out_file(gd_store *st, const char *command_line, const char *tmp,
                        int *unflushed, gd_error *err)
{
    char journal[JOURNAL_PATH_MAX]; /* named after OUT: the file is renamed while open */
    hid_t fapl = journal_path(journal, st->path) == 0 ? gd_h5_file_access(journal) : -1;
    st->file = fapl >= 0 ? H5Fcreate(tmp, H5F_ACC_EXCL, H5P_DEFAULT, fapl) : -1;
    gd_h5_close(&fapl);
    if (st->file < 0)
        return gd_h5_fail(st, err, "cannot create the file");
    *unflushed = 1; /* made, not yet flushed whole */
    if (write_root_attributes(st, command_line) < 0)
        return gd_h5_fail(st, err, "writing the sweep attributes");
    st->row_type = gd_h5_row_type(&st->cols);
    st->written_type = gd_h5_written_type(&st->cols);
    if (st->row_type < 0 || st->written_type < 0 || create_runs(st) < 0)
        return gd_h5_fail(st, err, "creating the runs table");
    if (gd_store_create_series(st) < 0)
        return gd_h5_fail(st, err, "creating the trajectory datasets");
    st->instances = H5Gcreate2(st->file, GD_H5_INSTANCES, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (st->instances < 0)
        return gd_h5_fail(st, err, "creating /instances");
    if (H5Fflush(st->file, H5F_SCOPE_LOCAL) < 0)
        return gd_h5_fail(st, err, "flushing the new file");
    *unflushed = 0; /* flushed: a failure from here on may close it as usual */
    if (gd_store_move_into_place(tmp, st->path) != 0)
        return gd_fail_runtime(err, "%s: cannot move %s into place: %s", st->path, tmp,
                               strerror(errno));
    /* In place: from now on a torn commit is rolled back, not discarded (journal_vfd.c). */
    return gd_h5_start_journal(st->file) < 0
               ? gd_fail_runtime(err, "%s: cannot make the new file durable: %s", st->path,
                                 strerror(errno))
               : 0;
}

gd_store *gd_store_new(const char *path, const gd_sweep *s)
{
    gd_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    snprintf(st->path, sizeof st->path, "%s", path);
    st->sweep = s;
    st->file = st->runs = st->row_type = st->written_type = st->instances = H5I_INVALID_HID;
    for (int i = 0; i < GD_SERIES_COUNT; i++)
        st->series[i].id = H5I_INVALID_HID;
    st->shards = 1;
    return st;
}

/* Closes every id, the file last; returns -1 if closing the file failed. */
int gd_store_close_ids(gd_store *st)
{
    for (int i = 0; i < GD_SERIES_COUNT; i++)
        gd_h5_close(&st->series[i].id);
    gd_h5_close(&st->runs);
    gd_h5_close(&st->instances);
    gd_h5_close(&st->row_type);
    gd_h5_close(&st->written_type);
    herr_t rc = st->file >= 0 ? H5Fclose(st->file) : 0;
    st->file = H5I_INVALID_HID;
    return rc < 0 ? -1 : 0;
}

void gd_store_free(gd_store *st)
{
    free(st->committed_bits);
    gd_columns_free(&st->cols);
    gd_id_set_free(&st->written_instances);
    free(st->rows);
    free(st->coords);
    free(st->slots);
    free(st);
}

int gd_store_create(gd_store **out, const char *path, const gd_sweep *s,
                    const char *command_line, gd_error *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    gd_store *st = gd_store_new(path, s);
    if (!st)
        return gd_fail_runtime(err, "%s: out of memory opening the store", path);
    if (gd_columns_build_sweep(&st->cols, s, err) < 0 ||
        gd_store_alloc_committed(st, err) < 0) {
        gd_store_free(st);
        return -1;
    }
    st->implicit = gd_traj_implicit_of_sweep(s);
    char tmp[GD_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.creating", path);
    double t0 = gd_store_clock();
    int unflushed = 0;
    unlink(tmp); /* a dead writer's leftover: the caller holds OUT's lock */
    if (lay_out_file(st, command_line ? command_line : "", tmp, &unflushed, err) < 0) {
        if (unflushed) /* a write into it failed: HDF5 must not close it (at exit neither) */
            gd_store_give_up_writing(st);
        else
            gd_store_close_ids(st);
        unlink(tmp); /* ours, also when HDF5 made it but failed to write it */
        gd_store_free(st);
        return -1;
    }
    st->io_seconds += gd_store_clock() - t0;
    *out = st;
    return 0;
}

/* ---- closing ----------------------------------------------------------------------- */

/* The last batch's syncs, which may still run in the background, failed: the journal
 * rolls that batch back (gd_store_give_up_writing uncounts it). */
static int last_syncs_failed(gd_store *st, gd_error *err)
{
    if (gd_h5_settle_journal(st->file) == 0)
        return 0;
    char cause[GD_ERRNO_TEXT];
    gd_fail_runtime(err, "%s: making the last batch durable: %s", st->path,
                    gd_errno_text(errno, cause, sizeof cause));
    return 1;
}

/* The completion record needs room too: without it, the store is abandoned (the file
 * stays as the last batch left it, resumable). A file HDF5 failed to close is abandoned
 * as well, so that HDF5's exit-time close does not try again. A new failure of a sweep's
 * file says what to do (gd_store_explain_failure). */
static int close_store(gd_store *st, double wall_seconds, int complete, int explain,
                       gd_error *err)
{
    if (!st)
        return 0;
    int was_abandoned = st->abandoned;
    int rc = st->abandoned ? gd_fail_runtime(err, "%s: abandoned after a write failed",
                                             st->path)
             : last_syncs_failed(st, err) ? -1
                                          : gd_store_reserve(st, GD_STORE_METADATA_ROOM,
                                                             "recording completion", err);
    if (rc == 0 && (gd_h5_attr_i64(st->file, GD_ATTR_COMPLETE, complete != 0) < 0 ||
                    gd_h5_attr_u64(st->file, GD_ATTR_RUNS_WRITTEN, st->committed) < 0 ||
                    gd_h5_attr_f64(st->file, GD_ATTR_WALL_SECONDS, wall_seconds) < 0))
        rc = gd_h5_fail(st, err, "recording completion");
    if (rc == 0 && gd_store_close_ids(st) < 0)
        rc = gd_h5_fail(st, err, "closing the file");
    if (rc == 0) {
        gd_store_release_reserve(st->path, st->reserved_to);
    } else {
        gd_store_give_up_writing(st);
        if (explain && !was_abandoned)
            gd_store_explain_failure(st, err);
    }
    gd_store_free(st);
    return rc;
}

int gd_store_close(gd_store *st, double wall_seconds, int complete, gd_error *err)
{
    return close_store(st, wall_seconds, complete, 0, err);
}

int gd_store_close_sweep(gd_store *st, double wall_seconds, int complete, gd_error *err)
{
    return close_store(st, wall_seconds, complete, 1, err);
}

int gd_store_alloc_committed(gd_store *st, gd_error *err)
{
    st->committed_bits = calloc(st->sweep->n_runs / 8 + 1, 1);
    return st->committed_bits ? 0
                              : gd_fail_runtime(err, "%s: out of memory for the commit map",
                                                st->path);
}

/* The bitmap is marked by the writer thread (committer.h) while the coordinator reads it
 * for other ids (gd_selection_skip): byte-wide atomic accesses, no lock. */
void gd_store_mark_committed(gd_store *st, uint64_t id)
{
    uint8_t bit = (uint8_t)(1u << (id % 8));
    if (!(__atomic_load_n(&st->committed_bits[id / 8], __ATOMIC_RELAXED) & bit)) {
        __atomic_fetch_or(&st->committed_bits[id / 8], bit, __ATOMIC_RELAXED);
        st->committed++;
    }
}

int gd_store_is_committed(const gd_store *st, uint64_t id)
{
    return (__atomic_load_n(&st->committed_bits[id / 8], __ATOMIC_RELAXED) >> (id % 8)) & 1;
}

uint64_t gd_store_committed(const gd_store *st)
{
    return st->committed;
}

double gd_store_io_seconds(const gd_store *st)
{
    return st ? st->io_seconds : 0.0;
}

int gd_store_check_format(const char *path, double version, const char *action,
                          gd_error *err)
{
    if (version >= GD_FORMAT_OLDEST_WRITABLE && version <= GD_FORMAT_VERSION &&
        version == (int)version)
        return 0;
    if (version == 1)
        return gd_fail(err, "%s has file format 1 (gdsweep before common random numbers: its "
                       "instances drew data with their model parameters, e.g. lambda or "
                       "degree, in the random key), so runs made now would meet other data; "
                       "cannot %s it: rerun its grid into a new output", path, action);
    return gd_fail(err, "%s has file format %g, not this gdsweep's %d; cannot %s it: rerun "
                   "its grid into a new output", path, version, GD_FORMAT_VERSION, action);
}
