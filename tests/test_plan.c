/* test_plan.c - the work-distribution plan: every id once, contiguous chunks inside one
 * block, blocks by cost, guided chunk sizes, skipping done ids, coarse fallbacks, speed,
 * instance affinity across workers (claims, stealing, ahead requests).
 *
 * Expected costs are worked out by hand from the model in plan.h (cost(pp) * iterations *
 * (2n + 1 when numeric) + 2000) and the problem types' cost/dimension functions. */
#include "test_grid_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gdsweep/plan.h"

#define KEEP 8192

typedef struct drain_stats {
    size_t chunks;
    uint64_t runs;
    uint64_t counts[KEEP]; /* the first KEEP chunk sizes */
    uint64_t firsts[KEEP]; /* and their first ids */
} drain_stats;

typedef struct done_set {
    uint64_t lo;
    const unsigned char *done; /* done[id - lo] */
} done_set;

static int is_done(void *ctx, uint64_t id)
{
    const done_set *d = ctx;
    return d->done[id - d->lo];
}

/* Per-iteration cost of a problem type at its defaults with up to two keys changed: the
 * expected figures follow the types' own cost models. */
static double per_iter(const char *type, const char *k1, double v1, const char *k2, double v2)
{
    const gd_problem_type *t = gd_problem_find(type);
    double pp[GD_MAX_PARAMS];
    gd_param_defaults(t->params, pp);
    if (k1)
        pp[gd_param_find(t->params, k1)] = v1;
    if (k2)
        pp[gd_param_find(t->params, k2)] = v2;
    return t->cost(GD_NO_FILES, pp);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int bit_test_set(unsigned char *bits, uint64_t i)
{
    int was = (bits[i / 8] >> (i % 8)) & 1;
    bits[i / 8] |= (unsigned char)(1u << (i % 8));
    return was;
}

static gd_plan *plan_ok(const gd_sweep *s, uint64_t lo, uint64_t hi, int workers)
{
    gd_plan *p = NULL;
    gd_error err = {{0}, 0};
    int rc = gd_plan_create(&p, s, lo, hi, workers, &err);
    if (rc != 0)
        print_error("plan: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(p);
    return p;
}

/* Blocks tile [lo, hi) exactly, are in cost order (ties: lower first id first). */
static void check_blocks(const gd_plan *p, uint64_t lo, uint64_t hi)
{
    size_t n;
    const gd_plan_block *b = gd_plan_blocks(p, &n);
    unsigned char *bits = calloc((hi - lo) / 8 + 1, 1);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(b[i].count >= 1 && b[i].first >= lo && b[i].first + b[i].count <= hi);
        assert_true(b[i].run_cost >= GD_PLAN_RUN_OVERHEAD);
        if (i > 0) {
            assert_true(b[i].run_cost <= b[i - 1].run_cost);
            assert_true(b[i].run_cost < b[i - 1].run_cost || b[i].first > b[i - 1].first);
        }
        for (uint64_t k = 0; k < b[i].count && hi - lo <= 10000000; k++)
            assert_false(bit_test_set(bits, b[i].first + k - lo));
        total += b[i].count;
    }
    assert_int_equal(total, hi - lo);
    free(bits);
}

/* Each block's cost is the mean of gd_plan_run_cost over its ids; with exact, each id's. */
static void check_block_costs(const gd_sweep *s, const gd_plan *p, int exact)
{
    size_t n;
    const gd_plan_block *b = gd_plan_blocks(p, &n);
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (uint64_t k = 0; k < b[i].count; k++) {
            double c = gd_plan_run_cost(s, b[i].first + k);
            if (exact)
                assert_true(c == b[i].run_cost);
            sum += c;
        }
        double mean = sum / (double)b[i].count;
        assert_true(fabs(mean - b[i].run_cost) <= 1e-9 * mean);
    }
}

/* Hands out everything; checks each chunk lies in one block, blocks come in order, no id
 * twice, no done id, every other id of [lo, hi) once, remaining_runs counts down. */
static void drain(gd_plan *p, uint64_t lo, uint64_t hi, const unsigned char *done,
                  drain_stats *st)
{
    size_t nb, bi = 0;
    const gd_plan_block *b = gd_plan_blocks(p, &nb);
    unsigned char *bits = calloc((hi - lo) / 8 + 1, 1);
    uint64_t first, count, expect = 0;
    memset(st, 0, sizeof *st);
    for (uint64_t id = lo; id < hi; id++)
        expect += !(done && done[id - lo]);
    while (gd_plan_next(p, 0, 0, &first, &count)) {
        uint64_t before = gd_plan_remaining_runs(p) + count;
        assert_true(count >= 1 && count <= GD_PLAN_MAX_CHUNK_RUNS);
        while (bi < nb && !(first >= b[bi].first && first < b[bi].first + b[bi].count))
            bi++;
        assert_true(bi < nb);
        assert_true(first + count <= b[bi].first + b[bi].count);
        for (uint64_t k = 0; k < count; k++) {
            assert_false(bit_test_set(bits, first + k - lo));
            assert_false(done && done[first + k - lo]);
        }
        assert_true(gd_plan_remaining_runs(p) < before);
        if (st->chunks < KEEP) {
            st->counts[st->chunks] = count;
            st->firsts[st->chunks] = first;
        }
        st->chunks++;
        st->runs += count;
    }
    assert_int_equal(st->runs, expect);
    assert_int_equal(gd_plan_remaining_runs(p), 0);
    assert_true(gd_plan_remaining_cost(p) == 0);
    assert_int_equal(gd_plan_next(p, 0, 0, &first, &count), 0);
    free(bits);
}

/* Plans [lo, hi) of s, checks blocks, costs and the hand-out; returns the stats. */
static void plan_and_drain(const gd_sweep *s, uint64_t lo, uint64_t hi, int workers,
                           int exact, drain_stats *st)
{
    gd_plan *p = plan_ok(s, lo, hi, workers);
    assert_int_equal(gd_plan_remaining_runs(p), hi - lo);
    check_blocks(p, lo, hi);
    check_block_costs(s, p, exact);
    drain(p, lo, hi, NULL, st);
    gd_plan_free(p);
}

/* A grid with a plan over all its runs, and what draining it gave. */
typedef struct whole {
    gd_sweep s;
    gd_plan *p;
    const gd_plan_block *b;
    size_t nb;
    double setup_s; /* time gd_plan_create took */
    drain_stats st;
} whole;

static whole *whole_plan(const char *text, int workers)
{
    whole *w = calloc(1, sizeof *w);
    assert_non_null(w);
    grid_ok(&w->s, text, 0);
    double t0 = now();
    w->p = plan_ok(&w->s, 0, w->s.n_runs, workers);
    w->setup_s = now() - t0;
    w->b = gd_plan_blocks(w->p, &w->nb);
    check_blocks(w->p, 0, w->s.n_runs);
    return w;
}

static void whole_drain(whole *w)
{
    drain(w->p, 0, w->s.n_runs, NULL, &w->st);
}

static void whole_free(whole *w)
{
    gd_plan_free(w->p);
    gd_sweep_free(&w->s);
    free(w);
}

static const char mixed_grid[] =
    "[sweep]\n"
    "repeats = 2\n"
    "[problem small]\n"
    "type = denoise\n"
    "size = 16, 64\n"
    "iterations = 50, 100\n"
    "[problem fit]\n"
    "type = curvefit\n"
    "degree = 1, 3\n"
    "points = 50\n"
    "gradient = analytic, numeric\n"
    "[problem q]\n"
    "type = quadratic\n"
    "x0 = linspace(-1, 1, 300)\n"
    "iterations = 100, 1000\n"
    "[optimizer gd]\n"
    "lr = 0.1, 0.2\n"
    "[optimizer adam]\n"
    "lr = 0.01\n"
    "problems = small, q\n";

/* Every group is worth >= 5e6 here, so no block is merged and costs are exact. */
static const char big_grid[] =
    "[problem d]\n"
    "type = denoise\n"
    "size = 64, 256, 64\n"
    "iterations = 1000\n"
    "[problem r]\n"
    "type = rosenbrock\n"
    "iterations = 200000, 300000\n"
    "gradient = numeric, analytic\n"
    "[optimizer gd]\n"
    "lr = linspace(0.01, 0.1, 20)\n";

static void test_run_cost(void **state)
{
    gd_sweep s;
    grid_ok(&s, mixed_grid, 0);
    /* small: (size 16, rep 0, iterations 50), span 3 */
    const double d16 = per_iter("denoise", "size", 16, NULL, 0);
    assert_true(gd_plan_run_cost(&s, 0) == d16 * 50 + 2000);
    assert_true(gd_plan_run_cost(&s, 3) == d16 * 100 + 2000);
    assert_true(gd_plan_run_cost(&s, 12) == per_iter("denoise", "size", 64, NULL, 0) * 50 + 2000);
    /* fit starts at 24 runs: span 2; degree 1 analytic, then numeric (n = 2: factor 5) */
    const double f1 = per_iter("curvefit", "degree", 1, "points", 50);
    assert_true(gd_plan_run_cost(&s, 24) == f1 * 100 + 2000);
    assert_true(gd_plan_run_cost(&s, 26) == f1 * 100 * 5 + 2000);
    /* degree 3 (n = 4: factor 9), points 50 */
    assert_true(gd_plan_run_cost(&s, 24 + 8 + 2) ==
                per_iter("curvefit", "degree", 3, "points", 50) * 100 * 9 + 2000);
    uint64_t q = 24 + 16; /* quadratic: span 3, iterations 100 then 1000 */
    const double quad = per_iter("quadratic", NULL, 0, NULL, 0);
    assert_true(gd_plan_run_cost(&s, q) == quad * 100 + 2000);
    assert_true(gd_plan_run_cost(&s, q + 5) == quad * 1000 + 2000);
    assert_int_equal(s.n_runs, q + 300 * 2 * 2 * 3);
    gd_sweep_free(&s);
}

static void test_every_id_once(void **state)
{
    gd_sweep s;
    drain_stats *st = malloc(sizeof *st);
    grid_ok(&s, mixed_grid, 0);
    const uint64_t n = s.n_runs;
    const uint64_t ranges[][2] = {{0, n}, {7, n - 5}, {25, 41}, {13, 14}, {40, n}, {0, 30}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        for (int w = 1; w <= 8; w *= 2)
            plan_and_drain(&s, ranges[r][0], ranges[r][1], w, 0, st);
    gd_sweep_free(&s);
    grid_ok(&s, big_grid, 0);
    plan_and_drain(&s, 0, s.n_runs, 4, 1, st);
    plan_and_drain(&s, 11, s.n_runs - 3, 3, 1, st);
    gd_sweep_free(&s);
    free(st);
}

static void test_expensive_first_alone(void **state)
{
    whole *w = whole_plan(big_grid, 4);
    /* size 256 for 1000 iterations, then rosenbrock numeric (factor 5) for 3e5 */
    assert_true(w->b[0].run_cost == per_iter("denoise", "size", 256, NULL, 0) * 1000 + 2000);
    assert_true(w->b[1].run_cost == per_iter("rosenbrock", NULL, 0, NULL, 0) * 300000 * 5 + 2000);
    assert_int_equal(w->b[0].first, 20);
    assert_int_equal(w->b[0].count, 20);
    whole_drain(w);
    for (size_t i = 0; i < 20; i++) { /* the 20 denoise-256 runs, one per chunk, in order */
        assert_int_equal(w->st.counts[i], 1);
        assert_int_equal(w->st.firsts[i], 20 + i);
    }
    assert_int_equal(w->st.firsts[20], w->b[1].first); /* then the next-dearest block */
    whole_free(w);
}

static const char tiny_runs[] = /* bench/tiny_runs.ini */
    "[sweep]\nname = tiny-runs\niterations = 100\nrecord_every = 1\n"
    "[problem quadratic]\nx0 = linspace(-10, 10, 10000)\n"
    "[optimizer gd]\nlr = 0.01, 0.05, 0.1, 0.2, 0.5\n"
    "[optimizer adam]\nlr = 0.01, 0.05, 0.1, 0.2, 0.5\n";

static void test_tiny_runs_few_chunks(void **state)
{
    whole *w = whole_plan(tiny_runs, 4);
    assert_int_equal(w->s.n_runs, 100000);
    double best = w->setup_s;
    for (int i = 0; i < 5; i++) {
        double t0 = now();
        gd_plan_free(plan_ok(&w->s, 0, w->s.n_runs, 4));
        best = fmin(best, now() - t0);
    }
    print_message("tiny_runs plan setup: %.3f ms\n", best * 1e3);
    assert_true(best < 0.05); /* the target is 10 ms; margin for a loaded machine */
    assert_int_equal(w->nb, 1);
    const double run = per_iter("quadratic", NULL, 0, NULL, 0) * 100 + 2000;
    assert_true(gd_plan_remaining_cost(w->p) == 100000.0 * run);
    whole_drain(w);
    const drain_stats *st = &w->st;
    assert_true(st->chunks <= 100);
    assert_int_equal(st->counts[0], GD_PLAN_MAX_CHUNK_RUNS);
    /* 5e6 / run rounded up: the smallest guided chunk; the last may take a sliver more */
    assert_true(st->counts[st->chunks - 1] < st->counts[0]);
    assert_true(st->counts[st->chunks - 2] == (size_t)ceil(GD_PLAN_MIN_CHUNK_COST / run));
    for (size_t i = 0; i < st->chunks; i++)
        assert_true(st->counts[i] * run >= GD_PLAN_MIN_CHUNK_COST || i == st->chunks - 1);
    whole_free(w);
}

/* 1000 denoise-64 runs: guided sizes shrink from total / (4 workers) to 5e6. */
static void test_guided_sizes(void **state)
{
    for (int workers = 1; workers <= 4; workers *= 4) {
        whole *w = whole_plan("[problem d]\ntype = denoise\nsize = 64\n"
                              "[optimizer gd]\nlr = linspace(0.01, 0.1, 1000)\n", workers);
        whole_drain(w);
        const drain_stats *st = &w->st;
        /* first: ceil(1000 runs / (4 workers)) = 250 or 63 runs */
        assert_int_equal(st->counts[0], workers == 1 ? 250 : 63);
        for (size_t i = 1; i + 1 < st->chunks; i++)
            assert_true(st->counts[i] <= st->counts[i - 1]);
        /* the smallest guided chunk holds 5e6; the last takes a sliver of less more */
        const double run = per_iter("denoise", "size", 64, NULL, 0) * 100 + 2000;
        const size_t least = (size_t)ceil(GD_PLAN_MIN_CHUNK_COST / run);
        assert_true(st->counts[st->chunks - 2] == least);
        assert_true(st->counts[st->chunks - 1] < 2 * least);
        whole_free(w);
    }
}

static void test_skip_done(void **state)
{
    gd_sweep s;
    drain_stats *st = malloc(sizeof *st);
    grid_ok(&s, mixed_grid, 0);
    const uint64_t lo = 5, hi = s.n_runs - 2;
    unsigned char *done = calloc(hi - lo, 1);
    for (uint64_t id = lo; id < hi; id++)
        done[id - lo] = id % 3 == 0 || (id >= 100 && id < 400) || id == hi - 1;
    done_set ds = {lo, done};
    gd_plan *p = plan_ok(&s, lo, hi, 4);
    gd_plan_skip_done(p, is_done, &ds);
    drain(p, lo, hi, done, st);
    gd_plan_free(p);
    assert_true(st->chunks > 300); /* every third id done: chunks of at most 2 */
    memset(done, 1, hi - lo);
    p = plan_ok(&s, lo, hi, 2);
    gd_plan_skip_done(p, is_done, &ds);
    drain(p, lo, hi, done, st);
    assert_int_equal(st->chunks, 0);
    gd_plan_free(p);
    /* skipping off again: everything comes out */
    p = plan_ok(&s, lo, hi, 2);
    gd_plan_skip_done(p, is_done, &ds);
    gd_plan_skip_done(p, NULL, NULL);
    drain(p, lo, hi, NULL, st);
    gd_plan_free(p);
    free(done);
    gd_sweep_free(&s);
    free(st);
}

/* Groups of one run alternate 10 and 1000 iterations: 2000 tiny blocks merge into 2. */
static void test_tiny_blocks_merge(void **state)
{
    whole *w = whole_plan("[problem q]\ntype = quadratic\nx0 = linspace(-1, 1, 80)\n"
                          "iterations = 10, 1000\n[optimizer gd]\n", 4);
    assert_true(w->nb <= 2);
    check_block_costs(&w->s, w->p, 0);
    whole_drain(w);
    assert_true(w->st.chunks <= 3);
    whole_free(w);
}

/* 4e6 groups alternating in cost need more than GD_PLAN_MAX_BLOCKS blocks: one block per
 * type combination instead, at the mean cost of 10 and 20 iterations. */
static void test_fallback_type_level(void **state)
{
    whole *w = whole_plan("[sweep]\nrepeats = 2000000\n[problem q]\ntype = quadratic\n"
                          "iterations = 10, 20\n[optimizer gd]\n", 4);
    assert_int_equal(w->nb, 1);
    assert_true(w->b[0].run_cost == 2000 + 15 * per_iter("quadratic", NULL, 0, NULL, 0));
    whole_drain(w);
    whole_free(w);
}

/* 2e6 type combinations (> GD_PLAN_MAX_COMBOS): the section is one block whose cost is
 * the mean over a sample; cost(pp) is linear in points, so the true mean is the cost at
 * the mean number of points. */
static void test_fallback_section_level(void **state)
{
    whole *w = whole_plan("[problem c]\ntype = curvefit\ndegree = 1\n"
                          "points = linspace(2, 2000001, 2000000)\n[optimizer gd]\n", 4);
    assert_int_equal(w->nb, 1);
    double mean = 100 * per_iter("curvefit", "degree", 1, "points", (2 + 2000001) / 2.0) + 2000;
    assert_true(fabs(w->b[0].run_cost - mean) < 0.01 * mean);
    /* a strict sub-range touches 1000 combinations: exact per-combination costs */
    gd_plan *p = plan_ok(&w->s, 5000, 6000, 2);
    check_blocks(p, 5000, 6000);
    check_block_costs(&w->s, p, 0);
    size_t nb;
    gd_plan_blocks(p, &nb);
    assert_true(nb > 1);
    gd_plan_free(p);
    whole_free(w);
}

static void time_huge(const char *text)
{
    whole *w = whole_plan(text, 16);
    assert_int_equal(w->s.n_runs, 100000000);
    print_message("10^8-run plan setup: %.3f s, %zu blocks\n", w->setup_s, w->nb);
    assert_true(w->setup_s < 2.0);
    whole_drain(w);
    assert_true(w->st.chunks < w->s.n_runs / 1000);
    whole_free(w);
}

static void test_hundred_million_runs(void **state)
{
    /* 2.5e5 type combos x 4 iteration budgets: 10^6 group blocks, merged */
    time_huge("[problem q]\ntype = quadratic\nx0 = linspace(-1, 1, 250000)\n"
              "iterations = 10, 20, 30, 40\n[optimizer gd]\nlr = linspace(0.01, 0.1, 100)\n");
    /* one cost: one block */
    time_huge("[problem q]\ntype = quadratic\nx0 = linspace(-1, 1, 100)\n"
              "[optimizer momentum]\nlr = linspace(0.0001, 1, 10000)\n"
              "momentum = linspace(0, 0.99, 100)\n");
}

/* Workers that ask whenever they are idle (no prefetch), each run taking its estimated
 * cost: which worker ran each id, the instance builds, and when the last one finished. */
typedef struct simulation {
    int *owner;             /* per id: the worker that ran it, -1 if none */
    uint64_t builds;        /* instances built: a worker's run of another instance */
    double makespan, total; /* estimated cost units */
} simulation;

static void simulate(const gd_sweep *s, gd_plan *p, int workers, simulation *sim)
{
    double clock[16] = {0};
    uint64_t last[16];
    int active[16];
    assert_true(workers <= 16);
    sim->owner = malloc(s->n_runs * sizeof *sim->owner);
    for (uint64_t id = 0; id < s->n_runs; id++)
        sim->owner[id] = -1;
    sim->builds = 0;
    sim->total = sim->makespan = 0;
    for (int w = 0; w < workers; w++) {
        last[w] = UINT64_MAX;
        active[w] = 1;
    }
    for (;;) {
        int w = -1;
        for (int k = 0; k < workers; k++)
            if (active[k] && (w < 0 || clock[k] < clock[w]))
                w = k;
        if (w < 0)
            break;
        uint64_t first, count;
        int got = gd_plan_next(p, w, 0, &first, &count);
        assert_int_not_equal(got, GD_PLAN_LATER); /* idle requests are never told to wait */
        if (got == GD_PLAN_DONE) {
            active[w] = 0;
            continue;
        }
        for (uint64_t id = first; id < first + count; id++) {
            gd_run_desc d;
            gd_sweep_decode(s, id, &d);
            assert_int_equal(sim->owner[id], -1);
            sim->owner[id] = w;
            sim->builds += d.instance != last[w];
            last[w] = d.instance;
            clock[w] += gd_plan_run_cost(s, id);
            sim->total += gd_plan_run_cost(s, id);
        }
        sim->makespan = fmax(sim->makespan, clock[w]);
    }
}

/* Two instances of 6 expensive denoise runs, then cheaper curve fits, on 2 workers: each
 * instance stays on one worker (built once), and the finish is balanced. */
static void test_instance_stays_on_one_worker(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[sweep]\nrepeats = 2\niterations = 1000\n"
                "[problem d]\ntype = denoise\nsize = 256\n"
                "[problem c]\ntype = curvefit\npoints = 20000\n"
                "[optimizer gd]\nlr = 0.1, 0.2\n[optimizer adam]\nlr = 0.1, 0.2, 0.3, 0.4\n", 0);
    assert_int_equal(s.n_runs, 24);
    gd_plan *p = plan_ok(&s, 0, s.n_runs, 2);
    simulation sim;
    simulate(&s, p, 2, &sim);
    for (uint64_t id = 0; id < s.n_runs; id++)
        assert_int_not_equal(sim.owner[id], -1);
    for (uint64_t k = 1; k < 6; k++) { /* the denoise instances: ids 0-5 and 6-11 */
        assert_int_equal(sim.owner[k], sim.owner[0]);
        assert_int_equal(sim.owner[6 + k], sim.owner[6]);
    }
    assert_int_not_equal(sim.owner[0], sim.owner[6]);
    assert_true(sim.builds <= 4 + 1); /* each of the 4 instances once, one steal at most */
    assert_true(sim.makespan <= sim.total / 2 + gd_plan_run_cost(&s, 12));
    free(sim.owner);
    gd_plan_free(p);
    /* the same runs handed out with one worker: the plain order, ids 0, 1, 2, ... */
    p = plan_ok(&s, 0, s.n_runs, 1);
    uint64_t first, count;
    for (uint64_t id = 0; id < 12; id++) {
        assert_int_equal(gd_plan_next(p, 0, 0, &first, &count), GD_PLAN_CHUNK);
        assert_true(first == id && count == 1);
    }
    gd_plan_free(p);
    gd_sweep_free(&s);
}

/* A plan for `workers` over one denoise instance whose expensive runs (256², 1000
 * iterations: each goes out alone) are gd at the learning rates `lrs`. */
static gd_plan *one_instance_plan(gd_sweep *s, const char *lrs, int workers)
{
    char text[256];
    snprintf(text, sizeof text, "[problem d]\ntype = denoise\nsize = 256\niterations = 1000\n"
             "[optimizer gd]\nlr = %s\n", lrs);
    grid_ok(s, text, 0);
    return plan_ok(s, 0, s->n_runs, workers);
}

/* One instance of 8 expensive runs on 4 workers: the idle ones steal halves, so all four
 * work and the finish is 2 runs' time, as if the runs had been dealt out one by one. */
static void test_idle_workers_steal(void **state)
{
    gd_sweep s;
    gd_plan *p = one_instance_plan(&s, "linspace(0.1, 0.8, 8)", 4);
    simulation sim;
    simulate(&s, p, 4, &sim);
    int runs_of[4] = {0};
    for (uint64_t id = 0; id < 8; id++)
        runs_of[sim.owner[id]]++;
    for (int w = 0; w < 4; w++)
        assert_int_equal(runs_of[w], 2);
    assert_true(sim.makespan == 2 * gd_plan_run_cost(&s, 0));
    assert_int_equal(gd_plan_remaining_runs(p), 0);
    free(sim.owner);
    gd_plan_free(p);
    gd_sweep_free(&s);
}

/* A prefetching worker is told to wait rather than steal what another worker's claim
 * would give it next; asking again when idle, it steals. */
static void test_ahead_requests_wait(void **state)
{
    gd_sweep s;
    gd_plan *p = one_instance_plan(&s, "0.1, 0.2, 0.3, 0.4", 2);
    uint64_t first, count;
    assert_int_equal(gd_plan_next(p, 1, 1, &first, &count), GD_PLAN_CHUNK);
    assert_true(first == 0 && count == 1); /* worker 1 claims the instance: ids 0-3 */
    assert_int_equal(gd_plan_next(p, 1, 1, &first, &count), GD_PLAN_CHUNK);
    assert_int_equal(first, 1);
    assert_int_equal(gd_plan_next(p, 0, 1, &first, &count), GD_PLAN_LATER);
    assert_int_equal(gd_plan_remaining_runs(p), 2);
    assert_int_equal(gd_plan_next(p, 0, 0, &first, &count), GD_PLAN_CHUNK);
    assert_int_equal(first, 3); /* the second half of [2, 4) */
    assert_int_equal(gd_plan_next(p, 1, 1, &first, &count), GD_PLAN_CHUNK);
    assert_int_equal(first, 2);
    assert_int_equal(gd_plan_next(p, 0, 1, &first, &count), GD_PLAN_DONE);
    assert_int_equal(gd_plan_next(p, 1, 0, &first, &count), GD_PLAN_DONE);
    assert_int_equal(gd_plan_next(p, 2, 0, &first, &count), GD_PLAN_DONE); /* no worker 2 */
    gd_plan_free(p);
    gd_sweep_free(&s);
}

/* Claims skip done ids too: 3 workers over the mixed grid with every third id done. */
static void test_claims_skip_done(void **state)
{
    gd_sweep s;
    grid_ok(&s, big_grid, 0);
    unsigned char *done = calloc(s.n_runs, 1);
    uint64_t expect = 0;
    for (uint64_t id = 0; id < s.n_runs; id++) {
        done[id] = id % 3 == 1;
        expect += !done[id];
    }
    done_set ds = {0, done};
    gd_plan *p = plan_ok(&s, 0, s.n_runs, 3);
    gd_plan_skip_done(p, is_done, &ds);
    simulation sim;
    simulate(&s, p, 3, &sim);
    uint64_t ran = 0;
    for (uint64_t id = 0; id < s.n_runs; id++) {
        assert_true(done[id] ? sim.owner[id] == -1 : sim.owner[id] >= 0);
        ran += sim.owner[id] >= 0;
    }
    assert_int_equal(ran, expect);
    assert_int_equal(gd_plan_remaining_runs(p), 0);
    free(sim.owner);
    free(done);
    gd_plan_free(p);
    gd_sweep_free(&s);
}

static void test_bad_arguments(void **state)
{
    gd_sweep s;
    gd_plan *p = (gd_plan *)&s;
    gd_error err = {{0}, 0};
    uint64_t first, count;
    grid_ok(&s, mixed_grid, 0);
    assert_int_equal(gd_plan_create(&p, &s, 0, s.n_runs, 0, &err), -1);
    assert_null(p);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "at least 1"));
    assert_int_equal(gd_plan_create(&p, &s, 0, s.n_runs + 1, 1, &err), -1);
    assert_int_equal(gd_plan_create(&p, &s, 5, 4, 1, &err), -1);
    assert_non_null(strstr(err.msg, "not inside"));
    p = plan_ok(&s, 9, 9, 1);
    assert_int_equal(gd_plan_remaining_runs(p), 0);
    assert_int_equal(gd_plan_next(p, 0, 0, &first, &count), 0);
    gd_plan_free(p);
    gd_plan_free(NULL);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_cost),
        cmocka_unit_test(test_every_id_once),
        cmocka_unit_test(test_expensive_first_alone),
        cmocka_unit_test(test_tiny_runs_few_chunks),
        cmocka_unit_test(test_guided_sizes),
        cmocka_unit_test(test_skip_done),
        cmocka_unit_test(test_tiny_blocks_merge),
        cmocka_unit_test(test_fallback_type_level),
        cmocka_unit_test(test_fallback_section_level),
        cmocka_unit_test(test_hundred_million_runs),
        cmocka_unit_test(test_instance_stays_on_one_worker),
        cmocka_unit_test(test_idle_workers_steal),
        cmocka_unit_test(test_ahead_requests_wait),
        cmocka_unit_test(test_claims_skip_done),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
