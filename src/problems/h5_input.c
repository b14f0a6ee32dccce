/* h5_input.c - numeric datasets from a problem's HDF5 file, read from the bytes in memory.
 *
 * The file image's callbacks hand HDF5 the cache's buffer itself wherever it would copy it
 * (setting the property, copying it, opening the file), and free nothing: the cache outlives
 * every open, which is read-only. Each open names the core "file" after the buffer's
 * address, as HDF5 takes two opens of one name for the same file. Errors are silenced
 * (H5E_BEGIN_TRY, this thread's error stack) and become one message here. */
#include "h5_input.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The cache's buffer, as the file image's callbacks see it. */
typedef struct image {
    const unsigned char *bytes;
    size_t len;
} image;

static void *image_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    const image *im = udata;
    return size == im->len ? (void *)im->bytes : NULL;
}

static void *image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op,
                          void *udata)
{
    return dest == src ? dest : NULL;
}

static void *image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
    return NULL; /* read-only: never grows */
}

static herr_t image_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
    return 0;
}

static void *udata_copy(void *udata)
{
    return udata;
}

static herr_t udata_free(void *udata)
{
    return 0;
}

/* The HDF5 file in f's bytes, opened read-only in memory; negative when it is none. */
static hid_t open_image(const gd_problem_file *f, image *im)
{
    H5FD_file_image_callbacks_t callbacks = {image_malloc, image_memcpy, image_realloc,
                                             image_free, udata_copy, udata_free, im};
    char name[64];
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), file = -1;
    snprintf(name, sizeof name, "gdsweep-input-%p", (const void *)f->bytes);
    if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0 &&
        H5Pset_file_image_callbacks(fapl, &callbacks) >= 0 &&
        H5Pset_file_image(fapl, (void *)f->bytes, f->len) >= 0)
        file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    return file;
}

/* The open file, dataset, its space and type (negative: not open). */
typedef struct h5_open {
    hid_t file, dset, space, type;
} h5_open;

static void close_all(h5_open *o)
{
    if (o->type >= 0)
        H5Tclose(o->type);
    if (o->space >= 0)
        H5Sclose(o->space);
    if (o->dset >= 0)
        H5Dclose(o->dset);
    if (o->file >= 0)
        H5Fclose(o->file);
}

/* The largest value of integer type t (0 for a floating type). */
static double type_max(hid_t t)
{
    if (H5Tget_class(t) != H5T_INTEGER)
        return 0;
    int bits = 8 * (int)H5Tget_size(t) - (H5Tget_sign(t) == H5T_SGN_2);
    return ldexp(1, bits) - 1;
}

/* Opens the dataset and checks its type and shape into *d. */
static int open_dataset(const gd_problem_file *f, const char *path, int rank, image *im,
                        h5_open *o, gd_h5_dataset *d, gd_error *err)
{
    hsize_t dims[2] = {0, 1};
    if ((o->file = open_image(f, im)) < 0)
        return gd_fail(err, "not an HDF5 file; give an HDF5 file and a dataset in it");
    if ((o->dset = H5Dopen2(o->file, path, H5P_DEFAULT)) < 0)
        return gd_fail(err, "no such dataset; name one that exists (h5ls -r %s lists "
                       "them)", f->path);
    o->space = H5Dget_space(o->dset);
    o->type = H5Dget_type(o->dset);
    H5T_class_t cls = o->type >= 0 ? H5Tget_class(o->type) : H5T_NO_CLASS;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        return gd_fail(err, "not numeric; store integers or floating-point numbers");
    int got = o->space >= 0 ? H5Sget_simple_extent_ndims(o->space) : -1;
    if (got != rank || H5Sget_simple_extent_dims(o->space, dims, NULL) < 0)
        return gd_fail(err, "%d-dimensional; give a %d-D dataset", got < 0 ? 0 : got, rank);
    *d = (gd_h5_dataset){(size_t)dims[0], (size_t)dims[1], type_max(o->type)};
    if (dims[0] == 0 || dims[1] == 0 || dims[0] * dims[1] > GD_H5_INPUT_MAX)
        return gd_fail(err, "%llu x %llu elements; give 1 to %zu", (unsigned long long)dims[0],
                       (unsigned long long)dims[1], GD_H5_INPUT_MAX);
    return 0;
}

/* The first value of out that is not finite, named as [i] or [i][j]. */
static int check_finite(const double *out, const gd_h5_dataset *d, int rank, gd_error *err)
{
    for (size_t k = 0; k < d->rows * d->cols; k++) {
        if (isfinite(out[k]))
            continue;
        if (rank == 1)
            return gd_fail(err, "value [%zu] is %g; give finite numbers", k, out[k]);
        return gd_fail(err, "value [%zu][%zu] is %g; give finite numbers", k / d->cols,
                       k % d->cols, out[k]);
    }
    return 0;
}

static int read_values(const gd_problem_file *f, const char *path, int rank,
                       gd_h5_dataset *d, double *out, size_t n, gd_error *err)
{
    image im = {f->bytes, f->len};
    h5_open o = {-1, -1, -1, -1};
    int rc = open_dataset(f, path, rank, &im, &o, d, err);
    if (rc == 0 && out && n < d->rows * d->cols)
        rc = gd_fail_runtime(err, "%zu values, room for %zu", d->rows * d->cols, n);
    else if (rc == 0 && out &&
             H5Dread(o.dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        rc = gd_fail(err, "its values cannot be read as numbers (a filter missing, or "
                     "the file cut short); write it again");
    if (rc == 0 && out)
        rc = check_finite(out, d, rank, err);
    close_all(&o);
    return rc;
}

int gd_h5_input_is(const gd_problem_file *f)
{
    static const unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    return f->len >= 8 && memcmp(f->bytes, signature, 8) == 0;
}

int gd_h5_input_read(const gd_problem_file *f, const char *path, int rank, gd_h5_dataset *d,
                     double *out, size_t n, gd_error *err)
{
    int rc = -1;
    H5E_BEGIN_TRY {
        rc = read_values(f, path, rank, d, out, n, err);
    } H5E_END_TRY;
    if (rc < 0)
        gd_error_prefix(err, "%s = %s:%s", f->key, f->path, path);
    return rc;
}
