/* resume_series.c - a trajectory series an earlier gdsweep's output lacks, added on resume.
 *
 * A gdsweep that gains a per-record series (traj/batch_loss) writes a dataset older
 * outputs do not have. Resuming such an output adds it: NaN for every record already
 * written (those runs had no such values), then the new runs append to it like to the
 * others. The addition goes through the journal like every write of a resume, so a resume
 * killed before its first commit leaves the file as it was. */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAN_BLOCK 65536 /* values written per call */

/* The per-record series added since format 2 began: an output may lack only these (one
 * without another series is damaged, not old). */
static const char *const added_since_format_2[] = {"traj/batch_loss", NULL};

int gd_store_series_addable(int i)
{
    for (size_t k = 0; i < GD_RECORD_SERIES_COUNT && added_since_format_2[k]; k++)
        if (strcmp(gd_series_table[i].name, added_since_format_2[k]) == 0)
            return gd_series_table[i].elem == GD_SERIES_FLOAT64;
    return 0;
}

/* The number of records the output holds: the shortest per-record series it has. */
static int records_held(const gd_store *st, uint64_t *records)
{
    *records = UINT64_MAX;
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++) {
        if (H5Lexists(st->file, gd_series_table[i].name, H5P_DEFAULT) <= 0)
            continue;
        hid_t ds = H5Dopen2(st->file, gd_series_table[i].name, H5P_DEFAULT);
        hid_t space = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
        hsize_t dims = 0;
        int ok = space >= 0 && H5Sget_simple_extent_dims(space, &dims, NULL) == 1;
        gd_h5_close(&space);
        gd_h5_close(&ds);
        if (!ok)
            return -1;
        *records = dims < *records ? dims : *records;
    }
    return *records == UINT64_MAX ? -1 : 0;
}

int gd_store_add_series(gd_store *st, int i, gd_error *err)
{
    const gd_series *s = &gd_series_table[i];
    uint64_t records;
    double *nan_block = malloc(NAN_BLOCK * sizeof *nan_block);
    hid_t type = gd_h5_series_file_type(s); /* a predefined type: not closed */
    gd_h5_series added = {.id = H5I_INVALID_HID};
    int rc = nan_block && type >= 0 && records_held(st, &records) == 0 &&
                     gd_h5_series_create(&added, st->file, s->name, type) == 0
                 ? 0
                 : -1;
    for (size_t k = 0; nan_block && k < NAN_BLOCK; k++)
        nan_block[k] = NAN;
    while (rc == 0 && added.len < records) {
        uint64_t n = records - added.len < NAN_BLOCK ? records - added.len : NAN_BLOCK;
        rc = gd_h5_series_append(&added, H5T_NATIVE_DOUBLE, nan_block, (size_t)n);
    }
    gd_h5_close(&added.id);
    free(nan_block);
    if (rc < 0) {
        char what[128];
        snprintf(what, sizeof what, "adding %s (a series earlier gdsweeps did not write)",
                 s->name);
        return gd_h5_fail(st, err, what);
    }
    return 0;
}
