/* plan_claims.c - instance affinity: a worker claims an instance's expensive runs and
 * computes them one by one, so the instance is built once; idle workers steal half of the
 * largest claim when it would otherwise finish last (plan.h, "Instance affinity"). */
#include "plan_internal.h"

#include <stdlib.h>

int gd_plan_sections_make(gd_plan *p, const gd_sweep *s, gd_error *err)
{
    p->n_sections = s->n_problems;
    p->sections = calloc(s->n_problems ? s->n_problems : 1, sizeof *p->sections);
    if (!p->sections)
        return gd_fail_runtime(err, "plan: out of memory");
    for (size_t i = 0; i < s->n_problems; i++) {
        const gd_problem_section *ps = &s->problems[i];
        p->sections[i] = (gd_plan_section){ps->first_run, ps->first_run + ps->n_runs,
                                           ps->control_combos * ps->optimizer_span,
                                           ps->type->stores_inputs};
    }
    return 0;
}

uint64_t gd_plan_instance_end(const gd_plan *p, uint64_t id)
{
    size_t lo = 0, hi = p->n_sections; /* the section with first <= id < end */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->sections[mid].first <= id)
            lo = mid;
        else
            hi = mid;
    }
    const gd_plan_section *sec = &p->sections[lo];
    if (!sec->affine || sec->rep_runs == 0)
        return 0;
    return sec->first + ((id - sec->first) / sec->rep_runs + 1) * sec->rep_runs;
}

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
    uint64_t at = b->first + p->pos, end = gd_plan_instance_end(p, at);
    if (end == 0)
        return 0;
    if (end > b->first + b->count)
        end = b->first + b->count;
    p->claims[w] = (gd_plan_claim){at, end, b->run_cost};
    p->claimed += end - at;
    p->pos += end - at;
    return 1;
}
