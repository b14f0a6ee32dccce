/* store_shard.c - the one reading of a file's shard attributes (shard_index, shard_count).
 *
 * Used by resume (store_resume.c) and, through gd_reader_shard, by status, summary and
 * merge. An absent attribute reads as its default (index 0, count 1: the whole grid); one
 * that is there but is not one number (text, an array), or values gd_shard_attrs_ok
 * refuses, are a usage error: a shard read as the whole grid would be resumed wrongly. */
#include "store_internal.h"

#include "gdsweep/selection.h"

int gd_h5_attr_scalar(hid_t obj, const char *name, double *out)
{
    int missing;
    hid_t a = gd_h5_open_scalar_attr(obj, name, H5T_FLOAT, &missing);
    int rc = a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, out) >= 0 ? 1 : missing ? 0 : -1;
    gd_h5_close(&a);
    return rc;
}

double gd_h5_attr_number(hid_t obj, const char *name, double def)
{
    double v;
    return gd_h5_attr_scalar(obj, name, &v) == 1 ? v : def;
}

/* *value = the attribute, or def when it is absent; -1 when it is there but not a number. */
static int shard_attr(hid_t file, const char *path, const char *name, double def,
                      double *value, gd_error *err)
{
    int rc = gd_h5_attr_scalar(file, name, value);
    if (rc == 0)
        *value = def;
    return rc < 0 ? gd_fail(err, "%s: attribute '%s' is not a number (corrupt file?)", path,
                            name)
                  : 0;
}

int gd_h5_read_shard(hid_t file, const char *path, const char *advice, uint64_t *shard,
                     uint64_t *shards, gd_error *err)
{
    double k, n;
    if (shard_attr(file, path, GD_ATTR_SHARD_INDEX, 0, &k, err) < 0 ||
        shard_attr(file, path, GD_ATTR_SHARD_COUNT, 1, &n, err) < 0)
        return -1;
    if (!gd_shard_attrs_ok(k, n))
        return gd_fail(err, "%s: " GD_ATTR_SHARD_INDEX " %g of " GD_ATTR_SHARD_COUNT
                       " %g is impossible (corrupt file?)%s", path, k, n, advice);
    *shard = (uint64_t)k;
    *shards = (uint64_t)n;
    return 0;
}
