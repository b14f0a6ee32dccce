/* plan_blocks.c - cuts a run-id range into cost blocks and orders them for hand-out.
 *
 * The levels and the merge rule are documented in plan.h. Blocks are pushed in id order,
 * a push extends the previous block when the cost is equal; a level that would need more
 * than GD_PLAN_MAX_BLOCKS blocks is abandoned (push reports "full") and the next coarser
 * level is tried. Work per section: one decode per touched type combo and per control
 * combo, O(control combos) per touched type combo at the group level, O(1) per block.
 * Failure (out of memory) frees everything and fills err. */
#include "plan_internal.h"

#include <stdlib.h>

enum { LEVEL_GROUP, LEVEL_TYPE, LEVEL_SECTION };
enum { PUSH_OK = 0, PUSH_FULL = 1, PUSH_OOM = -1 };

typedef struct block_list {
    gd_plan_block *v;
    size_t n, cap, limit;
} block_list;

/* One problem section, clipped to the planned range. */
typedef struct section_walk {
    const gd_sweep *s;
    size_t p;
    uint64_t lo, hi;                   /* planned ids inside this section */
    uint64_t controls;                 /* configurations per instance */
    uint64_t tc_lo, tc_hi;             /* touched type combos (problem settings) */
    gd_plan_controls ctl;
    double *cost;                      /* group level: cost of each run of equal controls */
    size_t *start;                     /* its first control combo (start[n] = all) */
} section_walk;

static int push(block_list *b, uint64_t first, uint64_t end, double cost)
{
    if (first >= end)
        return PUSH_OK;
    gd_plan_block *last = b->n ? &b->v[b->n - 1] : NULL;
    if (last && last->run_cost == cost && last->first + last->count == first) {
        last->count += end - first;
        return PUSH_OK;
    }
    if (b->n == b->limit)
        return PUSH_FULL;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        gd_plan_block *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return PUSH_OOM;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = (gd_plan_block){first, end - first, cost};
    return PUSH_OK;
}

/* Pushes [first, end) clipped to the section's planned ids. */
static int emit(const section_walk *w, block_list *b, uint64_t first, uint64_t end, double cost)
{
    return push(b, first < w->lo ? w->lo : first, end > w->hi ? w->hi : end, cost);
}

static void walk_init(section_walk *w, const gd_sweep *s, size_t p, uint64_t lo, uint64_t hi)
{
    uint64_t first = gd_space_group_first(s, p, GD_SPACE_SECTION, 0);
    uint64_t end = gd_space_group_first(s, p, GD_SPACE_SECTION, 1);
    *w = (section_walk){.s = s, .p = p, .controls = gd_plan_controls_per_instance(s, p)};
    w->lo = lo > first ? lo : first;
    w->hi = hi < end ? hi : end;
    w->tc_lo = gd_space_group_index(s, w->lo, GD_SPACE_SETTING);
    w->tc_hi = gd_space_group_index(s, w->hi - 1, GD_SPACE_SETTING) + 1;
}

/* The finest level this section allows (plan.h: bounded work per section). */
static int finest_level(const section_walk *w)
{
    uint64_t touched = w->tc_hi - w->tc_lo;
    if (w->ctl.complete && touched <= GD_PLAN_MAX_COMBOS / w->ctl.n)
        return LEVEL_GROUP;
    return touched <= GD_PLAN_MAX_COMBOS ? LEVEL_TYPE : LEVEL_SECTION;
}

/* Run-length encodes the costs of type factors t over the control combos into w->cost and
 * w->start; returns the number of runs. */
static size_t control_runs(section_walk *w, gd_plan_type t)
{
    size_t n = 0;
    for (size_t cc = 0; cc < w->ctl.n; cc++) {
        double c = gd_plan_combo_cost(t, w->ctl.iterations[cc], w->ctl.numeric[cc]);
        if (n == 0 || c != w->cost[n - 1]) {
            w->cost[n] = c;
            w->start[n++] = cc;
        }
    }
    w->start[n] = w->ctl.n;
    return n;
}

static uint64_t config_first(const section_walk *w, uint64_t config)
{
    return gd_space_group_first(w->s, w->p, GD_SPACE_CONFIG, config);
}

static int group_blocks(section_walk *w, block_list *b, uint64_t tc)
{
    size_t n = control_runs(w, gd_plan_type_at(w->s, w->p, tc));
    uint64_t first = gd_space_group_first(w->s, w->p, GD_SPACE_SETTING, tc);
    uint64_t end = gd_space_group_first(w->s, w->p, GD_SPACE_SETTING, tc + 1);
    if (n == 1)
        return emit(w, b, first, end, w->cost[0]);
    uint64_t lo = w->lo > first ? w->lo : first, hi = w->hi < end ? w->hi : end;
    uint64_t i0 = gd_space_group_index(w->s, lo, GD_SPACE_INSTANCE);
    uint64_t i1 = gd_space_group_index(w->s, hi - 1, GD_SPACE_INSTANCE);
    for (uint64_t i = i0; i <= i1; i++) {
        uint64_t config = i * w->controls; /* the instance's first configuration */
        for (size_t j = 0; j < n; j++) {
            int rc = emit(w, b, config_first(w, config + w->start[j]),
                          config_first(w, config + w->start[j + 1]), w->cost[j]);
            if (rc != PUSH_OK)
                return rc;
        }
    }
    return PUSH_OK;
}

static int type_block(section_walk *w, block_list *b, uint64_t tc)
{
    double cost = gd_plan_type_mean(&w->ctl, gd_plan_type_at(w->s, w->p, tc));
    return emit(w, b, gd_space_group_first(w->s, w->p, GD_SPACE_SETTING, tc),
                gd_space_group_first(w->s, w->p, GD_SPACE_SETTING, tc + 1), cost);
}

static int section_block(section_walk *w, block_list *b)
{
    uint64_t touched = w->tc_hi - w->tc_lo;
    uint64_t m = touched < GD_PLAN_SAMPLE ? touched : GD_PLAN_SAMPLE, step = touched / m;
    double sum = 0;
    for (uint64_t i = 0; i < m; i++) {
        uint64_t tc = w->tc_lo + i * step + step / 2; /* the middle of each stretch */
        sum += gd_plan_type_mean(&w->ctl, gd_plan_type_at(w->s, w->p, tc));
    }
    return emit(w, b, w->lo, w->hi, sum / (double)m);
}

static int walk_level(section_walk *w, block_list *b, int level)
{
    if (level == LEVEL_SECTION)
        return section_block(w, b);
    int rc = PUSH_OK;
    for (uint64_t tc = w->tc_lo; tc < w->tc_hi && rc == PUSH_OK; tc++)
        rc = level == LEVEL_GROUP ? group_blocks(w, b, tc) : type_block(w, b, tc);
    return rc;
}

/* Blocks of section p at `level` (or coarser, where the section needs it). */
static int section_blocks(const gd_sweep *s, size_t p, uint64_t lo, uint64_t hi, int level,
                          block_list *b, gd_error *err)
{
    section_walk w;
    walk_init(&w, s, p, lo, hi);
    if (gd_plan_controls_make(&w.ctl, s, p, err) < 0)
        return PUSH_OOM;
    int finest = finest_level(&w), rc = PUSH_OOM;
    if (finest > level)
        level = finest;
    if (level == LEVEL_GROUP) {
        w.cost = malloc(w.ctl.n * sizeof *w.cost);
        w.start = malloc((w.ctl.n + 1) * sizeof *w.start);
    }
    if (level != LEVEL_GROUP || (w.cost && w.start))
        rc = walk_level(&w, b, level);
    free(w.cost);
    free(w.start);
    gd_plan_controls_free(&w.ctl);
    if (rc == PUSH_OOM)
        gd_fail_runtime(err, "plan: out of memory for the blocks of [problem %s]",
                        s->problems[p].label);
    return rc;
}

static int level_blocks(const gd_sweep *s, uint64_t lo, uint64_t hi, int level, block_list *b,
                        gd_error *err)
{
    b->n = 0;
    b->limit = level == LEVEL_SECTION ? SIZE_MAX : GD_PLAN_MAX_BLOCKS;
    int rc = PUSH_OK;
    for (size_t p = 0; p < s->n_problems && rc == PUSH_OK; p++) {
        if (gd_space_group_first(s, p, GD_SPACE_SECTION, 0) < hi &&
            lo < gd_space_group_first(s, p, GD_SPACE_SECTION, 1))
            rc = section_blocks(s, p, lo, hi, level, b, err);
    }
    return rc;
}

static int is_small(const gd_plan_block *b)
{
    return b->run_cost * (double)b->count < GD_PLAN_MIN_CHUNK_COST;
}

/* Merges consecutive small blocks (id order) while the merged block is small. */
static size_t merge_small(gd_plan_block *v, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        gd_plan_block *last = out ? &v[out - 1] : NULL;
        if (last && is_small(last) && is_small(&v[i]) &&
            last->first + last->count == v[i].first) {
            double total =
                last->run_cost * (double)last->count + v[i].run_cost * (double)v[i].count;
            last->count += v[i].count;
            last->run_cost = total / (double)last->count;
        } else {
            v[out++] = v[i];
        }
    }
    return out;
}

static int by_cost_then_id(const void *a, const void *b)
{
    const gd_plan_block *x = a, *y = b;
    if (x->run_cost != y->run_cost)
        return x->run_cost > y->run_cost ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

int gd_plan_build(const gd_sweep *s, uint64_t lo, uint64_t hi, gd_plan_block **out,
                  size_t *n, gd_error *err)
{
    block_list b = {NULL, 0, 0, 0};
    int rc = PUSH_FULL;
    for (int level = LEVEL_GROUP; level <= LEVEL_SECTION && rc == PUSH_FULL; level++)
        rc = level_blocks(s, lo, hi, level, &b, err);
    if (rc != PUSH_OK) {
        free(b.v);
        return -1;
    }
    b.n = merge_small(b.v, b.n);
    qsort(b.v, b.n, sizeof *b.v, by_cost_then_id);
    *out = b.v;
    *n = b.n;
    return 0;
}
