/* design_h5.c - a design's table from an HDF5 file: a 2-D dataset X and a 1-D dataset y.
 *
 * data = FILE.h5 holds the samples as X (rows = samples, one column per feature) and y
 * (one target per row); the name keys give other paths (features = /PATH for X,
 * target = /PATH for y). Both are read through h5_input.h (the cache's bytes, no file
 * opened; any integer or floating type; finite values) into a table of the source's own:
 * columns X[0] .. X[f-1], then the target. A name FILE.h5:/PATH (one dataset) is refused:
 * these types read two. Failure: one usage error naming the file and the dataset. */
#include "design.h"

#include "h5_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names X[0] .. X[f-1] and the target's path for the table's columns. */
static int name_columns(gd_table *t, size_t f, const char *ypath)
{
    if (!(t->names = calloc(f + 1, sizeof *t->names)))
        return -1;
    t->cols = f + 1;
    for (size_t j = 0; j < f; j++) {
        char name[32];
        snprintf(name, sizeof name, "X[%zu]", j);
        if (!(t->names[j] = strdup(name)))
            return -1;
    }
    return (t->names[f] = strdup(ypath)) ? 0 : -1;
}

/* X (rows x f) and y into the table: row r is X's row r, then y[r]. */
static int fill_values(const gd_problem_file *data, const char *xpath, const char *ypath,
                       const gd_h5_dataset *dx, gd_table *t, gd_error *err)
{
    size_t rows = dx->rows, f = dx->cols;
    double *x = malloc(rows * f * sizeof *x), *y = malloc(rows * sizeof *y);
    gd_h5_dataset dy;
    t->values = malloc(rows * (f + 1) * sizeof *t->values);
    int rc = x && y && t->values ? 0 : gd_fail_runtime(err, "data = %s: out of memory for "
                                                       "%zu rows", data->path, rows);
    if (rc == 0)
        rc = gd_h5_input_read(data, xpath, 2, (gd_h5_dataset[]){{0}}, x, rows * f, err);
    if (rc == 0)
        rc = gd_h5_input_read(data, ypath, 1, &dy, y, rows, err);
    for (size_t r = 0; rc == 0 && r < rows; r++) {
        memcpy(t->values + r * (f + 1), x + r * f, f * sizeof *x);
        t->values[r * (f + 1) + f] = y[r];
    }
    free(x);
    free(y);
    return rc;
}

int gd_design_read_h5(const gd_problem_files *files, const gd_problem_file *data,
                      gd_design_source *src, gd_error *err)
{
    const char *xname = gd_problem_files_name(files, "features");
    const char *yname = gd_problem_files_name(files, "target");
    const char *xpath = xname ? xname : "/X", *ypath = yname ? yname : "/y";
    gd_h5_dataset dx, dy;
    gd_table *t = &src->own;
    if (data->dataset)
        return gd_fail(err, "data = %s:%s: this type reads two datasets; give data = %s and "
                       "name them with features = /PATH (X) and target = /PATH (y)",
                       data->path, data->dataset, data->path);
    if (gd_h5_input_read(data, xpath, 2, &dx, NULL, 0, err) < 0 ||
        gd_h5_input_read(data, ypath, 1, &dy, NULL, 0, err) < 0)
        return -1;
    if (dy.rows != dx.rows)
        return gd_fail(err, "data = %s: %s has %zu rows but %s %zu values; give one target "
                       "per row", data->path, xpath, dx.rows, ypath, dy.rows);
    src->features = malloc(dx.cols * sizeof *src->features);
    if (!src->features || name_columns(t, dx.cols, ypath) < 0)
        return gd_fail_runtime(err, "data = %s: out of memory", data->path);
    if (fill_values(data, xpath, ypath, &dx, t, err) < 0)
        return -1;
    t->rows = dx.rows;
    for (size_t j = 0; j < dx.cols; j++)
        src->features[j] = j;
    src->n_features = dx.cols;
    src->target = dx.cols;
    src->table = t;
    return 0;
}
