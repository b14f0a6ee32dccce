/* store_h5.c - thin HDF5 helpers the store's files share: errors, attributes, types,
 * appendable 1-D datasets, closing ids.
 *
 * Helpers return 0 / -1 (or an id / a negative id) and leave HDF5's error stack in
 * place; the caller turns it into a gd_error with gd_h5_fail. */
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Appendable datasets have chunks of SERIES_CHUNK values. Writes bypass the chunk cache
 * (it is disabled and chunks are never pre-filled), so an append goes from the caller's
 * buffer straight to the file. */

double gd_store_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What the error stack says: its innermost message, and the errno of a failed system
 * call (HDF5's drivers write "errno = N" into theirs). */
typedef struct stack_cause {
    char msg[512];
    int sys_errno;
} stack_cause;

static herr_t read_cause(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    stack_cause *c = data;
    const char *at = e->desc ? strstr(e->desc, "errno = ") : NULL;
    if (!c->msg[0] && e->desc && e->desc[0])
        snprintf(c->msg, sizeof c->msg, "%s", e->desc);
    if (at && !c->sys_errno)
        c->sys_errno = atoi(at + 8);
    return 0;
}

const char *gd_errno_name(int e)
{
    switch (e) {
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EIO: return "EIO";
    case EFBIG: return "EFBIG";
    case EROFS: return "EROFS";
    default: return "";
    }
}

const char *gd_errno_text(int e, char *buf, size_t size)
{
    const char *name = gd_errno_name(e);
    snprintf(buf, size, "%s%s%s%s", strerror(e), name[0] ? " (" : "", name, name[0] ? ")" : "");
    return buf;
}

int gd_h5_fail(const gd_store *st, gd_error *err, const char *what)
{
    stack_cause c = {{0}, 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, read_cause, &c);
    H5Eclear2(H5E_DEFAULT);
    char cause[GD_ERRNO_TEXT];
    if (c.sys_errno)
        return gd_fail_runtime(err, "%s: %s: %s", st->path, what,
                               gd_errno_text(c.sys_errno, cause, sizeof cause));
    if (c.msg[0])
        return gd_fail_runtime(err, "%s: %s: %s", st->path, what, c.msg);
    return gd_fail_runtime(err, "%s: %s failed", st->path, what);
}

static void close_id(hid_t id)
{
    switch (H5Iget_type(id)) {
    case H5I_FILE: H5Fclose(id); break;
    case H5I_GROUP: H5Gclose(id); break;
    case H5I_DATATYPE: H5Tclose(id); break;
    case H5I_DATASPACE: H5Sclose(id); break;
    case H5I_DATASET: H5Dclose(id); break;
    case H5I_ATTR: H5Aclose(id); break;
    case H5I_GENPROP_LST: H5Pclose(id); break;
    default: break;
    }
}

void gd_h5_close(hid_t *id)
{
    if (*id < 0)
        return;
    hid_t stack = H5Eget_current_stack(); /* each call below would clear it */
    close_id(*id);
    if (stack >= 0)
        H5Eset_current_stack(stack);
    *id = H5I_INVALID_HID;
}

/* ---- attributes -------------------------------------------------------------------- */

static int write_attr(hid_t obj, const char *name, hid_t type, const void *buf)
{
    htri_t exists = H5Aexists(obj, name);
    hid_t space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    int rc = -1;
    if (exists > 0) {
        attr = H5Aopen(obj, name, H5P_DEFAULT);
    } else if (exists == 0) {
        space = H5Screate(H5S_SCALAR);
        if (space >= 0)
            attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    }
    if (attr >= 0 && H5Awrite(attr, type, buf) >= 0)
        rc = 0;
    gd_h5_close(&attr);
    gd_h5_close(&space);
    return rc;
}

static hid_t text_type(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, size) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0 ||
        H5Tset_strpad(t, H5T_STR_NULLPAD) < 0) {
        gd_h5_close(&t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Text attributes are fixed-length strings: they live in the (checksummed) object header,
 * not in HDF5's global heap, which HDF5 does not validate when reading (a damaged heap
 * crashed libhdf5 1.10.8: docs/HARDENING.md). An existing one is replaced, since its
 * length may differ. */
int gd_h5_attr_text(hid_t obj, const char *name, const char *value)
{
    const char *v = value ? value : "";
    size_t len = strlen(v);
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        return -1;
    hid_t t = text_type(len > 0 ? len : 1); /* "" is one NUL byte */
    int rc = t >= 0 ? write_attr(obj, name, t, v) : -1;
    gd_h5_close(&t);
    return rc;
}

/* A fixed-length string attribute of `size` bytes into a buffer of size + 1. */
static char *read_fixed_text(hid_t attr, hid_t ftype)
{
    size_t size = H5Tget_size(ftype);
    hid_t mtype = H5Tcopy(ftype);
    char *text = size + 1 > size ? calloc(1, size + 1) : NULL;
    if (!text || mtype < 0 || H5Tset_size(mtype, size + 1) < 0 ||
        H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0 || H5Aread(attr, mtype, text) < 0) {
        free(text);
        text = NULL;
    }
    gd_h5_close(&mtype);
    return text;
}

/* A variable-length one (files written before fixed-length text). */
static char *read_variable_text(hid_t attr, hid_t ftype)
{
    char *raw = NULL, *text = NULL;
    hid_t mtype = H5Tget_native_type(ftype, H5T_DIR_ASCEND);
    if (mtype >= 0 && H5Aread(attr, mtype, &raw) >= 0)
        text = strdup(raw ? raw : "");
    if (raw)
        H5free_memory(raw);
    gd_h5_close(&mtype);
    return text;
}

char *gd_h5_read_text(hid_t attr)
{
    hid_t ftype = attr >= 0 ? H5Aget_type(attr) : H5I_INVALID_HID;
    htri_t variable = ftype >= 0 && H5Tget_class(ftype) == H5T_STRING
                          ? H5Tis_variable_str(ftype) : -1;
    char *text = NULL;
    if (variable > 0)
        text = read_variable_text(attr, ftype);
    else if (variable == 0)
        text = read_fixed_text(attr, ftype);
    gd_h5_close(&ftype);
    return text;
}

hid_t gd_h5_file_access(const char *journal_path)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && (H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0 ||
                      gd_h5_use_journal(fapl, journal_path) < 0))
        gd_h5_close(&fapl);
    return fapl;
}

int gd_h5_attr_i64(hid_t obj, const char *name, int64_t value)
{
    return write_attr(obj, name, H5T_NATIVE_INT64, &value);
}

int gd_h5_attr_u64(hid_t obj, const char *name, uint64_t value)
{
    return write_attr(obj, name, H5T_NATIVE_UINT64, &value);
}

int gd_h5_attr_f64(hid_t obj, const char *name, double value)
{
    return write_attr(obj, name, H5T_NATIVE_DOUBLE, &value);
}

/* ---- types ----------------------------------------------------------------------- */

hid_t gd_h5_column_type(const gd_column *col)
{
    switch (col->type) {
    case GD_COL_U8: return H5Tcopy(H5T_NATIVE_UINT8);
    case GD_COL_I8: return H5Tcopy(H5T_NATIVE_INT8);
    case GD_COL_I32: return H5Tcopy(H5T_NATIVE_INT32);
    case GD_COL_I64: return H5Tcopy(H5T_NATIVE_INT64);
    case GD_COL_U64: return H5Tcopy(H5T_NATIVE_UINT64);
    case GD_COL_F64: return H5Tcopy(H5T_NATIVE_DOUBLE);
    default: return text_type(col->size);
    }
}

static int insert_column(hid_t compound, const gd_column *col, size_t offset)
{
    hid_t t = gd_h5_column_type(col);
    int rc = t >= 0 && H5Tinsert(compound, col->name, offset, t) >= 0 ? 0 : -1;
    gd_h5_close(&t);
    return rc;
}

hid_t gd_h5_row_type(const gd_columns *c)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, c->row_size);
    for (size_t i = 0; t >= 0 && i < c->count; i++)
        if (insert_column(t, &c->col[i], c->col[i].offset) < 0)
            gd_h5_close(&t);
    return t;
}

hid_t gd_h5_written_type(const gd_columns *c)
{
    const gd_column *col = &c->col[c->written_col];
    hid_t t = H5Tcreate(H5T_COMPOUND, col->size);
    if (t >= 0 && insert_column(t, col, 0) < 0)
        gd_h5_close(&t);
    return t;
}

/* ---- appendable 1-D datasets --------------------------------------------------------- */

int gd_h5_series_create(gd_h5_series *s, hid_t loc, const char *name, hid_t type)
{
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = SERIES_CHUNK;
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), dapl = H5Pcreate(H5P_DATASET_ACCESS);
    s->len = 0;
    s->id = H5I_INVALID_HID;
    if (space >= 0 && dcpl >= 0 && lcpl >= 0 && dapl >= 0 &&
        H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 &&
        H5Pset_chunk_cache(dapl, 0, 0, 1.0) >= 0 &&
        H5Pset_create_intermediate_group(lcpl, 1) >= 0)
        s->id = H5Dcreate2(loc, name, type, space, lcpl, dcpl, dapl);
    gd_h5_close(&dapl);
    gd_h5_close(&lcpl);
    gd_h5_close(&dcpl);
    gd_h5_close(&space);
    return s->id >= 0 ? 0 : -1;
}

int gd_h5_series_append(gd_h5_series *s, hid_t mtype, const void *data, size_t n)
{
    if (n == 0)
        return 0;
    hsize_t start = s->len, count = n, size = s->len + n;
    hid_t fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID;
    int rc = -1;
    if (H5Dset_extent(s->id, &size) >= 0 && (fspace = H5Dget_space(s->id)) >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
        (mspace = H5Screate_simple(1, &count, NULL)) >= 0 &&
        H5Dwrite(s->id, mtype, mspace, fspace, H5P_DEFAULT, data) >= 0) {
        s->len = size;
        rc = 0;
    }
    gd_h5_close(&mspace);
    gd_h5_close(&fspace);
    return rc;
}

/* ---- reopening ------------------------------------------------------------------------ */

/* Opens an appendable 1-D dataset whose values are of class want (a resume appends
 * numbers to it: a dataset of text, say, is refused here, not after runs were computed). */
static int series_open(gd_h5_series *s, hid_t loc, const char *name, H5T_class_t want)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    hsize_t dims = 0;
    s->id = dapl >= 0 && H5Pset_chunk_cache(dapl, 0, 0, 1.0) >= 0
                ? H5Dopen2(loc, name, dapl)
                : H5I_INVALID_HID;
    gd_h5_close(&dapl);
    hid_t space = s->id >= 0 ? H5Dget_space(s->id) : H5I_INVALID_HID;
    hid_t type = s->id >= 0 ? H5Dget_type(s->id) : H5I_INVALID_HID;
    int ok = space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
             H5Sget_simple_extent_dims(space, &dims, NULL) == 1 && type >= 0 &&
             H5Tget_class(type) == want && H5Tget_size(type) == 8;
    gd_h5_close(&type);
    gd_h5_close(&space);
    s->len = dims;
    return ok ? 0 : -1;
}

/* A crash between the appends of one batch can leave the per-record series of unequal
 * length; committed runs lie below the shortest (their batch was flushed whole), so
 * appending resumes there for all of them. A series the file does not have (an earlier
 * gdsweep's output, checked read-only before the resume adds it) is left unopened, and
 * so is an implicit one (format 3). */
int gd_store_open_series(gd_store *st)
{
    uint64_t shortest = UINT64_MAX;
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        const gd_series *s = &gd_series_table[i];
        st->series[i].id = H5I_INVALID_HID;
        st->series[i].len = 0;
        if (!gd_store_series_stored(st, i) || H5Lexists(st->file, s->name, H5P_DEFAULT) == 0)
            continue;
        if (series_open(&st->series[i], st->file, s->name,
                        s->elem == GD_SERIES_INT64 ? H5T_INTEGER : H5T_FLOAT) < 0)
            return -1;
        if (s->extent == GD_SERIES_PER_RECORD && st->series[i].len < shortest)
            shortest = st->series[i].len;
    }
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++)
        st->series[i].len = shortest;
    return 0;
}

hid_t gd_h5_series_memory_type(const gd_series *s)
{
    return s->elem == GD_SERIES_INT64 ? H5T_NATIVE_LONG : H5T_NATIVE_DOUBLE;
}

hid_t gd_h5_series_file_type(const gd_series *s)
{
    return s->elem == GD_SERIES_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
}

/* A scalar (one-element) attribute of the given class, opened; or an invalid id. */
hid_t gd_h5_open_scalar_attr(hid_t obj, const char *name, H5T_class_t want, int *missing)
{
    hid_t attr = H5I_INVALID_HID, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
    htri_t exists = H5Aexists(obj, name);
    *missing = exists == 0;
    if (exists <= 0)
        return H5I_INVALID_HID;
    attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr >= 0)
        space = H5Aget_space(attr);
    if (attr >= 0)
        type = H5Aget_type(attr);
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    int number = cls == H5T_INTEGER || cls == H5T_FLOAT;
    if (space < 0 || H5Sget_simple_extent_npoints(space) != 1 ||
        !(cls == want || (want == H5T_FLOAT && number)))
        gd_h5_close(&attr);
    gd_h5_close(&type);
    gd_h5_close(&space);
    return attr;
}
