/* image_formats.h - the decoders behind image_file.h, one file per format.
 *
 * Package-private to src/problems/. Each decodes the image in f into out (NULL: only its
 * height and width) as image_file.h describes, or fails with a usage error naming the key
 * and the file (a runtime error when out of memory). The _is functions look at the first
 * bytes only. */
#ifndef GDSWEEP_IMAGE_FORMATS_H
#define GDSWEEP_IMAGE_FORMATS_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem_files.h"

/* PNG (libpng): png_image.c. */
int gd_png_is(const gd_problem_file *f);
int gd_png_decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                  gd_error *err);

/* PGM, plain (P2) or binary (P5), and PBM (libnetpbm): pgm_image.c. */
int gd_pgm_is(const gd_problem_file *f);
int gd_pgm_decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                  gd_error *err);

/* A 2-D numeric dataset f->dataset of an HDF5 file (h5_input.h): h5_image.c. */
int gd_h5_image_decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                       gd_error *err);

#endif
