/* plan.h - the work-distribution plan: which contiguous range of run ids to hand out next.
 *
 * Pure logic, no MPI: the driver's rank 0 creates one plan over a range of run ids and asks
 * it for chunks until it is exhausted. The plan owns its block array (allocated once, at
 * create); gd_plan_next never allocates. It reads the sweep (which must outlive it) to
 * find which run ids share an instance.
 *
 * Cost model (units of ~1 ns of work: each problem type's cost(pp) is its measured
 * nanoseconds per iteration on the development machine). One run costs
 *   type->cost(pp) * iterations * (2n + 1 if gradient = numeric, else 1) + GD_PLAN_RUN_OVERHEAD
 * with n = type->dimension(pp). The optimizer's share is ignored, so the runs of one group
 * (same problem section, problem-type values, repeat and control values: optimizer_span
 * consecutive ids, see grid.h) cost the same.
 *
 * Blocks. A block is a contiguous id range with one per-run cost; a chunk never spans two.
 * Blocks are made at the finest of three levels whose block count stays within
 * GD_PLAN_MAX_BLOCKS (tried in this order, one level for the whole plan):
 *   group   - maximal runs of consecutive groups with equal cost (exact);
 *   type    - one block per problem-type combination, cost = mean over its control combos;
 *   section - one block per problem section, cost = mean over an even sample of at most
 *             GD_PLAN_SAMPLE type combinations (and control combinations).
 * A section whose touched type combinations times control combinations exceed
 * GD_PLAN_MAX_COMBOS is never cut finer than type, and one whose touched type combinations
 * exceed GD_PLAN_MAX_COMBOS is one block (section level); this bounds setup work and memory
 * (at most one cost evaluation per combination, no per-repeat work beyond the blocks made).
 * Cost is evaluated once per (type combo, control combo) of a section, never per repeat.
 * Then, in id order, consecutive blocks each worth less than GD_PLAN_MIN_CHUNK_COST in
 * total are merged (cost = mean) until the merged block reaches it, so that interleaved
 * tiny groups (e.g. iterations = 10, 1000 with one optimizer) still give chunks of useful
 * size. Blocks are handed out by per-run cost, highest first (ties: lower first id first).
 *
 * Chunks. Within the current block, a run costing at least GD_PLAN_MIN_CHUNK_COST goes out
 * alone. Cheaper runs go out by guided self-scheduling: target cost
 *   max(GD_PLAN_MIN_CHUNK_COST, remaining_cost / (4 * n_workers)),
 * rounded up to whole runs, at most GD_PLAN_MAX_CHUNK_RUNS runs and never past the block's
 * end; when what would be left of the block is worth less than GD_PLAN_MIN_CHUNK_COST (and
 * the whole rest fits in GD_PLAN_MAX_CHUNK_RUNS), the chunk takes the rest of the block.
 *
 * Instance affinity. Chunks are asked for by worker (0 .. n_workers - 1). In a block whose
 * runs go out alone, in a section whose type stores inputs (its instances are built from
 * data: curvefit, denoise), a worker claims the rest of the cursor's instance inside the
 * block and is then handed its claim's runs one by one, in id order: an instance's
 * expensive runs stay on one worker, which builds it once (handing them out round robin
 * made every worker build every instance). A worker whose claim is empty first looks at
 * the largest claim of another worker (by estimated cost): when no unclaimed id is left,
 * or when that claim is worth more than remaining_cost / n_workers (it would finish last),
 * it steals the second half of it (at least one run); an ahead request (prefetch) never
 * steals. Otherwise it claims or takes a chunk at the cursor. With one worker the order is
 * the plain cursor's order. */
#ifndef GDSWEEP_PLAN_H
#define GDSWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/error.h"
#include "gdsweep/grid.h"

#define GD_PLAN_RUN_OVERHEAD 2000.0   /* fixed cost of one run (setup, record, message) */
#define GD_PLAN_MIN_CHUNK_COST 5e6    /* ~5 ms: smallest chunk worth a message */
#define GD_PLAN_MAX_CHUNK_RUNS 4096   /* largest chunk, in runs */
#define GD_PLAN_MAX_BLOCKS (1u << 20) /* most blocks kept (~24 MiB) */
#define GD_PLAN_MAX_COMBOS 1000000u   /* most cost evaluations per section at fine levels */
#define GD_PLAN_SAMPLE 1024u          /* combinations sampled for a coarse mean */

/* A contiguous id range [first, first + count) whose runs each cost run_cost. */
typedef struct gd_plan_block {
    uint64_t first, count;
    double run_cost;
} gd_plan_block;

typedef struct gd_plan gd_plan;

/* 1 when run id is already finished (it must not be handed out again). */
typedef int (*gd_plan_done_fn)(void *ctx, uint64_t id);

/* Plans ids [first_id, end_id) of s (end_id <= s->n_runs; an empty range is allowed) for
 * n_workers >= 1 workers. Returns 0, or -1 with err filled (bad arguments: usage error;
 * out of memory: runtime error) and *out NULL. */
int gd_plan_create(gd_plan **out, const gd_sweep *s, uint64_t first_id, uint64_t end_id,
                   int n_workers, gd_error *err);

/* From now on, ids for which is_done(ctx, id) is 1 are skipped: never handed out, and a
 * chunk is cut short before the first done id it would contain (it stays contiguous).
 * is_done may be asked about one id more than once. NULL turns skipping off. */
void gd_plan_skip_done(gd_plan *p, gd_plan_done_fn is_done, void *ctx);

/* What gd_plan_next gives. */
enum {
    GD_PLAN_DONE = 0,  /* every id is handed out (or skipped): no more work */
    GD_PLAN_CHUNK = 1, /* a chunk */
    GD_PLAN_LATER = 2  /* ahead request: only stealing would give work; ask when idle */
};

/* The next chunk [*first, *first + *count), *count >= 1, for worker (0 <= worker <
 * n_workers). ahead: the worker asks before it has finished its current chunk (prefetch);
 * such a request is never served by stealing (the worker's own claim may finish first):
 * GD_PLAN_LATER instead. Returns GD_PLAN_CHUNK, GD_PLAN_LATER or GD_PLAN_DONE (also when
 * worker is out of range). Never allocates. */
int gd_plan_next(gd_plan *p, int worker, int ahead, uint64_t *first, uint64_t *count);

/* Ids neither handed out nor skipped yet (done ids not yet reached and claimed ids are
 * counted). */
uint64_t gd_plan_remaining_runs(const gd_plan *p);

/* Estimated cost of those ids. */
double gd_plan_remaining_cost(const gd_plan *p);

/* The blocks in hand-out order (per-run cost non-increasing); *n gets their number. */
const gd_plan_block *gd_plan_blocks(const gd_plan *p, size_t *n);

/* Estimated cost of run id (< s->n_runs), by the model above. */
double gd_plan_run_cost(const gd_sweep *s, uint64_t id);

/* Safe on NULL. */
void gd_plan_free(gd_plan *p);

#endif
