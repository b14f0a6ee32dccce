/* test_convergence.c - every optimizer reaches the optimum of every problem that has one.
 *
 * Walks the registries: for each (optimizer, problem with a known optimum) it sweeps the
 * learning rate over logspace(-4, -0.5, 8) with a 6000-step budget and requires the best
 * run to close the gap to the optimum to 1e-4 of where it started. A sweep is the fair
 * way to ask "can this optimizer solve this problem", since each needs its own rate. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/worker.h"

/* Problem sections whose type has a known optimum, as grid text. */
static const char *const problem_sections =
    "[problem quadratic]\nx0 = 5\n"
    "[problem rosenbrock]\n"
    "[problem curvefit]\nx_min = -1\nx_max = 1\nnoise = 0.5\ndegree = 2\n";

static void grid_for(const gd_optimizer_type *o, char *buf, size_t size)
{
    snprintf(buf, size,
             "[sweep]\nname = conv\niterations = 6000\nrecord_every = 1000\n%s"
             "[optimizer %s]\nlr = logspace(-4, -0.5, 8)\n",
             problem_sections, o->name);
}

/* Best relative gap per problem section over the batch's runs. */
static void best_relative_gaps(const gd_sweep *s, const gd_batch *b, double *best)
{
    for (size_t p = 0; p < s->n_problems; p++)
        best[p] = INFINITY;
    for (size_t i = 0; i < b->count; i++) {
        const gd_run_result *r = &b->result[i];
        double start = r->loss_initial - (r->loss_final - r->gap);
        double rel = r->status == GD_STATUS_DIVERGED ? INFINITY : r->gap / start;
        size_t p = b->desc[i].problem;
        if (rel < best[p])
            best[p] = rel;
    }
}

static void check_optimizer(const gd_optimizer_type *o)
{
    char text[2048];
    gd_sweep s;
    gd_batch b;
    gd_worker w;
    gd_error err = {0};
    memset(&b, 0, sizeof b);
    grid_for(o, text, sizeof text);
    if (gd_sweep_parse(&s, "conv.ini", text, strlen(text), 0, &err) != 0)
        fail_msg("%s: %s", o->name, err.msg);
    gd_worker_init(&w, &s, 0);
    for (uint64_t id = 0; id < s.n_runs; id++)
        assert_int_equal(gd_worker_run(&w, id, &b, &err), 0);
    double best[8];
    best_relative_gaps(&s, &b, best);
    for (size_t p = 0; p < s.n_problems; p++)
        if (!(best[p] <= 1e-4))
            fail_msg("%s on %s: best relative gap %g", o->name, s.problems[p].label, best[p]);
    gd_worker_free(&w);
    gd_batch_free(&b);
    gd_sweep_free(&s);
}

static void test_every_optimizer_every_problem(void **state)
{
    (void)state;
    for (const gd_optimizer_type *const *o = gd_optimizers; *o; o++)
        check_optimizer(*o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_optimizer_every_problem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
