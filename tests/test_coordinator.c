/* test_coordinator.c - the coordinator without mpirun: a scripted fake transport with three
 * simulated workers (worker 0 "in this process", 1 and 2 "remote") that compute real runs.
 * Every run is committed exactly once (planned and id order), the commit cadence holds
 * (nothing committed early with a long cadence, everything at once with a tiny one), a
 * failure on any worker ends through the transport's abort exactly once, and a worker's
 * stop ends the sweep as interrupted with no more work handed out. */
#include "test_grid_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gdsweep/coordinator.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/selection.h"
#include "gdsweep/worker.h"

#define WORKERS 3
#define MAX_RUNS 64

/* 18 runs the plan believes expensive (a budget of 1e8 steps: each goes out alone, so
 * every worker gets some) that converge in a few dozen steps. */
static const char grid[] = "[sweep]\niterations = 100000000\nrecord_every = 10000000\n"
                           "grad_tol = 1e-6\n[problem q]\ntype = quadratic\n"
                           "x0 = 1, 2, 3, 4, 5, 6\n[optimizer gd]\nlr = 0.1, 0.2, 0.3\n";

static char tmpdir[64];

/* One simulated worker: its chunk and its script. */
typedef struct fake_worker {
    gd_worker w;
    uint64_t next, end;
    int asked, finished, done_sent;
} fake_worker;

/* The fake transport: the workers take turns, one message per receive; every third call
 * finds nothing (the coordinator naps). */
typedef struct fake {
    fake_worker workers[WORKERS];
    int n_workers;
    gd_store *st;
    int calls, turn, naps;
    int fail_worker, fail_after; /* worker fail_worker fails at its fail_after-th result */
    int stop_worker;             /* this worker is signalled after its first result */
    int results[WORKERS];
    int handed[MAX_RUNS];        /* how often each id was handed out */
    int chunks_after_stop;
    int stopped;
    int aborts;
    char abort_msg[GD_ERROR_MAX];
    int threaded;                /* batches written by the committer's writer thread */
    int writing_at_abort;        /* a batch was still being written or synced at the abort */
    uint64_t committed_at_abort;
    uint64_t results_seen;       /* runs delivered so far */
    int expect_pending;          /* 1: nothing is committed before the end; 0: all at once */
} fake;

static void check_cadence(fake *f, const gd_batch *into)
{
    if (f->threaded)
        return; /* a commit due while the writer is busy waits: any count */
    if (f->expect_pending)
        assert_int_equal(into->count, f->results_seen); /* long cadence: still pending */
    else
        assert_int_equal(into->count, 0); /* tiny cadence: committed at each result */
}

/* Worker k's next message, as the real ones behave: request, results, done. */
static int worker_message(fake *f, int k, gd_batch *into, gd_message *m, gd_error *err)
{
    fake_worker *w = &f->workers[k];
    m->worker = k;
    if (w->finished || w->next == w->end) {
        if (w->finished ? w->done_sent : w->asked)
            return 0;
        m->kind = w->finished ? GD_MSG_DONE : GD_MSG_REQUEST;
        w->done_sent |= w->finished;
        w->asked = !w->finished;
        return 1;
    }
    if (k == f->fail_worker && f->results[k] + 1 == f->fail_after)
        return gd_fail_runtime(err, "worker %d failed", k);
    if (k == f->stop_worker && f->results[k] == 1 && !f->stopped) {
        f->stopped = 1;
        w->finished = 1;
        m->kind = GD_MSG_STOP;
        return 1;
    }
    assert_int_equal(gd_worker_run(&w->w, w->next++, into, err), 0);
    f->results[k]++;
    f->results_seen++;
    m->kind = GD_MSG_RESULT;
    m->runs = 1;
    return 1;
}

/* The fake workers are slower than the disk: each message comes once the last commit's
 * background syncs are done, so a commit due by the clock is never put off for them
 * (gd_committer_tick; test_background_sync.py covers the putting off). */
static void wait_for_syncs(const fake *f)
{
    struct timespec nap = {0, 100000};
    while (gd_store_syncing(f->st))
        nanosleep(&nap, NULL);
}

static int fake_receive(void *ctx, gd_batch *into, gd_message *m, gd_error *err)
{
    fake *f = ctx;
    check_cadence(f, into);
    wait_for_syncs(f);
    if (++f->calls % 3 == 0)
        return 0;
    for (int i = 0; i < f->n_workers; i++) {
        int k = (f->turn + i) % f->n_workers;
        int got = worker_message(f, k, into, m, err);
        if (got != 0) {
            f->turn = k + 1;
            return got;
        }
    }
    return 0;
}

static void fake_send_chunk(void *ctx, int worker, uint64_t first, uint64_t count)
{
    fake *f = ctx;
    fake_worker *w = &f->workers[worker];
    assert_true(w->asked);
    w->asked = 0;
    w->finished = count == 0;
    w->next = first;
    w->end = first + count;
    f->chunks_after_stop += f->stopped && count > 0;
    if (count == 0 && f->stopped)
        assert_true(first == GD_CHUNK_INTERRUPTED);
    for (uint64_t id = first; id < first + count; id++)
        f->handed[id]++;
}

static void fake_nap(void *ctx, long nanoseconds)
{
    fake *f = ctx;
    assert_true(nanoseconds > 0 && nanoseconds <= 500000L);
    f->naps++;
}

static void fake_abort(void *ctx, const gd_error *err)
{
    fake *f = ctx;
    f->aborts++;
    f->writing_at_abort = gd_store_syncing(f->st);
    f->committed_at_abort = gd_store_committed(f->st);
    snprintf(f->abort_msg, sizeof f->abort_msg, "%s", err->msg);
}

static const gd_transport_ops fake_ops = {fake_receive, fake_send_chunk, fake_nap, fake_abort};

/* Runs the grid through the coordinator on the fake; returns gd_coordinate's status. */
static int coordinate(fake *f, gd_sweep *s, int workers, int planned, gd_drive_stats *stats,
                      gd_error *err)
{
    char path[128];
    gd_tally tally;
    gd_selection sel;
    f->n_workers = workers;
    snprintf(path, sizeof path, "%s/out%d.h5", tmpdir, f->fail_worker);
    unlink(path);
    assert_int_equal(gd_store_create(&f->st, path, s, "test", err), 0);
    assert_int_equal(gd_tally_init(&tally, s, NULL, err), 0);
    gd_selection_init(&sel, s, NULL, 0, 1);
    for (int k = 0; k < workers; k++)
        gd_worker_init(&f->workers[k].w, s, k);
    gd_transport t = {&fake_ops, f, workers};
    gd_coordination job = {&sel, f->st, &tally, 1, planned, f->threaded};
    int rc = gd_coordinate(&job, &t, stats, err);
    for (int k = 0; k < workers; k++)
        gd_worker_free(&f->workers[k].w);
    gd_tally_free(&tally);
    return rc;
}

static void close_store(fake *f)
{
    gd_error err = {{0}, 0};
    assert_int_equal(gd_store_close(f->st, 1.0, 1, &err), 0);
}

static fake *new_fake(void)
{
    fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->fail_worker = f->stop_worker = -1;
    gd_stop_flag = gd_abandon_flag = 0;
    return f;
}

/* Every run committed once, by every worker's share, with the given cadence. */
static void every_run_once(int workers, int planned, const char *cadence, int expect_pending)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    gd_drive_stats stats = {0};
    fake *f = new_fake();
    f->expect_pending = expect_pending;
    setenv("GD_COMMIT_SECONDS", cadence, 1);
    grid_ok(&s, grid, 0);
    assert_true(s.n_runs <= MAX_RUNS);
    assert_int_equal(coordinate(f, &s, workers, planned, &stats, &err), 0);
    assert_int_equal(stats.runs_done, s.n_runs);
    assert_int_equal(gd_store_committed(f->st), s.n_runs);
    for (uint64_t id = 0; id < s.n_runs; id++) {
        assert_int_equal(f->handed[id], 1);
        assert_true(gd_store_is_committed(f->st, id));
    }
    for (int k = 0; k < workers; k++)
        assert_true(f->results[k] > 0); /* every worker had a share */
    assert_int_equal(f->aborts, 0);
    assert_int_equal(stats.abandoned_ranks, 0);
    assert_true(f->naps > 0);
    close_store(f);
    gd_sweep_free(&s);
    free(f);
}

static void test_three_workers_planned_commit_every_run_once(void **state)
{
    (void)state;
    every_run_once(WORKERS, 1, "1e-9", 0);
    every_run_once(WORKERS, 1, "1000", 1);
}

static void test_one_worker_in_id_order_commits_every_run_once(void **state)
{
    (void)state;
    every_run_once(1, 0, "1e-9", 0);
    every_run_once(1, 0, "1000", 1);
}

/* A failure on worker k (0: this process's, 1 and 2: remote) goes through abort once. */
/* A worker's failure ends the sweep through the transport's abort, with the batch the
 * writer thread (threaded) was writing finished first: nothing writes the file after
 * the abort, and the stats count what the file holds. */
static void a_failure_ends_through_abort(int threaded)
{
    setenv("GD_COMMIT_SECONDS", "1e-9", 1);
    for (int k = 0; k < WORKERS; k++) {
        gd_sweep s;
        gd_error err = {{0}, 0};
        gd_drive_stats stats = {0};
        char want[64];
        fake *f = new_fake();
        f->fail_worker = k;
        f->fail_after = 2;
        f->threaded = threaded;
        grid_ok(&s, grid, 0);
        assert_int_equal(coordinate(f, &s, WORKERS, 1, &stats, &err), -1);
        snprintf(want, sizeof want, "worker %d failed", k);
        assert_int_equal(f->aborts, 1);
        assert_string_equal(f->abort_msg, want);
        assert_true(gd_store_committed(f->st) < s.n_runs);
        assert_false(f->writing_at_abort);
        assert_int_equal(f->committed_at_abort, gd_store_committed(f->st));
        assert_int_equal(stats.runs_done, gd_store_committed(f->st));
        close_store(f);
        gd_sweep_free(&s);
        free(f);
    }
}

static void test_a_failure_on_any_worker_ends_through_abort(void **state)
{
    (void)state;
    a_failure_ends_through_abort(0);
}

static void test_a_failure_with_a_batch_in_flight_ends_after_it(void **state)
{
    (void)state;
    a_failure_ends_through_abort(1);
}

/* A signalled worker: no chunk is handed out after its STOP, the sweep is interrupted,
 * and what arrived is committed. */
static void test_a_stop_on_a_worker_interrupts_the_sweep(void **state)
{
    (void)state;
    gd_sweep s;
    gd_error err = {{0}, 0};
    gd_drive_stats stats = {0};
    fake *f = new_fake();
    f->stop_worker = 2;
    setenv("GD_COMMIT_SECONDS", "1e-9", 1);
    grid_ok(&s, grid, 0);
    assert_int_equal(coordinate(f, &s, WORKERS, 1, &stats, &err), GD_SWEEP_INTERRUPTED);
    assert_int_equal(f->chunks_after_stop, 0);
    assert_int_equal(f->aborts, 0);
    assert_int_equal(gd_store_committed(f->st), f->results_seen);
    assert_true(f->results_seen < s.n_runs);
    close_store(f);
    gd_sweep_free(&s);
    free(f);
    gd_stop_flag = gd_abandon_flag = 0;
}

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gd_coordinator_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_workers_planned_commit_every_run_once),
        cmocka_unit_test(test_one_worker_in_id_order_commits_every_run_once),
        cmocka_unit_test(test_a_failure_on_any_worker_ends_through_abort),
        cmocka_unit_test(test_a_failure_with_a_batch_in_flight_ends_after_it),
        cmocka_unit_test(test_a_stop_on_a_worker_interrupts_the_sweep),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
