/* test_run_space.c - the run-space queries (run_space.h) against a brute-force walk over
 * every run id of small grids: decode, counts, groups and their ends, swept keys; and the
 * counts of a 10^19-run grid. Uses only the public interface, so a second run space (a
 * sampled design) can be checked by the same walk. */
#include "test_grid_util.h"

#include <stdlib.h>

#include "gdsweep/run_space.h"

/* Two problem sections, optimizers restricted to some, schedules with keys, repeats. */
static const char mixed_grid[] =
    "[sweep]\nrepeats = 2\nseed = 3\n"
    "[problem q]\ntype = quadratic\na = 1, 2\nx0 = 5, -5, 0.5\niterations = 10, 20\n"
    "[optimizer g]\ntype = gd\nlr = 0.1, 0.2\nschedule = constant, inverse_time, step\n"
    "decay_steps = 10, 20\ngamma = 0.5\n"
    "[problem r]\ntype = rosenbrock\nb = 50, 100\ngradient = numeric, analytic\n"
    "[optimizer m]\ntype = momentum\nmomentum = 0.5, 0.9\nproblems = q\n"
    "[optimizer a]\ntype = adam\nlr = 0.01\nbeta1 = 0.8, 0.9\nproblems = r\n";

/* One run only: nothing swept, every group one run. */
static const char single_grid[] = "[problem q]\ntype = quadratic\n[optimizer gd]\n";

/* Repeats only, and an optimizer section that applies to the second problem alone. */
static const char repeats_grid[] =
    "[sweep]\nrepeats = 3\n"
    "[problem p1]\ntype = quadratic\nx0 = 1, 2\n"
    "[problem p2]\ntype = quadratic\nloss_tol = 0.1, 0.01\nsave_final = true, false\n"
    "[optimizer late]\ntype = nag\nmomentum = 0.9\nschedule = step\ngamma = 0.5, 0.25\n"
    "problems = p2\n"
    "[optimizer every]\ntype = rmsprop\n";

typedef struct walk {
    gd_sweep s;
    uint64_t n;
    gd_run_desc *d;       /* every run, decoded */
    unsigned char *start; /* [level * n + id]: id begins a group of that level */
} walk;

static void control_values(const gd_run_control *c, double *v)
{
    double all[GD_CONTROL_COUNT] = {(double)c->iterations, c->numeric_gradient, c->epsilon,
                                    c->grad_tol, c->loss_tol, c->divergence, c->save_final};
    memcpy(v, all, sizeof all);
}

static int same_control(const gd_run_desc *a, const gd_run_desc *b)
{
    double x[GD_CONTROL_COUNT], y[GD_CONTROL_COUNT];
    control_values(&a->control, x);
    control_values(&b->control, y);
    return memcmp(x, y, sizeof x) == 0;
}

/* 1 when runs a and b are in the same group of `level` (the definitions of run_space.h). */
static int same_group(const gd_run_desc *a, const gd_run_desc *b, gd_space_level level)
{
    if (a->problem != b->problem)
        return 0;
    switch (level) {
    case GD_SPACE_SECTION:
        return 1;
    case GD_SPACE_SETTING:
        return memcmp(a->problem_params, b->problem_params, sizeof a->problem_params) == 0;
    case GD_SPACE_INSTANCE:
        return a->instance == b->instance;
    case GD_SPACE_CONFIG:
        return a->instance == b->instance && same_control(a, b);
    case GD_SPACE_PAIR:
        return a->instance == b->instance && same_control(a, b) && a->optimizer == b->optimizer;
    }
    return 0;
}

static void walk_make(walk *w, const char *text)
{
    grid_ok(&w->s, text, 0);
    w->n = gd_space_runs(&w->s);
    w->d = calloc(w->n, sizeof *w->d);
    w->start = calloc(5 * w->n, 1);
    assert_non_null(w->d);
    assert_non_null(w->start);
    for (uint64_t id = 0; id < w->n; id++) {
        gd_sweep_decode(&w->s, id, &w->d[id]);
        for (int level = GD_SPACE_SECTION; level <= GD_SPACE_PAIR; level++)
            w->start[level * w->n + id] =
                id == 0 || !same_group(&w->d[id - 1], &w->d[id], (gd_space_level)level);
    }
}

static void walk_free(walk *w)
{
    free(w->d);
    free(w->start);
    gd_sweep_free(&w->s);
}

/* Decode: ids, sections in order, instances numbered 0.. in order, counts add up. */
static void check_decode_and_counts(const walk *w)
{
    uint64_t instances = 0, *pair = calloc(w->s.n_problems * w->s.n_optimizers, sizeof *pair);
    uint64_t *section = calloc(w->s.n_problems, sizeof *section);
    for (uint64_t id = 0; id < w->n; id++) {
        const gd_run_desc *d = &w->d[id];
        assert_int_equal(d->id, id);
        assert_int_equal(gd_sweep_section_of(&w->s, id), d->problem);
        if (id > 0)
            assert_true(d->problem >= w->d[id - 1].problem);
        assert_true(d->instance == instances || d->instance + 1 == instances);
        instances = d->instance + 1;
        pair[d->problem * w->s.n_optimizers + d->optimizer]++;
        section[d->problem]++;
    }
    assert_int_equal(gd_space_instances(&w->s), instances);
    for (size_t p = 0; p < w->s.n_problems; p++) {
        assert_int_equal(gd_space_section_runs(&w->s, p), section[p]);
        for (size_t o = 0; o < w->s.n_optimizers; o++)
            assert_int_equal(gd_sweep_pair_runs(&w->s, p, o), pair[p * w->s.n_optimizers + o]);
    }
    free(pair);
    free(section);
}

/* Groups of one level: count, first ids, index and end of every run's group. */
static void check_level(const walk *w, gd_space_level level)
{
    const unsigned char *start = w->start + level * w->n;
    uint64_t end = w->n, index = 0, section_first = 0;
    for (uint64_t id = w->n; id-- > 0;) { /* backwards: the end of each group */
        assert_int_equal(gd_space_group_end(&w->s, id, level), end);
        if (start[id])
            end = id;
    }
    for (uint64_t id = 0; id < w->n; id++) {
        const gd_run_desc *d = &w->d[id];
        if (start[id] && id > 0 && w->d[id - 1].problem == d->problem)
            index++;
        if (id == 0 || w->d[id - 1].problem != d->problem)
            index = 0, section_first = id;
        if (level == GD_SPACE_PAIR)
            continue;
        assert_int_equal(gd_space_group_index(&w->s, id, level), index);
        if (start[id])
            assert_int_equal(gd_space_group_first(&w->s, d->problem, level, index), id);
        if (id + 1 == w->n || w->d[id + 1].problem != d->problem) {
            assert_int_equal(gd_space_groups(&w->s, d->problem, level), index + 1);
            assert_int_equal(gd_space_group_first(&w->s, d->problem, level, index + 1), id + 1);
            assert_int_equal(gd_space_group_first(&w->s, d->problem, level, 0), section_first);
        }
        if (level == GD_SPACE_SETTING)
            assert_int_equal(gd_space_instance_setting(&w->s, d->problem, d->instance), index);
    }
}

/* 1 when some run of the same `keys` scope as d takes another value of key j. */
static int brute_swept(const walk *w, const gd_run_desc *d, gd_space_keys keys, size_t j)
{
    double dv[GD_CONTROL_COUNT], ev[GD_CONTROL_COUNT];
    control_values(&d->control, dv);
    for (uint64_t id = 0; id < w->n; id++) {
        const gd_run_desc *e = &w->d[id];
        int in_problem = e->problem == d->problem, in_opt = e->optimizer == d->optimizer;
        control_values(&e->control, ev);
        if ((keys == GD_KEYS_PROBLEM && in_problem &&
             e->problem_params[j] != d->problem_params[j]) ||
            (keys == GD_KEYS_CONTROL && in_problem && ev[j] != dv[j]) ||
            (keys == GD_KEYS_OPTIMIZER && in_opt &&
             e->optimizer_params[j] != d->optimizer_params[j]) ||
            (keys == GD_KEYS_SCHEDULE && in_opt && e->schedule != d->schedule) ||
            (keys == GD_KEYS_SCHEDULE_PARAM && in_opt && e->schedule == d->schedule &&
             e->schedule_params[j] != d->schedule_params[j]))
            return 1;
    }
    return 0;
}

static void check_keys(const walk *w)
{
    for (uint64_t id = 0; id < w->n; id++) {
        const gd_run_desc *d = &w->d[id];
        for (int keys = GD_KEYS_PROBLEM; keys <= GD_KEYS_SCHEDULE_PARAM; keys++) {
            size_t n = keys == GD_KEYS_CONTROL ? GD_CONTROL_COUNT
                       : keys == GD_KEYS_SCHEDULE ? 1 : GD_MAX_PARAMS;
            for (size_t j = 0; j < n; j++)
                assert_int_equal(gd_space_key_swept(&w->s, d, (gd_space_keys)keys, j),
                                 brute_swept(w, d, (gd_space_keys)keys, j));
        }
    }
}

static void check_grid(const char *text, uint64_t runs)
{
    walk w;
    walk_make(&w, text);
    assert_int_equal(w.n, runs);
    check_decode_and_counts(&w);
    for (int level = GD_SPACE_SECTION; level <= GD_SPACE_PAIR; level++)
        check_level(&w, (gd_space_level)level);
    check_keys(&w);
    walk_free(&w);
}

static void test_mixed_grid(void **state)
{
    (void)state;
    /* g: lr 2 * schedule 3 * decay_steps 2 = 12 combos (every schedule meets every value
     * of the union keys); q: 2*3 settings * 2 repeats * 2 controls * (12 + m 2); r likewise */
    check_grid(mixed_grid, 2 * 3 * 2 * 2 * (12 + 2) + 2 * 2 * 2 * (12 + 2));
}

static void test_single_run(void **state)
{
    (void)state;
    check_grid(single_grid, 1);
}

static void test_repeats_and_late_optimizer(void **state)
{
    (void)state;
    check_grid(repeats_grid, 2 * 3 * 1 + 3 * 2 * 2 * (2 + 1));
}

/* Counts stay exact near 2^64: 10^19 runs, 10^17 instances of 100 runs each. */
static void test_counts_of_1e19_runs(void **state)
{
    (void)state;
    gd_sweep s;
    grid_ok(&s, "[sweep]\nrepeats = 100000000000000000\n[problem q]\ntype = quadratic\n"
                "[optimizer g]\ntype = gd\nlr = linspace(0.1, 1, 100)\n", 1);
    const uint64_t runs = 10000000000000000000ULL, instances = 100000000000000000ULL;
    assert_true(gd_space_runs(&s) == runs && gd_space_section_runs(&s, 0) == runs);
    assert_true(gd_space_instances(&s) == instances);
    assert_true(gd_space_groups(&s, 0, GD_SPACE_INSTANCE) == instances);
    assert_true(gd_space_groups(&s, 0, GD_SPACE_SETTING) == 1);
    assert_true(gd_space_group_first(&s, 0, GD_SPACE_INSTANCE, instances) == runs);
    assert_true(gd_space_group_index(&s, runs - 1, GD_SPACE_INSTANCE) == instances - 1);
    assert_true(gd_space_group_end(&s, runs - 1, GD_SPACE_INSTANCE) == runs);
    assert_true(gd_space_group_end(&s, runs - 150, GD_SPACE_PAIR) == runs - 100);
    assert_true(gd_sweep_pair_runs(&s, 0, 0) == runs);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_grid),
        cmocka_unit_test(test_single_run),
        cmocka_unit_test(test_repeats_and_late_optimizer),
        cmocka_unit_test(test_counts_of_1e19_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
