/* image_file.c - grayscale images from a problem's file: the format by its first bytes.
 *
 * PNG and PGM/PBM are told by their signatures; a name FILE.h5:/PATH (f->dataset) reads a
 * 2-D dataset of an HDF5 file. See image_file.h for the values. */
#include "image_file.h"

#include "h5_input.h"
#include "image_formats.h"

static int decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                  gd_error *err)
{
    if (f->dataset)
        return gd_h5_image_decode(f, out, height, width, err);
    if (gd_png_is(f))
        return gd_png_decode(f, out, height, width, err);
    if (gd_pgm_is(f))
        return gd_pgm_decode(f, out, height, width, err);
    if (gd_h5_input_is(f))
        return gd_fail(err, "%s = %s is an HDF5 file; name its image's 2-D dataset: "
                       "%s = %s:/PATH", f->key, f->path, f->key, f->path);
    return gd_fail(err, "%s = %s is neither a PNG nor a PGM file; give a grayscale or "
                   "colour PNG, a PGM, or FILE.h5:/DATASET", f->key, f->path);
}

int gd_image_size(const gd_problem_file *f, size_t *height, size_t *width, gd_error *err)
{
    return decode(f, NULL, height, width, err);
}

int gd_image_read(const gd_problem_file *f, double *out, gd_error *err)
{
    size_t height, width;
    return decode(f, out, &height, &width, err);
}
