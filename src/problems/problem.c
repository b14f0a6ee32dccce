/* problem.c - problem instance lifecycle and small helpers shared by the problem types.
 *
 * An instance owns one block (see problem_impl.h): setup allocates it in one call, and
 * destroy drops it in one call, so a failed setup leaves nothing behind. */
#include "problem_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of one carved array, or SIZE_MAX on overflow. */
static size_t array_bytes(size_t len)
{
    if (len > (SIZE_MAX - GD_BLOCK_ALIGN) / sizeof(double))
        return SIZE_MAX;
    return gd_block_round_up(len * sizeof(double));
}

static size_t add_bytes(size_t a, size_t b)
{
    return (a == SIZE_MAX || b == SIZE_MAX || a > SIZE_MAX - b) ? SIZE_MAX : a + b;
}

void *gd_problem_alloc(gd_problem *p, const gd_problem_type *type, size_t n,
                       size_t head_bytes, const gd_array_req *reqs, size_t n_reqs,
                       gd_error *err)
{
    memset(p, 0, sizeof *p);
    p->type = type;
    p->n = n;
    p->f_opt = NAN;
    size_t head = gd_block_round_up(head_bytes), total = add_bytes(head, array_bytes(n));
    for (size_t r = 0; r < n_reqs; r++)
        total = add_bytes(total, array_bytes(reqs[r].len));
    p->block = total == SIZE_MAX ? NULL : gd_problem_block_new(total);
    if (!p->block) {
        memset(p, 0, sizeof *p);
        gd_fail_runtime(err, "%s: out of memory allocating the instance", type->name);
        return NULL;
    }
    char *block = gd_problem_block_base(p->block);
    memset(block, 0, head);
    p->data = block;
    size_t at = head;
    p->x0 = (double *)(block + at);
    at += array_bytes(n);
    for (size_t r = 0; r < n_reqs; r++) {
        *reqs[r].dst = (double *)(block + at);
        at += array_bytes(reqs[r].len);
    }
    return block;
}

void gd_problem_release(gd_problem *p)
{
    gd_problem_block_drop(p->block);
    p->block = NULL;
    p->data = NULL;
    p->x0 = NULL;
    p->n_inputs = 0;
}

gd_rng_key gd_problem_data_key(uint64_t seed, const char *label, const gd_problem_type *t,
                               const double *pp, uint64_t repeat)
{
    double data[GD_MAX_PARAMS];
    size_t n = 0;
    for (size_t k = 0; k < GD_MAX_PARAMS && t->params[k].key; k++)
        if (!(t->model_params >> k & 1u) && !gd_param_is_text(t->params[k].kind))
            data[n++] = pp[k];
    return gd_rng_key_make(seed, label, data, n, repeat);
}

void gd_problem_destroy(gd_problem *p)
{
    if (p->type && p->type->destroy)
        p->type->destroy(p);
    memset(p, 0, sizeof *p);
}

void gd_problem_add_input(gd_problem *p, const char *name, size_t d0, size_t d1,
                          const double *data)
{
    if (p->n_inputs >= GD_MAX_INPUTS)
        return;
    gd_array *a = &p->inputs[p->n_inputs++];
    a->name = name;
    a->rank = d1 ? 2 : 1;
    a->dims[0] = d0;
    a->dims[1] = d1;
    a->data = data;
    a->from_file = 0;
}

void gd_problem_add_file_input(gd_problem *p, const char *name, size_t d0, size_t d1,
                               const double *data)
{
    gd_problem_add_input(p, name, d0, d1, data);
    if (p->n_inputs > 0 && p->inputs[p->n_inputs - 1].data == data)
        p->inputs[p->n_inputs - 1].from_file = 1;
}

void gd_problem_drop_file_inputs(gd_problem *p, size_t max_values)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->n_inputs; i++) {
        const gd_array *a = &p->inputs[i];
        size_t values = a->rank == 2 ? a->dims[0] * a->dims[1] : a->dims[0];
        if (!a->from_file || values <= max_values)
            p->inputs[kept++] = *a;
    }
    p->n_inputs = kept;
}

void gd_problem_spread_start(double *x0, size_t n, double spread, gd_rng_key key)
{
    for (size_t i = 0; spread > 0 && i < n; i++)
        x0[i] = x0[i] + spread * gd_rng_normal(key, GD_START_STREAM, i);
}

double gd_linspace_at(double start, double stop, size_t num, size_t i)
{
    if (num > 1 && i == num - 1)
        return stop;
    if (num < 2)
        return start;
    double div = (double)(num - 1), delta = stop - start, step = delta / div;
    if (step == 0) /* numpy's path for denormal steps */
        return (double)i / div * delta + start;
    return (double)i * step + start;
}

double gd_ordered_sum(const double *parts, size_t n, size_t stride)
{
    double s = 0;
    for (size_t b = 0; b < n; b++)
        s += parts[b * stride];
    return s;
}
