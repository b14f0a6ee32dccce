/* store_read.c - read-only access to a gdsweep file (see gdsweep/store_read.h).
 *
 * Next to the store because it is the other code that includes <hdf5.h>. The reader
 * owns the file id, the runs table's id and its column list (names copied out of the
 * file's compound type); every failure path closes what it opened through one cleanup.
 * A column is read through a one-member memory compound type, so HDF5 converts the
 * file's cells (uint8, int64, float64, ...) to the requested type and reads no other
 * member. The runs table is opened with a chunk cache that holds a block of
 * GD_READER_BLOCK rows, so reading several columns of one block reads its chunks once. */
#include "gdsweep/store_read.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdsweep/out_lock.h"
#include "gdsweep/path_check.h"
#include "journal.h"
#include "store_internal.h"

#define READ_CACHE_BYTES (64u << 20)
#define READ_CACHE_SLOTS 12421

typedef enum { COL_NUMBER, COL_TEXT, COL_OTHER } col_kind;

typedef struct read_column {
    char *name;
    col_kind kind;
    size_t width;           /* bytes per cell of a text column */
    H5T_cset_t cset;
} read_column;

struct gd_reader {
    char path[GD_PATH_MAX];
    hid_t file, runs;
    int lock_fd; /* holds the commit lock (shared) while the file is open, or -1 */
    uint64_t rows;
    read_column *col;
    size_t n_cols;
};

int gd_reader_shard(gd_reader *r, uint64_t *shard, uint64_t *shards, gd_error *err)
{
    return gd_h5_read_shard(r->file, r->path, "", shard, shards, err);
}

/* ---- opening --------------------------------------------------------------------- */

static int check_path(const char *path, gd_error *err)
{
    struct stat sb;
    if (!path || !path[0])
        return gd_fail(err, "no file given; name the .h5 file a sweep wrote");
    if (strlen(path) >= GD_PATH_MAX)
        return gd_fail(err, "file path is longer than %d bytes: %.64s...", GD_PATH_MAX - 1,
                       path);
    if (stat(path, &sb) != 0)
        return errno == ENOENT
                   ? gd_fail(err, "%s: no such file; name the .h5 file a sweep wrote", path)
                   : gd_fail(err, "%s: %s", path, strerror(errno));
    if (gd_path_require_regular(path, &sb, "name the .h5 file a sweep wrote", err) < 0)
        return -1;
    if (access(path, R_OK) != 0)
        return gd_fail(err, "%s: cannot read it (%s); check its permissions", path,
                       strerror(errno));
    return 0;
}

static herr_t find_lock(unsigned n, const H5E_error2_t *e, void *data)
{
    int *locked = data;
    if (e->desc && strstr(e->desc, "lock file"))
        *locked = 1;
    return 0;
}

/* Why H5Fopen failed, from HDF5's error stack. */
static int open_failed(const char *path, gd_error *err)
{
    int locked = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_lock, &locked);
    H5Eclear2(H5E_DEFAULT);
    if (locked)
        return gd_fail(err, "%s is locked by another process (a sweep still writing it?); "
                       "wait until it ends", path);
    return gd_fail(err, "%s: HDF5 cannot open it (truncated or corrupt?)", path);
}

static int attr_problem(const gd_reader *r, const char *name, int missing, const char *kind,
                        gd_error *err)
{
    if (missing)
        return gd_fail(err, "%s has no attribute '%s' (not a complete gdsweep file?)",
                       r->path, name);
    return gd_fail(err, "%s: attribute '%s' is not %s (corrupt file?)", r->path, name, kind);
}

int gd_reader_has_attr(gd_reader *r, const char *name)
{
    return H5Aexists(r->file, name) > 0;
}

int gd_reader_attr_number(gd_reader *r, const char *name, double *out, gd_error *err)
{
    int missing;
    hid_t attr = gd_h5_open_scalar_attr(r->file, name, H5T_FLOAT, &missing);
    herr_t rc = attr >= 0 ? H5Aread(attr, H5T_NATIVE_DOUBLE, out) : -1;
    gd_h5_close(&attr);
    return rc < 0 ? attr_problem(r, name, missing, "a number", err) : 0;
}

int gd_reader_attr_text(gd_reader *r, const char *name, char **out, gd_error *err)
{
    int missing;
    hid_t attr = gd_h5_open_scalar_attr(r->file, name, H5T_STRING, &missing);
    *out = attr >= 0 ? gd_h5_read_text(attr) : NULL;
    gd_h5_close(&attr);
    return *out ? 0 : attr_problem(r, name, missing, "readable text", err);
}

int gd_reader_identity(gd_reader *r, char **out, gd_error *err)
{
    int has = H5Aexists(r->file, GD_ATTR_IDENTITY) > 0;
    return gd_reader_attr_text(r, has ? GD_ATTR_IDENTITY : GD_ATTR_GRID_HASH, out, err);
}

static int check_format(gd_reader *r, gd_error *err)
{
    int missing;
    double v = NAN;
    hid_t attr = gd_h5_open_scalar_attr(r->file, GD_ATTR_FORMAT_VERSION, H5T_INTEGER, &missing);
    herr_t rc = attr >= 0 ? H5Aread(attr, H5T_NATIVE_DOUBLE, &v) : -1;
    gd_h5_close(&attr);
    if (rc < 0)
        return gd_fail(err, "%s is not a gdsweep file (%s format_version attribute)", r->path,
                       missing ? "no" : "no integer");
    if (v > GD_FORMAT_VERSION)
        return gd_fail(err, "%s has format version %.0f, newer than this gdsweep reads (%d); "
                       "use a newer gdsweep", r->path, v, GD_FORMAT_VERSION);
    if (v < 1)
        return gd_fail(err, "%s has an invalid format version %.0f (corrupt file?)", r->path,
                       v);
    return 0;
}

/* ---- the runs table's columns ------------------------------------------------------ */

static col_kind member_kind(hid_t type, size_t i, size_t *width, H5T_cset_t *cset)
{
    H5T_class_t cls = H5Tget_member_class(type, (unsigned)i);
    if (cls == H5T_INTEGER || cls == H5T_FLOAT)
        return COL_NUMBER;
    if (cls != H5T_STRING)
        return COL_OTHER;
    hid_t mt = H5Tget_member_type(type, (unsigned)i);
    col_kind kind = COL_OTHER;
    if (mt >= 0 && H5Tis_variable_str(mt) == 0 && (*width = H5Tget_size(mt)) > 0 &&
        (*cset = H5Tget_cset(mt)) >= 0)
        kind = COL_TEXT;
    gd_h5_close(&mt);
    return kind;
}

/* A number's bits lie inside its bytes, and a float's fields inside its bits. */
static int number_is_sane(hid_t mt, size_t bytes)
{
    size_t prec = H5Tget_precision(mt), spos, epos, esize, mpos, msize;
    int off = H5Tget_offset(mt);
    if (prec == 0 || off < 0 || (size_t)off + prec > 8 * bytes)
        return 0;
    if (H5Tget_class(mt) != H5T_FLOAT)
        return 1;
    return H5Tget_fields(mt, &spos, &epos, &esize, &mpos, &msize) >= 0 && spos < prec &&
           epos + esize <= prec && mpos + msize <= prec;
}

/* Every member inside the row and at most alignment padding after the last: HDF5 trusts
 * a corrupt compound type (one flipped byte of an offset) and reads out of bounds. */
int gd_h5_row_type_is_sane(hid_t type, int n)
{
    size_t size = H5Tget_size(type), end = 0;
    for (unsigned i = 0; i < (unsigned)n; i++) {
        hid_t mt = H5Tget_member_type(type, i);
        H5T_class_t cls = mt >= 0 ? H5Tget_class(mt) : H5T_NO_CLASS;
        size_t off = H5Tget_member_offset(type, i), bytes = mt >= 0 ? H5Tget_size(mt) : 0;
        int ok = bytes > 0 && off <= size && bytes <= size - off &&
                 ((cls != H5T_INTEGER && cls != H5T_FLOAT) || number_is_sane(mt, bytes));
        gd_h5_close(&mt);
        if (!ok)
            return 0;
        end = off + bytes > end ? off + bytes : end;
    }
    return size > 0 && size - end < 8;
}

static int load_columns(gd_reader *r, hid_t type, gd_error *err)
{
    int n = H5Tget_nmembers(type);
    if (n <= 0)
        return gd_fail(err, "%s is not a gdsweep file (the runs table has no columns)",
                       r->path);
    if (!gd_h5_row_type_is_sane(type, n))
        return gd_fail(err, "%s: the runs table's row type is inconsistent (corrupt file?)",
                       r->path);
    r->col = calloc((size_t)n, sizeof *r->col);
    if (!r->col)
        return gd_fail_runtime(err, "%s: out of memory for %d columns", r->path, n);
    for (size_t i = 0; i < (size_t)n; i++, r->n_cols++) {
        char *name = H5Tget_member_name(type, (unsigned)i);
        r->col[i].name = name ? strdup(name) : NULL;
        if (name)
            H5free_memory(name);
        if (!r->col[i].name)
            return gd_fail(err, "%s: cannot read the name of column %zu (corrupt file?)",
                           r->path, i);
        r->col[i].kind = member_kind(type, i, &r->col[i].width, &r->col[i].cset);
    }
    return 0;
}

/* A 1-D dataset's length, or -1 when it is not 1-D or its length passes its maximum
 * (which only a corrupt dataspace can say: HDF5 would then "read" 2^55 fill rows). */
static int length_1d(hid_t dset, uint64_t *len)
{
    hid_t space = H5Dget_space(dset);
    hsize_t dims = 0, maxdims = 0;
    int ok = space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
             H5Sget_simple_extent_dims(space, &dims, &maxdims) == 1 &&
             (maxdims == H5S_UNLIMITED || dims <= maxdims);
    gd_h5_close(&space);
    *len = dims;
    return ok ? 0 : -1;
}

static int open_runs(gd_reader *r, gd_error *err)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS), type = H5I_INVALID_HID;
    if (dapl < 0 ||
        H5Pset_chunk_cache(dapl, READ_CACHE_SLOTS, READ_CACHE_BYTES, 1.0) < 0) {
        gd_h5_close(&dapl);
        return gd_fail_runtime(err, "%s: cannot set up HDF5 to read it", r->path);
    }
    if (H5Lexists(r->file, GD_H5_RUNS, H5P_DEFAULT) > 0)
        r->runs = H5Dopen2(r->file, GD_H5_RUNS, dapl);
    gd_h5_close(&dapl);
    if (r->runs < 0)
        return gd_fail(err, "%s is not a gdsweep file (no runs table)", r->path);
    type = H5Dget_type(r->runs);
    int rc = 0;
    if (type < 0 || H5Tget_class(type) != H5T_COMPOUND || length_1d(r->runs, &r->rows) < 0)
        rc = gd_fail(err, "%s is not a gdsweep file (runs is not a 1-D table)", r->path);
    else
        rc = load_columns(r, type, err);
    gd_h5_close(&type);
    return rc;
}

/* How long a reader waits for a commit under way to end (commits take milliseconds; a
 * writer stuck in one, on a hung file system, must not hang `status`). */
#define COMMIT_WAIT_SECONDS 30

/* 1 when a process holds HDF5's own lock on the file for writing (flock, exclusive) and it
 * is not a gdsweep sweep (whose OUT.lock names it): that writer keeps no commit lock, so
 * the bytes may be torn. */
static int foreign_writer(const gd_reader *r)
{
    if (flock(r->lock_fd, LOCK_SH | LOCK_NB) == 0) {
        flock(r->lock_fd, LOCK_UN);
        return 0;
    }
    char holder[GD_ERROR_MAX / 2];
    return errno == EWOULDBLOCK && !gd_out_lock_holder(r->path, holder, sizeof holder);
}

/* The commit lock, shared, for as long as the file is open (commit_lock.c): a sweep that
 * is writing the file goes on, and its commits wait while this reader reads. */
static int take_commit_lock(gd_reader *r, gd_error *err)
{
    r->lock_fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (r->lock_fd < 0)
        return gd_fail(err, "%s: %s", r->path, strerror(errno));
    if (foreign_writer(r))
        return gd_fail(err, "%s is locked by another process that is not a gdsweep sweep; "
                       "read it once that writer has closed it", r->path);
    if (gd_commit_lock_reader(r->lock_fd, COMMIT_WAIT_SECONDS) == 0)
        return 0;
    return gd_fail_runtime(err, "%s: its writer has been committing for %d s (a hung file "
                           "system?); try again later", r->path, COMMIT_WAIT_SECONDS);
}

/* File access for reading: a torn commit is read as its journal undoes it, and HDF5's own
 * lock is not asked for (a running sweep holds it; the commit lock keeps reads whole). */
static hid_t read_access(void)
{
    hid_t fapl = gd_h5_file_access(NULL);
#if H5_VERSION_GE(1, 10, 7)
    if (fapl >= 0 && H5Pset_file_locking(fapl, 0, 1) < 0)
        gd_h5_close(&fapl);
#endif
    return fapl;
}

static int open_file(gd_reader *r, gd_error *err)
{
    htri_t is_hdf5 = H5Fis_hdf5(r->path);
    if (is_hdf5 <= 0)
        return gd_fail(err, "%s is not an HDF5 file; name the .h5 file a sweep wrote",
                       r->path);
    if (take_commit_lock(r, err) < 0)
        return -1;
    hid_t fapl = read_access();
    r->file = fapl >= 0 ? H5Fopen(r->path, H5F_ACC_RDONLY, fapl) : -1;
    gd_h5_close(&fapl);
    if (r->file < 0)
        return open_failed(r->path, err);
    if (check_format(r, err) < 0 || open_runs(r, err) < 0)
        return -1;
    return 0;
}

int gd_reader_open(gd_reader **out, const char *path, gd_error *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (check_path(path, err) < 0)
        return -1;
    gd_reader *r = calloc(1, sizeof *r);
    if (!r)
        return gd_fail_runtime(err, "%s: out of memory opening it", path);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->file = r->runs = H5I_INVALID_HID;
    r->lock_fd = -1;
    if (open_file(r, err) < 0) {
        gd_reader_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void gd_reader_close(gd_reader *r)
{
    if (!r)
        return;
    gd_h5_close(&r->runs);
    gd_h5_close(&r->file);
    if (r->lock_fd >= 0)
        close(r->lock_fd); /* the commit lock goes with it */
    for (size_t i = 0; i < r->n_cols; i++)
        free(r->col[i].name);
    free(r->col);
    free(r);
}

const char *gd_reader_path(const gd_reader *r)
{
    return r->path;
}

uint64_t gd_reader_rows(const gd_reader *r)
{
    return r->rows;
}

static const read_column *find_column(const gd_reader *r, const char *column)
{
    for (size_t i = 0; i < r->n_cols; i++)
        if (strcmp(r->col[i].name, column) == 0)
            return &r->col[i];
    return NULL;
}

int gd_reader_has_column(const gd_reader *r, const char *column)
{
    return find_column(r, column) != NULL;
}

size_t gd_reader_column_width(const gd_reader *r, const char *column)
{
    const read_column *c = find_column(r, column);
    return c && c->kind == COL_TEXT ? c->width : 0;
}

/* ---- reading ranges ---------------------------------------------------------------- */

static int check_range(const gd_reader *r, const char *what, uint64_t first, uint64_t count,
                       uint64_t len, gd_error *err)
{
    if (first > len || count > len - first)
        return gd_fail(err, "%s: %s has %llu entries; %llu..%llu is out of range", r->path,
                       what, (unsigned long long)len, (unsigned long long)first,
                       (unsigned long long)(first + count));
    return 0;
}

/* Reads elements [first, first + count) of a 1-D dataset in memory type mtype. */
static int read_range(hid_t dset, hid_t mtype, uint64_t first, uint64_t count, void *out)
{
    hsize_t start = first, n = count;
    hid_t fspace = H5Dget_space(dset), mspace = H5Screate_simple(1, &n, NULL);
    int rc = fspace >= 0 && mspace >= 0 &&
                     H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
                     H5Dread(dset, mtype, mspace, fspace, H5P_DEFAULT, out) >= 0
                 ? 0
                 : -1;
    gd_h5_close(&mspace);
    gd_h5_close(&fspace);
    return rc;
}

/* Looks up a column of the wanted kind and checks the rows. */
static const read_column *column_for(const gd_reader *r, const char *column, col_kind kind,
                                     uint64_t first, uint64_t count, gd_error *err)
{
    const read_column *c = find_column(r, column);
    if (!c) {
        gd_fail(err, "%s: the runs table has no column '%s'", r->path, column);
        return NULL;
    }
    if (c->kind != kind) {
        gd_fail(err, "%s: column '%s' is not %s", r->path, column,
                kind == COL_NUMBER ? "numeric" : "fixed-width text");
        return NULL;
    }
    return check_range(r, "the runs table", first, count, r->rows, err) < 0 ? NULL : c;
}

/* Reads the named members through a compound of just them, each of memory type member
 * (size bytes) at offset k * size: HDF5 gathers every row once, however many columns. */
static int read_members(gd_reader *r, const char *const *columns, size_t n, hid_t member,
                        size_t size, uint64_t first, uint64_t count, void *out,
                        gd_error *err)
{
    hid_t mtype = H5Tcreate(H5T_COMPOUND, n * size);
    int rc = mtype >= 0 ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = H5Tinsert(mtype, columns[k], k * size, member) >= 0 ? 0 : -1;
    if (rc == 0)
        rc = read_range(r->runs, mtype, first, count, out);
    gd_h5_close(&mtype);
    H5Eclear2(H5E_DEFAULT);
    if (rc < 0)
        return gd_fail(err, "%s: cannot read column%s '%s'%s, rows %llu..%llu (corrupt "
                       "file?)", r->path, n > 1 ? "s" : "", columns[0], n > 1 ? ", ..." : "",
                       (unsigned long long)first, (unsigned long long)(first + count));
    return 0;
}

int gd_reader_columns_f64(gd_reader *r, const char *const *columns, size_t n,
                          uint64_t first, uint64_t count, double *out, gd_error *err)
{
    if (n == 0)
        return gd_fail(err, "%s: reading no columns", r->path);
    for (size_t k = 0; k < n; k++)
        if (!column_for(r, columns[k], COL_NUMBER, first, count, err))
            return -1;
    if (count == 0)
        return 0;
    return read_members(r, columns, n, H5T_NATIVE_DOUBLE, sizeof *out, first, count, out,
                        err);
}

int gd_reader_column_f64(gd_reader *r, const char *column, uint64_t first, uint64_t count,
                         double *out, gd_error *err)
{
    return gd_reader_columns_f64(r, &column, 1, first, count, out, err);
}

int gd_reader_column_text(gd_reader *r, const char *column, uint64_t first, uint64_t count,
                          char *out, size_t width, gd_error *err)
{
    const read_column *c = column_for(r, column, COL_TEXT, first, count, err);
    if (!c)
        return -1;
    if (width == 0)
        return gd_fail(err, "%s: reading column '%s' into cells of 0 bytes", r->path, column);
    if (count == 0)
        return 0;
    hid_t text = H5Tcopy(H5T_C_S1);
    int rc = -1;
    if (text >= 0 && H5Tset_size(text, width) >= 0 &&
        H5Tset_strpad(text, H5T_STR_NULLPAD) >= 0 && H5Tset_cset(text, c->cset) >= 0)
        rc = read_members(r, &column, 1, text, width, first, count, out, err);
    else
        gd_fail_runtime(err, "%s: cannot set up HDF5 to read column '%s'", r->path, column);
    gd_h5_close(&text);
    return rc;
}

/* ---- other 1-D datasets ------------------------------------------------------------- */

/* Opens a 1-D numeric dataset and reports its length; an invalid id on failure. */
static hid_t open_series(gd_reader *r, const char *name, uint64_t *len, gd_error *err)
{
    hid_t dset = H5I_INVALID_HID, type = H5I_INVALID_HID;
    if (H5Lexists(r->file, name, H5P_DEFAULT) > 0)
        dset = H5Dopen2(r->file, name, H5P_DEFAULT);
    if (dset >= 0)
        type = H5Dget_type(dset);
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    gd_h5_close(&type);
    if (dset < 0 || (cls != H5T_INTEGER && cls != H5T_FLOAT) || length_1d(dset, len) < 0) {
        gd_h5_close(&dset);
        H5Eclear2(H5E_DEFAULT);
        gd_fail(err, "%s: no 1-D numeric dataset '%s' (corrupt file?)", r->path, name);
    }
    return dset;
}

int gd_reader_series_length(gd_reader *r, const char *name, uint64_t *len, gd_error *err)
{
    hid_t dset = open_series(r, name, len, err);
    int rc = dset >= 0 ? 0 : -1;
    gd_h5_close(&dset);
    return rc;
}

int gd_reader_series_f64(gd_reader *r, const char *name, uint64_t first, uint64_t count,
                         double *out, gd_error *err)
{
    uint64_t len = 0;
    hid_t dset = open_series(r, name, &len, err);
    int rc = dset >= 0 ? check_range(r, name, first, count, len, err) : -1;
    if (rc == 0 && count && read_range(dset, H5T_NATIVE_DOUBLE, first, count, out) < 0)
        rc = gd_fail(err, "%s: cannot read '%s', elements %llu..%llu (corrupt file?)",
                     r->path, name, (unsigned long long)first,
                     (unsigned long long)(first + count));
    gd_h5_close(&dset);
    H5Eclear2(H5E_DEFAULT);
    return rc;
}
