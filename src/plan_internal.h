/* plan_internal.h - what the plan_*.c files share: the cost model of one section and the
 * block builder.
 *
 * Not a public header: only src/plan*.c include it. plan_cost.c evaluates costs by
 * decoding one run id per (type combo) and per (control combo) of a section;
 * plan_blocks.c cuts the id range into blocks; plan.c hands chunks out. */
#ifndef GDSWEEP_PLAN_INTERNAL_H
#define GDSWEEP_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/plan.h"

/* The cost factors of one problem-type combination. */
typedef struct gd_plan_type {
    double work;    /* type->cost(pp): work of one iteration */
    double numeric; /* 2n + 1: loss evaluations per numeric-gradient step */
} gd_plan_type;

/* The control combinations of one section: all of them, or an even sample. */
typedef struct gd_plan_controls {
    double *iterations;
    unsigned char *numeric;
    size_t n;
    int complete;       /* 1 when n is the section's control_combos */
    double sum_analytic; /* sum of iterations over the combos with analytic gradient */
    double sum_numeric;  /* the same, numeric gradient */
} gd_plan_controls;

/* Cost of one run with type factors t, an iteration budget and a gradient kind. */
double gd_plan_combo_cost(gd_plan_type t, double iterations, int numeric);

/* Factors of type combination tc of problem section p. */
gd_plan_type gd_plan_type_at(const gd_sweep *s, size_t p, uint64_t tc);

/* Mean run cost of type factors t over the control combos c. */
double gd_plan_type_mean(const gd_plan_controls *c, gd_plan_type t);

/* Fills c for section p: every control combo when there are at most GD_PLAN_MAX_COMBOS,
 * else an even sample of GD_PLAN_SAMPLE. Returns 0, or -1 (out of memory) with c freed. */
int gd_plan_controls_make(gd_plan_controls *c, const gd_sweep *s, size_t p, gd_error *err);
void gd_plan_controls_free(gd_plan_controls *c);

/* Cuts [lo, hi) of s into blocks (header comment of plan.h), sorted for hand-out. *out is
 * malloc'd (NULL when *n is 0). Returns 0, or -1 (out of memory) with err filled. */
int gd_plan_build(const gd_sweep *s, uint64_t lo, uint64_t hi, gd_plan_block **out,
                  size_t *n, gd_error *err);

#endif
