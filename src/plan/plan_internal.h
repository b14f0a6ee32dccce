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
#include "gdsweep/run_space.h"

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

/* Control combinations per instance of section p: configurations of one instance. */
uint64_t gd_plan_controls_per_instance(const gd_sweep *s, size_t p);

/* Mean run cost of type factors t over the control combos c. */
double gd_plan_type_mean(const gd_plan_controls *c, gd_plan_type t);

/* Fills c for section p: every control combo when there are at most GD_PLAN_MAX_COMBOS,
 * else an even sample of GD_PLAN_SAMPLE. Returns 0, or -1 (out of memory) with c freed. */
int gd_plan_controls_make(gd_plan_controls *c, const gd_sweep *s, size_t p, gd_error *err);
void gd_plan_controls_free(gd_plan_controls *c);

/* A worker's claim: ids [next, end) of one instance, each costing run_cost, that are its
 * own to compute (handed out to it one by one, unless another worker steals some). */
typedef struct gd_plan_claim {
    uint64_t next, end;
    double run_cost;
} gd_plan_claim;

struct gd_plan {
    gd_plan_block *blocks;
    size_t n_blocks, cur;      /* cur: the block being handed out */
    uint64_t pos;              /* ids of blocks[cur] before first + pos are gone */
    uint64_t remaining_runs;   /* neither handed out nor skipped (claimed ones count) */
    double remaining_cost;
    int n_workers;
    gd_plan_done_fn is_done;
    void *done_ctx;
    const gd_sweep *sweep;     /* for the instances of run ids (claims) */
    gd_plan_claim *claims;     /* one per worker */
    uint64_t claimed;          /* ids in all claims */
};

/* Takes n ids, each costing run_cost, off what remains to hand out. */
void gd_plan_account(gd_plan *p, uint64_t n, double run_cost);

/* Hands out the next id of worker w's claim (skipping done ids): 1 with *id, or 0 when its
 * claim is empty. */
int gd_plan_claim_take(gd_plan *p, int w, uint64_t *id);

/* Moves part of another worker's claim to worker w's (empty) claim when that keeps the
 * workers balanced (plan.h, "Instance affinity"); `more`: unclaimed ids remain. Returns 1
 * when it stole. */
int gd_plan_claim_steal(gd_plan *p, int w, int more);

/* When the cursor's block goes out run by run and its section is affine: worker w claims
 * the rest of the cursor's instance inside the block (the cursor moves past it); returns 1.
 * Else 0 (the block goes out in chunks). */
int gd_plan_claim_at_cursor(gd_plan *p, int w);

/* Cuts [lo, hi) of s into blocks (header comment of plan.h), sorted for hand-out. *out is
 * malloc'd (NULL when *n is 0). Returns 0, or -1 (out of memory) with err filled. */
int gd_plan_build(const gd_sweep *s, uint64_t lo, uint64_t hi, gd_plan_block **out,
                  size_t *n, gd_error *err);

#endif
