/* image_file.h - grayscale images from a problem's file: PNG (libpng), PGM/PBM (libnetpbm),
 * or a 2-D dataset of an HDF5 file (FILE.h5:/PATH, h5_input.h).
 *
 * Package-private to src/problems/. The file's bytes come from the problem files cache
 * (problem_files.h); nothing here opens a file. Values are scaled to [0, 1], with no gamma
 * conversion. PGM (plain P2 or binary P5, comments in the header): the samples over the
 * header's maxval (1..65535; PBM: white 1, black 0). HDF5: an integer dataset over its
 * type's largest value (uint8 v / 255, uint16 v / 65535), negative values refused; a
 * floating one as it is, values outside [0, 1] refused. PNG: the stored samples
 * (v / 255 or v / 65535): 1, 2 and 4-bit gray are widened to 8 bits first (libpng's
 * png_set_expand_gray_1_2_4_to_8: 1-bit 1 is 255), a palette is expanded to its colours,
 * colour becomes the luminance Y = 0.2126 R + 0.7152 G + 0.0722 B (Rec. 709) of the scaled
 * stored values, in double precision, and an alpha channel is ignored. Thread-safe: each
 * PNG or HDF5 call has its own state; PGM calls are serialised (libnetpbm's error handling
 * is process-global). Failure: a usage error naming the key and the file. */
#ifndef GDSWEEP_IMAGE_FILE_H
#define GDSWEEP_IMAGE_FILE_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem_files.h"

/* The largest side accepted, in pixels (larger files are refused, not allocated). */
#define GD_IMAGE_SIDE_MAX 65536

/* Height (rows) and width (columns) of the image in f, from its header. */
int gd_image_size(const gd_problem_file *f, size_t *height, size_t *width, gd_error *err);

/* Decodes the image in f into out (height * width doubles, row-major, values in [0, 1]). */
int gd_image_read(const gd_problem_file *f, double *out, gd_error *err);

#endif
