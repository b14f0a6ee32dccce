/* plan_claims.c - instance affinity: a worker claims an instance's expensive runs and
 * computes them one by one, so the instance is built once; idle workers steal half of the
 * largest claim when it would otherwise finish last (plan.h, "Instance affinity"). */
#include "plan_internal.h"

int gd_plan_claim_take(gd_plan *p, int w, uint64_t *id)
{
    gd_plan_claim *c = &p->claims[w];
    while (c->next < c->end) {
        uint64_t next = c->next++;
        p->claimed--;
        gd_plan_account(p, 1, c->run_cost);
        if (!(p->is_done && p->is_done(p->done_ctx, next))) {
            *id = next;
            return 1;
        }
    }
    return 0;
}

static double claim_cost(const gd_plan_claim *c)
{
    return (double)(c->end - c->next) * c->run_cost;
}

/* The claim other than w's worth the most (NULL when none holds an id). */
static gd_plan_claim *largest_claim(gd_plan *p, int w)
{
    gd_plan_claim *best = NULL;
    for (int k = 0; k < p->n_workers && p->claimed > 0; k++) {
        gd_plan_claim *c = &p->claims[k];
        if (k != w && c->next < c->end && (!best || claim_cost(c) > claim_cost(best)))
            best = c;
    }
    return best;
}

int gd_plan_claim_steal(gd_plan *p, int w, int more)
{
    gd_plan_claim *victim = p->claimed > 0 ? largest_claim(p, w) : NULL;
    if (!victim)
        return 0;
    /* while unclaimed work remains, steal only a claim longer than a fair share of what
     * is left: it would finish last; otherwise its owner is best placed to run it */
    if (more && claim_cost(victim) <= p->remaining_cost / p->n_workers)
        return 0;
    uint64_t half = (victim->end - victim->next + 1) / 2;
    p->claims[w] = (gd_plan_claim){victim->end - half, victim->end, victim->run_cost};
    victim->end -= half;
    return 1;
}

int gd_plan_claim_at_cursor(gd_plan *p, int w)
{
    const gd_plan_block *b = &p->blocks[p->cur];
    if (b->run_cost < GD_PLAN_MIN_CHUNK_COST)
        return 0;
    uint64_t at = b->first + p->pos;
    if (!p->sweep->problems[gd_sweep_section_of(p->sweep, at)].type->stores_inputs)
        return 0; /* instances built from parameters only: nothing to keep together */
    uint64_t end = gd_space_group_end(p->sweep, at, GD_SPACE_INSTANCE);
    if (end > b->first + b->count)
        end = b->first + b->count;
    p->claims[w] = (gd_plan_claim){at, end, b->run_cost};
    p->claimed += end - at;
    p->pos += end - at;
    return 1;
}
