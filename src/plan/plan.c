/* plan.c - hands out chunks of run ids: expensive blocks first, guided chunk sizes.
 *
 * The plan owns the block array built at create (plan_blocks.c) and walks it in order
 * with a cursor (block, offset); expensive runs of an instance go to one worker through
 * claims (plan_claims.c). gd_plan_next costs O(chunk + skipped ids), plus O(workers)
 * while claims hold ids; one is_done call per id looked at; it never allocates. Chunk
 * sizing and claims are documented in plan.h. */
#include "plan_internal.h"

#include <math.h>
#include <stdlib.h>

int gd_plan_create(gd_plan **out, const gd_sweep *s, uint64_t first_id, uint64_t end_id,
                   int n_workers, gd_error *err)
{
    *out = NULL;
    if (first_id > end_id || end_id > s->n_runs)
        return gd_fail(err, "plan: run ids [%llu, %llu) are not inside the grid's %llu runs",
                       (unsigned long long)first_id, (unsigned long long)end_id,
                       (unsigned long long)s->n_runs);
    if (n_workers < 1)
        return gd_fail(err, "plan: %d workers; a plan needs at least 1", n_workers);
    gd_plan *p = calloc(1, sizeof *p);
    if (!p)
        return gd_fail_runtime(err, "plan: out of memory");
    p->n_workers = n_workers;
    p->remaining_runs = end_id - first_id;
    p->sweep = s;
    p->claims = calloc((size_t)n_workers, sizeof *p->claims);
    if (!p->claims) {
        free(p);
        return gd_fail_runtime(err, "plan: out of memory");
    }
    if (first_id < end_id &&
        gd_plan_build(s, first_id, end_id, &p->blocks, &p->n_blocks, err) < 0) {
        gd_plan_free(p);
        return -1;
    }
    for (size_t i = 0; i < p->n_blocks; i++)
        p->remaining_cost += p->blocks[i].run_cost * (double)p->blocks[i].count;
    *out = p;
    return 0;
}

void gd_plan_skip_done(gd_plan *p, gd_plan_done_fn is_done, void *ctx)
{
    p->is_done = is_done;
    p->done_ctx = ctx;
}

void gd_plan_account(gd_plan *p, uint64_t n, double run_cost)
{
    p->remaining_runs -= n;
    p->remaining_cost -= run_cost * (double)n;
    if (p->remaining_cost < 0 || p->remaining_runs == 0)
        p->remaining_cost = 0;
}

/* Hands out (or skips) the next n ids of the current block. */
static void consume(gd_plan *p, uint64_t n)
{
    p->pos += n;
    gd_plan_account(p, n, p->blocks[p->cur].run_cost);
}

/* Moves the cursor to the next id to hand out (skipping done ids); 0 when none is left. */
static int seek(gd_plan *p)
{
    for (; p->cur < p->n_blocks; p->cur++, p->pos = 0) {
        const gd_plan_block *b = &p->blocks[p->cur];
        while (p->pos < b->count && p->is_done && p->is_done(p->done_ctx, b->first + p->pos))
            consume(p, 1);
        if (p->pos < b->count)
            return 1;
    }
    return 0;
}

/* Runs in the next chunk of the current block, `left` of its runs remaining. */
static uint64_t chunk_runs(const gd_plan *p, uint64_t left)
{
    double c = p->blocks[p->cur].run_cost;
    if (c >= GD_PLAN_MIN_CHUNK_COST)
        return 1;
    double target = fmax(GD_PLAN_MIN_CHUNK_COST, p->remaining_cost / (4.0 * p->n_workers));
    double want = ceil(target / c);
    uint64_t n = want >= GD_PLAN_MAX_CHUNK_RUNS ? GD_PLAN_MAX_CHUNK_RUNS : (uint64_t)want;
    if (n >= left)
        return left;
    int sliver = (double)(left - n) * c < GD_PLAN_MIN_CHUNK_COST; /* would be left behind */
    return sliver && left <= GD_PLAN_MAX_CHUNK_RUNS ? left : n;
}

/* The next chunk of the cursor's block (it has ids left). */
static void next_chunk(gd_plan *p, uint64_t *first, uint64_t *count)
{
    const gd_plan_block *b = &p->blocks[p->cur];
    uint64_t n = chunk_runs(p, b->count - p->pos);
    *first = b->first + p->pos;
    for (uint64_t k = 1; p->is_done && k < n; k++)
        if (p->is_done(p->done_ctx, *first + k))
            n = k;
    *count = n;
    consume(p, n);
}

int gd_plan_next(gd_plan *p, int worker, int ahead, uint64_t *first, uint64_t *count)
{
    if (worker < 0 || worker >= p->n_workers)
        return GD_PLAN_DONE;
    for (;;) {
        if (gd_plan_claim_take(p, worker, first)) {
            *count = 1;
            return GD_PLAN_CHUNK;
        }
        int more = seek(p);
        if (ahead && !more && p->claimed > 0)
            return GD_PLAN_LATER;
        if (!ahead && gd_plan_claim_steal(p, worker, more))
            continue;
        if (!more)
            return GD_PLAN_DONE;
        if (!gd_plan_claim_at_cursor(p, worker)) {
            next_chunk(p, first, count);
            return GD_PLAN_CHUNK;
        }
    }
}

uint64_t gd_plan_remaining_runs(const gd_plan *p)
{
    return p->remaining_runs;
}

double gd_plan_remaining_cost(const gd_plan *p)
{
    return p->remaining_cost;
}

const gd_plan_block *gd_plan_blocks(const gd_plan *p, size_t *n)
{
    *n = p->n_blocks;
    return p->blocks;
}

void gd_plan_free(gd_plan *p)
{
    if (!p)
        return;
    free(p->blocks);
    free(p->claims);
    free(p);
}
