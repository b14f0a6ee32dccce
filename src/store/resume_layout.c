/* resume_layout.c - whether an older output's runs table can take this sweep's rows.
 *
 * The runs table has a column per key of every registered type (columns.h), so a gdsweep
 * that gained a problem type or a key writes rows of another type than the one that
 * started an output. Resuming such an output is safe when every column this sweep fills
 * is in the file's table with the same type: HDF5 converts a compound row by member name,
 * dropping the members the file lacks (columns this sweep leaves blank) and keeping the
 * file's other members as they are. */
#include "store_internal.h"

#include <stdlib.h>

/* 1 when the file's member type can hold ours unchanged (equal, or a wider string). */
static int holds(hid_t file_member, hid_t ours)
{
    if (H5Tget_class(ours) == H5T_STRING && H5Tget_class(file_member) == H5T_STRING)
        return H5Tget_size(file_member) >= H5Tget_size(ours);
    return H5Tequal(file_member, ours) > 0;
}

/* 0 when column i of ours is in the file with a type that holds it, or is unused. */
static int column_fits(const gd_store *st, hid_t file, unsigned i, int used, gd_error *err)
{
    const char *name = st->cols.col[i].name;
    int at = H5Tget_member_index(file, name);
    if (at < 0)
        return used ? gd_fail(err, "%s: its runs table, written by an older gdsweep, has no "
                              "column '%s', which this grid fills; write a new output",
                              st->path, name)
                    : 0;
    hid_t theirs = H5Tget_member_type(file, (unsigned)at);
    hid_t ours = H5Tget_member_type(st->row_type, i);
    int ok = theirs >= 0 && ours >= 0 && holds(theirs, ours);
    gd_h5_close(&theirs);
    gd_h5_close(&ours);
    return ok ? 0
              : gd_fail(err, "%s: its runs table, written by an older gdsweep, stores column "
                        "'%s' in another type; write a new output", st->path, name);
}

int gd_store_resume_layout(const gd_store *st, hid_t file, gd_error *err)
{
    int n = H5Tget_nmembers(file);
    if (n <= 0 || !gd_h5_row_type_is_sane(file, n))
        return gd_fail(err, "%s: the runs table's row type is inconsistent (corrupt file?)",
                       st->path);
    unsigned char *used = malloc(st->cols.count ? st->cols.count : 1);
    if (!used)
        return gd_fail_runtime(err, "%s: out of memory", st->path);
    gd_columns_sweep_uses(&st->cols, st->sweep, used);
    int rc = 0;
    for (unsigned i = 0; rc == 0 && i < st->cols.count; i++)
        rc = column_fits(st, file, i, used[i], err);
    free(used);
    return rc;
}
