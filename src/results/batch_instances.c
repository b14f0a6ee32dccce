/* batch_instances.c - the problem instances a batch carries: identity and inputs (see
 * gdsweep/batch.h).
 *
 * An instance's inputs stay where the instance keeps them: the batch holds a reference to
 * its block (gdsweep/problem.h) until it is cleared, so the arrays outlive the instance
 * without a copy (a 4096^2 denoise image would otherwise be copied twice per batch). An
 * instance without a block, with an input outside it, or whose inputs are less than a
 * quarter of it (holding would keep far more alive than copies take), is copied into
 * b->values; so are the instances a batch receives from another rank (wire.c). */
#include "batch_internal.h"

#include <string.h>

static size_t array_values(const gd_array *a)
{
    return a->rank == 2 ? a->dims[0] * a->dims[1] : a->dims[0];
}

/* Shape and name of array a into in; its values are placed by the caller. */
static void describe_input(gd_batch_input *in, const gd_array *a)
{
    memcpy(in->name, a->name, strlen(a->name) + 1);
    in->rank = a->rank == 2 ? 2 : 1;
    in->dims[0] = a->dims[0];
    in->dims[1] = in->rank == 2 ? a->dims[1] : 0;
    in->count = array_values(a);
}

/* The in->count values at data appended to b->values (room already reserved). */
static void append_values(gd_batch *b, gd_batch_input *in, const double *data)
{
    in->start = b->values_len;
    if (in->count)
        memcpy(b->values + b->values_len, data, in->count * sizeof *b->values);
    b->values_len += in->count;
}

/* Array a into in, its values appended to b->values (room already reserved). */
static void copy_input(gd_batch *b, gd_batch_input *in, const gd_array *a)
{
    describe_input(in, a);
    append_values(b, in, a->data);
}

/* p's block, held, when every input lies in it and they make up at least a quarter of it
 * (a design matrix's block, whose inputs are a few per-feature values, is not kept alive
 * for them; a denoise block whose clean image is left out, a file's, still is); NULL
 * (nothing held) otherwise. */
static gd_problem_block *hold_inputs(const gd_problem *p, size_t values,
                                     size_t offsets[GD_MAX_INPUTS])
{
    gd_problem_block *block = gd_problem_hold(p);
    int worth = block && values >= gd_problem_block_bytes(block) / (4 * sizeof(double));
    for (size_t i = 0; worth && i < p->n_inputs; i++)
        worth = gd_problem_block_has(block, p->inputs[i].data, array_values(&p->inputs[i]),
                                     &offsets[i]);
    if (worth)
        return block;
    gd_problem_block_drop(block);
    return NULL;
}

/* The inputs of p into instance entry i: by reference to block, or copied. */
static void add_inputs(gd_batch *b, size_t i, const gd_problem *p, gd_problem_block *block,
                       const size_t offsets[GD_MAX_INPUTS])
{
    gd_batch_instance *in = &b->instances[i];
    b->held[i] = block;
    for (size_t k = 0; k < p->n_inputs; k++) {
        if (!block) {
            copy_input(b, &in->inputs[k], &p->inputs[k]);
            continue;
        }
        describe_input(&in->inputs[k], &p->inputs[k]);
        in->inputs[k].start = offsets[k];
        b->held_values += in->inputs[k].count;
    }
}

int gd_batch_add_instance(gd_batch *b, const gd_run_desc *d, const gd_problem *p,
                          gd_error *err)
{
    if (!p->type->stores_inputs)
        return 0;
    size_t offsets[GD_MAX_INPUTS], values = 0;
    for (size_t i = 0; i < p->n_inputs; i++) {
        if (strlen(p->inputs[i].name) >= GD_INPUT_NAME_MAX)
            return gd_fail_runtime(err, "%s input name '%s' is longer than %d bytes",
                                   p->type->name, p->inputs[i].name, GD_INPUT_NAME_MAX - 1);
        values += array_values(&p->inputs[i]);
    }
    gd_problem_block *block = hold_inputs(p, values, offsets);
    gd_batch_sizes more = {.instances = 1, .values = block ? 0 : values};
    if (gd_batch_reserve(b, &more, err) < 0) {
        gd_problem_block_drop(block);
        return -1;
    }
    size_t i = b->n_instances++;
    gd_batch_instance *in = &b->instances[i];
    memset(in, 0, sizeof *in);          /* no stray padding bytes go on the wire */
    in->run_id = d->id;
    in->instance = d->instance;
    in->n = p->n;
    in->has_optimum = p->has_optimum;
    in->f_opt = p->f_opt;
    in->n_inputs = p->n_inputs;
    add_inputs(b, i, p, block, offsets);
    return 0;
}

int gd_batch_add_instance_of(gd_batch *into, const gd_batch *from, size_t i, gd_error *err)
{
    const gd_batch_instance *src = &from->instances[i];
    gd_batch_sizes more = {.instances = 1};
    for (size_t k = 0; !from->held[i] && k < src->n_inputs; k++)
        more.values += src->inputs[k].count;
    if (gd_batch_reserve(into, &more, err) < 0)
        return -1;
    size_t j = into->n_instances++;
    gd_batch_instance *in = &into->instances[j];
    memcpy(in, src, sizeof *in);
    into->held[j] = gd_problem_block_hold(from->held[i]);
    for (size_t k = 0; k < in->n_inputs; k++) {
        if (into->held[j]) {
            into->held_values += in->inputs[k].count;
            continue;
        }
        append_values(into, &in->inputs[k], gd_batch_input_values(from, i, k));
    }
    return 0;
}

const double *gd_batch_input_values(const gd_batch *b, size_t i, size_t k)
{
    size_t start = b->instances[i].inputs[k].start;
    if (b->held[i])
        return gd_problem_block_values(b->held[i], start);
    return b->values ? b->values + start : NULL; /* NULL: nothing copied, all empty */
}

size_t gd_batch_instance_values(const gd_batch *b)
{
    return b->values_len + b->held_values;
}

void gd_batch_drop_held(gd_batch *b)
{
    for (size_t i = 0; i < b->n_instances; i++) {
        gd_problem_block_drop(b->held[i]);
        b->held[i] = NULL;
    }
    b->held_values = 0;
}
