/* store_instances.c - one group per problem instance under /instances (see
 * docs/FORMAT.md): the instance's input arrays as datasets, its identity and parameters
 * as attributes, taken from the instances a batch carries (gdsweep/batch.h). Each
 * instance is written once: a set of written ids (memory in the number of instances
 * actually run, not the grid's) skips the copies that several batches or ranks send. */
#include "store_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

/* One input, written from where the batch keeps it (memory type = file type: no
 * conversion buffer). */
static int write_array(hid_t group, const gd_batch_input *in, const double *values)
{
    hsize_t dims[2] = {in->dims[0], in->rank == 2 ? in->dims[1] : 1};
    int rank = in->rank == 2 ? 2 : 1;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t ds = space < 0 ? H5I_INVALID_HID
                         : H5Dcreate2(group, in->name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds >= 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                 values) >= 0
                 ? 0
                 : -1;
    gd_h5_close(&ds);
    gd_h5_close(&space);
    return rc;
}

/* A parameter as an attribute: a choice or a file by name, anything else as a double. */
static int write_param(hid_t group, const gd_sweep *s, const gd_param_spec *spec, double v)
{
    if (gd_param_is_text(spec->kind))
        return gd_h5_attr_text(group, spec->key, gd_sweep_file_name(s, v));
    if (spec->kind != GD_CHOICE)
        return gd_h5_attr_f64(group, spec->key, v);
    return gd_h5_attr_text(group, spec->key, gd_columns_choice_name(spec, v));
}

/* Parameters first: the identity attributes below win if a key shares their name. */
static int write_attributes(hid_t group, const gd_store *st, const gd_run_desc *d,
                            const gd_batch_instance *in)
{
    const gd_problem_section *sec = &st->sweep->problems[d->problem];
    const gd_param_spec *specs = sec->type->params;
    for (size_t k = 0; specs && specs[k].key; k++)
        if (write_param(group, st->sweep, &specs[k], d->problem_params[k]) < 0)
            return -1;
    if (gd_h5_attr_text(group, "problem", sec->label) < 0 ||
        gd_h5_attr_text(group, "problem_type", sec->type->name) < 0 ||
        gd_h5_attr_u64(group, "repeat", d->repeat) < 0 ||
        gd_h5_attr_u64(group, "dimension", in->n) < 0 ||
        gd_h5_attr_f64(group, "f_opt", in->has_optimum ? in->f_opt : NAN) < 0)
        return -1;
    return 0;
}

static int write_group(gd_store *st, const gd_run_desc *d, const gd_batch *b, size_t i,
                       gd_error *err)
{
    const gd_batch_instance *in = &b->instances[i];
    char name[32];
    snprintf(name, sizeof name, "%" PRIu64, d->instance);
    hid_t group = H5Gcreate2(st->instances, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = group >= 0 && write_attributes(group, st, d, in) == 0 ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < in->n_inputs; k++)
        rc = write_array(group, &in->inputs[k], gd_batch_input_values(b, i, k));
    gd_h5_close(&group);
    if (rc < 0) {
        char what[64];
        snprintf(what, sizeof what, "writing /instances/%s", name);
        return gd_h5_fail(st, err, what);
    }
    return 0;
}

/* The description of the run that set instance `in` up; fails when they disagree. */
static int instance_run(const gd_store *st, const gd_batch_instance *in, gd_run_desc *d,
                        gd_error *err)
{
    if (in->run_id < st->sweep->n_runs) {
        gd_sweep_decode(st->sweep, in->run_id, d);
        if (d->instance == in->instance)
            return 0;
    }
    return gd_fail_runtime(err, "%s: instance %" PRIu64 " names run %" PRIu64
                           ", which is not one of its runs", st->path, in->instance,
                           in->run_id);
}

int gd_store_check_instances(const gd_store *st, const gd_batch *b, gd_error *err)
{
    gd_run_desc d;
    for (size_t i = 0; i < b->n_instances; i++)
        if (instance_run(st, &b->instances[i], &d, err) < 0)
            return -1;
    return 0;
}

static int write_instance(gd_store *st, const gd_batch *b, size_t i, gd_error *err)
{
    const gd_batch_instance *in = &b->instances[i];
    gd_run_desc d;
    if (gd_id_set_has(&st->written_instances, in->instance))
        return 0;
    if (instance_run(st, in, &d, err) < 0 || write_group(st, &d, b, i, err) < 0)
        return -1;
    if (gd_id_set_add(&st->written_instances, in->instance) < 0)
        return gd_fail_runtime(err, "%s: out of memory recording instance %" PRIu64, st->path,
                               in->instance);
    return 0;
}

int gd_store_write_instances(gd_store *st, const gd_batch *b, gd_error *err)
{
    for (size_t i = 0; i < b->n_instances; i++)
        if (write_instance(st, b, i, err) < 0)
            return -1;
    return 0;
}
