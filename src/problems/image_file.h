/* image_file.h - grayscale images from a problem's file (PNG, through libpng).
 *
 * Package-private to src/problems/. The file's bytes come from the problem files cache
 * (problem_files.h); nothing here opens a file. Values are the stored samples scaled to
 * [0, 1] (v / 255 or v / 65535), with no gamma conversion: 1, 2 and 4-bit gray are widened
 * to 8 bits first (libpng's png_set_expand_gray_1_2_4_to_8: 1-bit 1 is 255), a palette is
 * expanded to its colours, colour becomes the luminance Y = 0.2126 R + 0.7152 G +
 * 0.0722 B (Rec. 709) of the scaled stored values, in double precision, and an alpha
 * channel is ignored. Thread-safe:
 * each call has its own libpng state. Failure: a usage error naming the key and the file. */
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
