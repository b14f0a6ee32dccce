/* store_shard.c - the one reading of a file's shard attributes (shard_index, shard_count).
 *
 * Used by resume (store_resume.c) and, through gd_reader_shard, by status, summary and
 * merge. An attribute that is absent or not a number reads as its default (index 0,
 * count 1: the whole grid); values gd_shard_attrs_ok refuses are a usage error. */
#include "store_internal.h"

#include "gdsweep/selection.h"

double gd_h5_attr_number(hid_t obj, const char *name, double def)
{
    double v = def;
    hid_t a = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : H5I_INVALID_HID;
    if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
        v = def;
    gd_h5_close(&a);
    return v;
}

int gd_h5_read_shard(hid_t file, const char *path, const char *advice, uint64_t *shard,
                     uint64_t *shards, gd_error *err)
{
    double k = gd_h5_attr_number(file, GD_ATTR_SHARD_INDEX, 0);
    double n = gd_h5_attr_number(file, GD_ATTR_SHARD_COUNT, 1);
    if (!gd_shard_attrs_ok(k, n))
        return gd_fail(err, "%s: " GD_ATTR_SHARD_INDEX " %g of " GD_ATTR_SHARD_COUNT
                       " %g is impossible (corrupt file?)%s", path, k, n, advice);
    *shard = (uint64_t)k;
    *shards = (uint64_t)n;
    return 0;
}
