/* h5_table.h - a table of numbers from 1-D datasets of a problem's HDF5 file.
 *
 * Package-private to src/problems/. Column c of the table is the 1-D numeric dataset
 * paths[c] (h5_input.h: any integer or floating type, finite values), named by its path;
 * every dataset must have the same length, the table's rows. Failure: one usage error
 * naming KEY = FILE:/PATH and the fix; out of memory is a runtime error. */
#ifndef GDSWEEP_H5_TABLE_H
#define GDSWEEP_H5_TABLE_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem_files.h"
#include "table_file.h"

/* Reads the n datasets paths of f into *t. Returns 0, or -1 with err filled and *t
 * zeroed. */
int gd_h5_table_read(const gd_problem_file *f, const char *const *paths, size_t n,
                     gd_table *t, gd_error *err);

#endif
