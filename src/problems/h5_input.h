/* h5_input.h - numeric datasets from a problem's HDF5 file, read from the bytes in memory.
 *
 * Package-private to src/problems/. The file's bytes come from the problem files cache
 * (problem_files.h): HDF5 opens them read-only through its core driver with a file image
 * that is the cache's own buffer (no copy, no file opened). A dataset is read by its path
 * ("/img", "/group/x") as doubles (HDF5's conversion of any integer or floating type; an
 * integer beyond 2^53 rounds). Debian's libhdf5 is built thread-safe, so any thread may
 * call these.
 *
 * Failure: one usage error that names KEY = FILE:/PATH and the fix: the bytes are no HDF5
 * file, no dataset at the path, a rank other than the one asked, a type that is not integer
 * or floating, no elements or more than GD_H5_INPUT_MAX, a NaN or an infinity (naming its
 * index, [i] or [i][j]). */
#ifndef GDSWEEP_H5_INPUT_H
#define GDSWEEP_H5_INPUT_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem_files.h"

/* The most elements read from one dataset (2^31: 16 GiB of doubles). */
#define GD_H5_INPUT_MAX ((size_t)1 << 31)

/* What a dataset holds. */
typedef struct gd_h5_dataset {
    size_t rows, cols;  /* rank 2: its sides; rank 1: its length and 1 */
    double type_max;    /* an integer type's largest value (2^bits - 1, or 2^(bits-1) - 1
                           when signed); 0 for a floating type */
} gd_h5_dataset;

/* 1 when f's bytes start with HDF5's signature (a file without a user block). */
int gd_h5_input_is(const gd_problem_file *f);

/* The dataset `path` of the HDF5 file f, of rank `rank` (1 or 2), into *d and, when out is
 * not NULL, its values into out (rows * cols doubles, row-major; n: the room in out, at
 * least that count). Returns 0, or -1 with err filled. */
int gd_h5_input_read(const gd_problem_file *f, const char *path, int rank, gd_h5_dataset *d,
                     double *out, size_t n, gd_error *err);

#endif
