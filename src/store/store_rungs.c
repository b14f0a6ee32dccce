/* store_rungs.c - what successive halving asks of the file (halving.h): one column of the
 * committed rows read back through the writer's own handle, and the status of runs that
 * stop at a rung rewritten to `pruned` (their result cells stay). */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

/* A compound of the columns `names` (n of them, packed in order). */
static hid_t members_type(const gd_store *st, const char *const *names, size_t n, size_t *size)
{
    size_t offset = 0;
    for (size_t i = 0; i < n; i++)
        offset += st->cols.col[gd_columns_find(&st->cols, names[i])].size;
    *size = offset;
    hid_t t = H5Tcreate(H5T_COMPOUND, offset);
    offset = 0;
    for (size_t i = 0; t >= 0 && i < n; i++) {
        const gd_column *col = &st->cols.col[gd_columns_find(&st->cols, names[i])];
        hid_t m = gd_h5_column_type(col);
        if (m < 0 || H5Tinsert(t, col->name, offset, m) < 0)
            gd_h5_close(&t);
        gd_h5_close(&m);
        offset += col->size;
    }
    return t;
}

int gd_store_read_column(gd_store *st, const char *name, uint64_t first, uint64_t n,
                         double *out, gd_error *err)
{
    if (n == 0)
        return 0;
    hsize_t start = first, count = n;
    hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(double));
    hid_t fspace = H5Dget_space(st->runs), mspace = H5Screate_simple(1, &count, NULL);
    int rc = type >= 0 && fspace >= 0 && mspace >= 0 &&
                     H5Tinsert(type, name, 0, H5T_NATIVE_DOUBLE) >= 0 &&
                     H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
                     H5Dread(st->runs, type, mspace, fspace, H5P_DEFAULT, out) >= 0
                 ? 0
                 : -1;
    gd_h5_close(&mspace);
    gd_h5_close(&fspace);
    gd_h5_close(&type);
    return rc == 0 ? 0 : gd_h5_fail(st, err, "reading a column of the runs table back");
}

/* n cells of (status "pruned", status_code GD_STATUS_PRUNED), size bytes each. */
static unsigned char *pruned_cells(size_t n, size_t size)
{
    unsigned char *cells = calloc(n ? n : 1, size);
    const char *name = gd_status_name(GD_STATUS_PRUNED);
    int8_t code = GD_STATUS_PRUNED;
    for (size_t i = 0; cells && i < n; i++) {
        memcpy(cells + i * size, name, strlen(name));
        memcpy(cells + (i + 1) * size - 1, &code, 1);
    }
    return cells;
}

static int write_pruned(gd_store *st, const uint64_t *ids, size_t n)
{
    static const char *const names[] = {"status", "status_code"};
    size_t size;
    hsize_t count = n;
    hid_t type = members_type(st, names, 2, &size);
    unsigned char *cells = pruned_cells(n, size);
    hsize_t *coords = malloc(n * sizeof *coords);
    hid_t fspace = H5Dget_space(st->runs), mspace = H5Screate_simple(1, &count, NULL);
    for (size_t i = 0; coords && i < n; i++)
        coords[i] = ids[i];
    int rc = type >= 0 && cells && coords && fspace >= 0 && mspace >= 0 &&
                     H5Sselect_elements(fspace, H5S_SELECT_SET, n, coords) >= 0 &&
                     H5Dwrite(st->runs, type, mspace, fspace, H5P_DEFAULT, cells) >= 0 &&
                     H5Fflush(st->file, H5F_SCOPE_LOCAL) >= 0
                 ? 0
                 : -1;
    gd_h5_close(&mspace);
    gd_h5_close(&fspace);
    gd_h5_close(&type);
    free(coords);
    free(cells);
    return rc;
}

int gd_store_mark_pruned(gd_store *st, const uint64_t *ids, size_t n, gd_error *err)
{
    if (n == 0)
        return 0;
    if (st->abandoned)
        return gd_fail_runtime(err, "%s: not written after an earlier write failed", st->path);
    if (gd_store_reserve(st, GD_STORE_METADATA_ROOM, "marking pruned runs", err) != 0)
        return -1;
    if (write_pruned(st, ids, n) == 0) {
        st->unsynced = 0; /* the last batch's syncs are done: this flush waited for them */
        return 0;
    }
    gd_store_give_up_writing(st);
    return gd_h5_fail(st, err, "marking runs pruned");
}
