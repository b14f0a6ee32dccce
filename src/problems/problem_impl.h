/* problem_impl.h - helpers shared by the problem implementations (not public API).
 *
 * An instance owns exactly one allocation: a block (gd_problem_block) that holds the type's
 * private header (p->data) followed by every array the instance needs, x0 included, each
 * 64-byte aligned. gd_problem_release drops the instance's reference to that block (freeing
 * it unless a batch still holds it), so every type uses it as its `destroy`. */
#ifndef GDSWEEP_PROBLEM_IMPL_H
#define GDSWEEP_PROBLEM_IMPL_H

#include <math.h>
#include <stddef.h>

#include "gdsweep/problem.h"

/* Range fields of a gd_param_spec for "any finite real", "(0, inf)", "[0, inf)". */
#define GD_SPEC_ANY_REAL .lo = -INFINITY, .hi = INFINITY, .lo_open = true, .hi_open = true
#define GD_SPEC_POSITIVE .lo = 0, .hi = INFINITY, .lo_open = true, .hi_open = true
#define GD_SPEC_NONNEG .lo = 0, .hi = INFINITY, .lo_open = false, .hi_open = true

/* Alignment of an instance's arrays, and v rounded up to it. */
#define GD_BLOCK_ALIGN 64
size_t gd_block_round_up(size_t v);

/* A block of bytes for an instance's arrays, GD_BLOCK_ALIGN-aligned, one reference held
 * (NULL when memory runs out), and where its arrays start. */
gd_problem_block *gd_problem_block_new(size_t bytes);
void *gd_problem_block_base(gd_problem_block *b);

/* One array to carve out of the instance block: *dst receives len doubles. */
typedef struct gd_array_req {
    double **dst;
    size_t len;
} gd_array_req;

/* Zeroes *p, sets p->type and p->n, f_opt = NaN, and allocates one block holding a
 * head_bytes header (returned, also stored in p->data), x0 (n doubles) and the requested
 * arrays. The header is zeroed; x0 and the arrays are not (setup fills them, in parallel
 * where large, so their pages land near the threads that use them). Returns NULL with err
 * filled (runtime failure) and *p zeroed when memory runs out. */
void *gd_problem_alloc(gd_problem *p, const gd_problem_type *type, size_t n,
                       size_t head_bytes, const gd_array_req *reqs, size_t n_reqs,
                       gd_error *err);

/* The `destroy` of every type: drops the instance's reference to its block. */
void gd_problem_release(gd_problem *p);

/* Appends a named array to p->inputs (rank 1 when d1 == 0, else rank 2). */
void gd_problem_add_input(gd_problem *p, const char *name, size_t d0, size_t d1,
                          const double *data);

/* The same for an array of an input file's values (gd_array.from_file). */
void gd_problem_add_file_input(gd_problem *p, const char *name, size_t d0, size_t d1,
                               const double *data);

/* The key of a start point's spread; a start point moved by it is x0 + spread * N(0, 1),
 * coordinate i from element i of stream GD_START_STREAM. */
#define GD_START_STREAM 7
#define GD_START_SPREAD_DOC "standard deviation of a Gaussian move of the start point, " \
                            "drawn per repeat (0: the start point itself)"

/* Moves x0[0..n) by spread * N(0, 1) drawn from key (nothing when spread is 0). */
void gd_problem_spread_start(double *x0, size_t n, double spread, gd_rng_key key);

/* Element i of numpy.linspace(start, stop, num): i * step + start, the last one = stop. */
double gd_linspace_at(double start, double stop, size_t num, size_t i);

/* Sums parts[0..n) left to right: the fixed-order reduction of per-block partial sums. */
double gd_ordered_sum(const double *parts, size_t n, size_t stride);

#endif
