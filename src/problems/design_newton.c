/* design_newton.c - Newton's method on a design's loss: fixed-block Hessian sums.
 *
 * The Hessian of the mean loss is summed over blocks of rows whose size depends on the
 * number of rows only (never on threads), each block into its own slot, the slots in
 * block order (gd_design_reduce); then divided by N, the penalty's 2 l2 added on the
 * penalised diagonal. newton.c does the rest in a fixed order. */
#include "design_newton.h"

#include "newton.h"

#include <stdlib.h>
#include <string.h>

#define MAX_BLOCKS 64

typedef struct newton_call {
    const gd_problem *p;
    const gd_design *d;
    size_t k, n, stride, block;
    gd_design_hessian_fn fn;
    gd_design_flat_fn flat;
    const double *w;
    double *parts, *sums;
} newton_call;

static void hessian_block(const void *ctx, size_t lo, size_t hi, double *out)
{
    const newton_call *c = ctx;
    c->fn(c->d, c->k, c->w, lo, hi, out);
}

static double loss_of(const void *ctx, const double *w)
{
    const newton_call *c = ctx;
    return c->p->type->loss(c->p, w);
}

static double loss_grad_hessian(const void *ctx, const double *w, double *g, double *h)
{
    newton_call *c = (newton_call *)ctx;
    size_t n = c->n;
    double rows = (double)c->d->rows;
    c->w = w;
    gd_design_reduce(c->d->rows, c->block, hessian_block, c, c->stride, c->stride, c->parts,
                     c->sums);
    for (size_t j = 0; j < n; j++)
        g[j] = c->sums[1 + j] / rows;
    const double *packed = c->sums + 1 + n;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++)
            h[j * n + i] = *packed++ / rows;
    size_t penalised = c->d->features * c->k;
    for (size_t j = 0; j < penalised; j++)
        h[j * n + j] += 2 * c->d->l2;
    if (c->flat)
        c->flat(c->d, c->k, h);
    return c->sums[0] / rows + gd_design_penalty(c->d, w, c->k, g);
}

int gd_design_newton(const gd_problem *p, const char *path, size_t k, gd_design_hessian_fn fn,
                     gd_design_flat_fn flat, double *w, const char *hint, gd_error *err)
{
    const gd_design *d = p->data;
    size_t n = d->d * k, rows = d->rows;
    size_t block = rows / MAX_BLOCKS + 1 > GD_DESIGN_BLOCK ? rows / MAX_BLOCKS + 1
                                                          : GD_DESIGN_BLOCK;
    newton_call c = {p, d, k, n, 1 + n + n * (n + 1) / 2, block, fn, flat, NULL, NULL, NULL};
    size_t blocks = gd_design_blocks(rows, block);
    c.parts = malloc((blocks + 1) * c.stride * sizeof *c.parts);
    if (!c.parts)
        return gd_fail_runtime(err, "data = %s: out of memory for Newton's method", path);
    c.sums = c.parts + blocks * c.stride;
    memset(w, 0, n * sizeof *w);
    int rc = gd_newton_minimize(loss_grad_hessian, loss_of, &c, n, w, hint, err);
    free(c.parts);
    if (rc < 0)
        gd_error_prefix(err, "data = %s", path);
    return rc;
}
