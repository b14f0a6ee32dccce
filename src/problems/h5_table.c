/* h5_table.c - a table of numbers from 1-D datasets of a problem's HDF5 file.
 *
 * The datasets' shapes are checked first (h5_input.c), then each is read whole into a
 * column buffer and copied into the row-major table. */
#include "h5_table.h"

#include <stdlib.h>
#include <string.h>

#include "h5_input.h"

/* Names the columns and sets the rows: every dataset 1-D, all of one length. */
static int check_columns(const gd_problem_file *f, const char *const *paths, gd_table *t,
                         gd_error *err)
{
    for (size_t c = 0; c < t->cols; c++) {
        gd_h5_dataset d;
        if (gd_h5_input_read(f, paths[c], 1, &d, NULL, 0, err) < 0)
            return -1;
        if (c > 0 && d.rows != t->rows)
            return gd_fail(err, "%s = %s:%s has %zu values, %s has %zu; give datasets of "
                           "one length", f->key, f->path, paths[c], d.rows, paths[0],
                           t->rows);
        t->rows = d.rows;
        if (!(t->names[c] = strdup(paths[c])))
            return gd_fail_runtime(err, "%s = %s: out of memory", f->key, f->path);
    }
    return 0;
}

/* Column c of t: the dataset paths[c]. */
static int read_column(const gd_problem_file *f, const char *path, size_t c, gd_table *t,
                       gd_error *err)
{
    gd_h5_dataset d;
    double *column = malloc(t->rows * sizeof *column);
    if (!column)
        return gd_fail_runtime(err, "%s = %s:%s: out of memory", f->key, f->path, path);
    int rc = gd_h5_input_read(f, path, 1, &d, column, t->rows, err);
    for (size_t i = 0; rc == 0 && i < t->rows; i++)
        t->values[i * t->cols + c] = column[i];
    free(column);
    return rc;
}

int gd_h5_table_read(const gd_problem_file *f, const char *const *paths, size_t n,
                     gd_table *t, gd_error *err)
{
    memset(t, 0, sizeof *t);
    t->cols = n;
    t->names = calloc(n, sizeof *t->names);
    int rc = t->names ? check_columns(f, paths, t, err)
                      : gd_fail_runtime(err, "%s = %s: out of memory", f->key, f->path);
    if (rc == 0 && !(t->values = malloc(t->rows * n * sizeof *t->values)))
        rc = gd_fail_runtime(err, "%s = %s: out of memory for %zu x %zu values", f->key,
                             f->path, t->rows, n);
    for (size_t c = 0; rc == 0 && c < n; c++)
        rc = read_column(f, paths[c], c, t, err);
    if (rc < 0)
        gd_table_free(t);
    return rc;
}
