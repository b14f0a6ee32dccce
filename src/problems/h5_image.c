/* h5_image.c - grayscale images from a 2-D dataset of a problem's HDF5 file.
 *
 * Rows of the dataset are rows of the image. Values are scaled to [0, 1]: an integer type by
 * its largest value (uint8 v / 255, uint16 v / 65535, int16 v / 32767, ...: the same doubles
 * as a PNG or PGM of those samples), a negative integer refused; a floating type as it is,
 * a value outside [0, 1] refused (scale it before writing). */
#include "image_formats.h"

#include <stdlib.h>

#include "h5_input.h"
#include "image_file.h"

/* Scales the values in place; refuses the first one outside the range, naming it. */
static int to_unit_range(const gd_problem_file *f, const gd_h5_dataset *d, double *v,
                         gd_error *err)
{
    double max = d->type_max > 0 ? d->type_max : 1;
    for (size_t k = 0; k < d->rows * d->cols; k++) {
        if (v[k] >= 0 && v[k] <= max) {
            v[k] = d->type_max > 0 ? v[k] / max : v[k];
            continue;
        }
        return gd_fail(err, "%s = %s:%s: value [%zu][%zu] is %g, outside [0, %g]; %s",
                       f->key, f->path, f->dataset, k / d->cols, k % d->cols, v[k], max,
                       d->type_max > 0 ? "store non-negative samples"
                                       : "store floating-point values in [0, 1]");
    }
    return 0;
}

int gd_h5_image_decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                       gd_error *err)
{
    gd_h5_dataset d;
    if (gd_h5_input_read(f, f->dataset, 2, &d, NULL, 0, err) < 0)
        return -1;
    *height = d.rows;
    *width = d.cols;
    if (d.rows > GD_IMAGE_SIDE_MAX || d.cols > GD_IMAGE_SIDE_MAX)
        return gd_fail(err, "%s = %s:%s is %zux%zu, more than %d on a side; give a smaller "
                       "image", f->key, f->path, f->dataset, d.cols, d.rows,
                       GD_IMAGE_SIDE_MAX);
    if (!out)
        return 0;
    if (gd_h5_input_read(f, f->dataset, 2, &d, out, d.rows * d.cols, err) < 0)
        return -1;
    return to_unit_range(f, &d, out, err);
}
