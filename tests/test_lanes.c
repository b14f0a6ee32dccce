/* test_lanes.c - runs in lockstep blocks compute the same bits as each run alone.
 *
 * A grid whose runs differ in their start point (quadratic x0 and start_spread) under
 * several optimizers, schedules and both gradients, with runs that converge, diverge, meet
 * targets or reach their budget at different iterations inside one block, beside runs
 * that cannot go in a block (NAG's look-ahead, a box, Rosenbrock without loss_points):
 * every id run alone (gd_worker_run, gd_run_execute) and the same ids through the
 * worker's ranges (gd_worker_run_range, gd_run_execute_lanes) must give every record,
 * every result and every final point bit for bit; only the clock may differ, and inside
 * a block it is shared by gradient evaluations. Also: a range stops at a full batch, and
 * the store reserves the same room for a range's runs in block order as in id order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../src/store/store_internal.h"
#include "gdsweep/batch.h"
#include "gdsweep/committer.h"
#include "gdsweep/grid.h"
#include "gdsweep/series.h"
#include "gdsweep/store.h"
#include "gdsweep/worker.h"
#include "test_run_grid.h"

static const char grid[] =
    "[sweep]\nname = lanes\nseed = 7\niterations = 70\nrecord_every = 3\nrepeats = 2\n"
    "[problem q]\ntype = quadratic\nx0 = linspace(-40, 40, 97)\nloss_tol = 1e-9\n"
    "divergence = 100\n"
    "[problem spread]\ntype = quadratic\na = 2\nx0 = linspace(-3, 3, 3)\n"
    "start_spread = 1.5\ngradient = numeric\n"
    "[problem boxed]\ntype = quadratic\nx0 = linspace(-9, 9, 5)\nlower = -4\nupper = 4\n"
    "[problem r]\ntype = rosenbrock\n"
    "[optimizer gd]\nlr = 0.05, 1.02\n"
    "[optimizer decaying]\ntype = gd\nlr = 0.4\nschedule = inverse_time\ndecay_steps = 5\n"
    "[optimizer adam]\nlr = 0.3\n"
    "[optimizer rmsprop]\nlr = 0.1\n"
    "[optimizer nadam]\nlr = 0.2\n"
    "[optimizer nag]\nlr = 0.05\n";

/* Position of run id in b (fails the test when absent). */
static size_t find_run(const gd_batch *b, uint64_t id)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->desc[i].id == id)
            return i;
    fail_msg("run %llu is missing", (unsigned long long)id);
    return 0;
}

/* The result fields that are results (not the clock, not where it ran), as bytes. */
static void assert_same_result(const gd_run_result *a, const gd_run_result *b, uint64_t id)
{
    gd_run_result x = *a, y = *b;
    x.wall_seconds = y.wall_seconds = 0;
    memset(x.seconds_to, 0, sizeof x.seconds_to);
    memset(y.seconds_to, 0, sizeof y.seconds_to);
    x.rank = y.rank = x.threads = y.threads = 0;
    if (memcmp(&x, &y, sizeof x) != 0)
        fail_msg("run %llu: results differ (status %d / %d, iterations %ld / %ld, loss_final "
                 "%.17g / %.17g)",
                 (unsigned long long)id, a->status, b->status, a->iterations, b->iterations,
                 a->loss_final, b->loss_final);
}

/* Run i of a and run j of b hold the same records, path and final point, bit for bit. */
static void assert_same_records(const gd_batch *a, size_t i, const gd_batch *b, size_t j)
{
    uint64_t id = a->desc[i].id;
    assert_int_equal(a->traj_count[i], b->traj_count[j]);
    assert_int_equal(a->path_count[i], b->path_count[j]);
    assert_int_equal(a->final_count[i], b->final_count[j]);
    for (int k = 0; k < GD_RECORD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        const unsigned char *x = gd_series_batch_values(s, (gd_batch *)a),
                            *y = gd_series_batch_values(s, (gd_batch *)b);
        if (memcmp(x + a->traj_start[i] * s->elem_size, y + b->traj_start[j] * s->elem_size,
                   a->traj_count[i] * s->elem_size) != 0)
            fail_msg("run %llu: series %d differs", (unsigned long long)id, k);
    }
    if (memcmp(a->path + a->path_start[i], b->path + b->path_start[j],
               a->path_count[i] * sizeof *a->path) != 0)
        fail_msg("run %llu: path differs", (unsigned long long)id);
    if (memcmp(a->final + a->final_start[i], b->final + b->final_start[j],
               a->final_count[i] * sizeof *a->final) != 0)
        fail_msg("run %llu: final point differs", (unsigned long long)id);
}

/* The grid's mix of endings inside blocks: some runs converge, some diverge, some reach
 * their budget, and a block's runs stop at different iterations. */
static void assert_endings_mixed(const gd_batch *b)
{
    int seen[4] = {0};
    long first_stop = -1, last_stop = -1;
    for (size_t i = 0; i < b->count; i++) {
        const gd_run_result *r = &b->result[i];
        seen[r->status + 1] = 1;
        if (r->status != GD_STATUS_MAX_ITER) {
            first_stop = first_stop < 0 || r->iterations < first_stop ? r->iterations
                                                                      : first_stop;
            last_stop = r->iterations > last_stop ? r->iterations : last_stop;
        }
    }
    assert_true(seen[GD_STATUS_DIVERGED + 1] && seen[GD_STATUS_MAX_ITER + 1] &&
                seen[GD_STATUS_CONVERGED + 1]);
    assert_true(first_stop < last_stop);
}

static void test_lanes_same_bits_as_alone(void **state)
{
    gd_sweep s;
    gd_batch alone, ranged;
    run_grid(grid, &s, &alone);
    run_grid_ranges(&s, &ranged);
    assert_int_equal(alone.count, s.n_runs);
    assert_int_equal(ranged.count, s.n_runs);
    assert_endings_mixed(&alone);
    int reordered = 0;
    for (size_t i = 0; i < alone.count; i++) {
        uint64_t id = alone.desc[i].id;
        size_t j = find_run(&ranged, id);
        reordered |= j != i;
        assert_same_result(&alone.result[i], &ranged.result[j], id);
        assert_same_records(&alone, i, &ranged, j);
    }
    assert_true(reordered); /* blocks ran: their runs are appended block by block */
    gd_batch_free(&ranged);
    free_grid_run(&s, &alone);
}

/* Inside a block the clock is shared by gradient evaluations: the same seconds per
 * evaluation for every run of the block, and a target reached after fewer evaluations
 * took fewer seconds. */
static void test_lanes_share_the_clock(void **state)
{
    gd_sweep s;
    gd_batch b;
    gd_error err = {{0}, 0};
    const char *text = "[sweep]\nname = clock\niterations = 200\n"
                       "[problem q]\ntype = quadratic\nx0 = linspace(-30, 30, 40)\n"
                       "loss_tol = 1e-12\n[optimizer gd]\nlr = 0.1\n";
    if (gd_sweep_parse(&s, "grid.ini", text, strlen(text), 0, &err) != 0)
        fail_msg("%s", err.msg);
    run_grid_ranges(&s, &b);
    assert_int_equal(b.count, 40);
    double per_eval = b.result[0].wall_seconds / (double)b.result[0].grad_evals;
    assert_true(per_eval > 0);
    for (size_t i = 0; i < b.count; i++) {
        const gd_run_result *r = &b.result[i];
        assert_true(fabs(r->wall_seconds / (double)r->grad_evals - per_eval) <=
                    1e-12 * per_eval);
        for (size_t k = 0; k + 1 < GD_TARGETS; k++)
            if (r->steps_to[k + 1] >= 0)
                assert_true(r->seconds_to[k] <= r->seconds_to[k + 1]);
        for (size_t k = 0; k < GD_TARGETS; k++)
            assert_true(r->steps_to[k] >= 0 ? r->seconds_to[k] >= 0 : isnan(r->seconds_to[k]));
    }
    gd_batch_free(&b);
    gd_sweep_free(&s);
}

/* A range stops where the batch is full by its count, so batches keep whole chunks of
 * the runs table. */
static void test_range_stops_at_full_batch(void **state)
{
    gd_sweep s;
    gd_batch b;
    gd_worker w;
    gd_error err = {{0}, 0};
    uint64_t ran = 0;
    const char *text = "[sweep]\nname = full\niterations = 2\n"
                       "[problem q]\ntype = quadratic\nx0 = linspace(-3, 3, 5000)\n"
                       "[optimizer gd]\nlr = 0.1\n";
    setenv("GD_COMMIT_SECONDS", "1000", 1); /* the count bounds the range, not the clock */
    if (gd_sweep_parse(&s, "grid.ini", text, strlen(text), 0, &err) != 0)
        fail_msg("%s", err.msg);
    memset(&b, 0, sizeof b);
    gd_worker_init(&w, &s, 0);
    assert_int_equal(gd_worker_run_range(&w, 0, 100, &b, &ran, &err), 0);
    assert_int_equal(ran, 100);
    assert_int_equal(gd_worker_run_range(&w, 100, s.n_runs - 100, &b, &ran, &err), 0);
    assert_int_equal(ran, GD_BATCH_RUNS - 100);
    assert_int_equal(b.count, GD_BATCH_RUNS);
    assert_true(gd_batch_is_full(&b));
    unsetenv("GD_COMMIT_SECONDS");
    gd_worker_free(&w);
    gd_batch_free(&b);
    gd_sweep_free(&s);
}

/* The room the store reserves for a batch depends on which runs it holds, not on their
 * order: a range's runs come in block order (a store that counted a /runs chunk at each
 * change of chunk reserved tens of chunks for the four a 4,096-run range spans). */
static void test_room_of_a_range_is_its_runs(void **state)
{
    gd_sweep s;
    gd_batch by_id, by_block;
    gd_store *st = NULL;
    gd_error err = {{0}, 0};
    char path[] = "/tmp/gd_lanes_room_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    run_grid("[sweep]\nname = room\niterations = 3\n[problem q]\ntype = quadratic\n"
             "x0 = linspace(-3, 3, 1024)\n[optimizer gd]\nlr = 0.1, 0.2\n"
             "[optimizer adam]\nlr = 0.1, 0.2\n",
             &s, &by_id);
    run_grid_ranges(&s, &by_block);
    assert_int_equal(by_block.count, 4096);
    assert_true(by_block.desc[1].id != by_block.desc[0].id + 1); /* block order */
    assert_int_equal(gd_store_create(&st, path, &s, "test_lanes", &err), 0);
    gd_store_room a = gd_store_batch_room(st, &by_id), b = gd_store_batch_room(st, &by_block);
    assert_int_equal(a.file, b.file);
    assert_int_equal(a.journal, b.journal);
    gd_store_abandon(st);
    unlink(path);
    gd_batch_free(&by_block);
    free_grid_run(&s, &by_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanes_same_bits_as_alone),
        cmocka_unit_test(test_lanes_share_the_clock),
        cmocka_unit_test(test_range_stops_at_full_batch),
        cmocka_unit_test(test_room_of_a_range_is_its_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
