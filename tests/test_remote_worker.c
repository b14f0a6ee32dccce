/* test_remote_worker.c - a worker rank's loop without mpirun: a fake transport answers its
 * asks with scripted chunks of a real grid and records what comes back. Every run of the
 * chunks comes back once, in batches (a full one splits a chunk, a chunk ends its batch),
 * with the next chunk asked ahead; an "interrupted" answer or a signal here ends the loop
 * (a signal says STOP and drops the chunk asked ahead); a failed run or send ends through
 * the transport's abort, once, without DONE. */
#include "test_grid_util.h"

#include <stdlib.h>

#include "gdsweep/committer.h"
#include "gdsweep/coordinator.h"
#include "gdsweep/driver.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/problem.h"
#include "gdsweep/remote_worker.h"

#define MAX_ANSWERS 8
#define MAX_BATCHES 16
#define POLLS 2 /* take_chunk says "not yet" this many times per ask: the worker naps */

/* 4200 quick runs: a chunk of more than GD_BATCH_RUNS (4096) fills a batch. */
static const char big_grid[] = "[sweep]\niterations = 20\nrecord_every = 10\n[problem q]\n"
                               "type = quadratic\nx0 = 1, 2, 3\n[optimizer gd]\n"
                               "lr = linspace(0.01, 0.3, 1400)\n";

static const char small_grid[] = "[sweep]\niterations = 20\n[problem q]\ntype = quadratic\n"
                                 "x0 = 1, 2, 3, 4\n[optimizer gd]\nlr = 0.1, 0.2, 0.3\n";

/* Runs of problem "broken" fail at their instance's setup (see refuse_setup). */
static const char broken_grid[] = "[sweep]\niterations = 20\n[problem q]\ntype = quadratic\n"
                                  "x0 = 1, 2\n[problem broken]\ntype = quadratic\n"
                                  "x0 = 3, 4\n[optimizer gd]\nlr = 0.1, 0.2\n";

/* The coordinator's side, scripted: its answers in order (then "no more work"), and what
 * the worker sent. Every operation fails the test when called after DONE or the abort. */
typedef struct fake {
    uint64_t answers[MAX_ANSWERS][2]; /* {first, count} */
    int n_answers, answered;
    int asked;                        /* an ask is unanswered */
    int aheads[MAX_ANSWERS + 2], asks;
    int polls_left, naps;
    int signal_at_ask;                /* this ask (1-based) raises the stop flag; 0: none */
    int fail_send;                    /* send_results fails */
    uint64_t n_runs;
    int *sent;                        /* per run id: how often its result came back */
    size_t batches[MAX_BATCHES];      /* runs in each batch sent */
    int n_batches;
    int stops, dones, aborts;
    char abort_msg[GD_ERROR_MAX];
    gd_worker_profile profile;
} fake;

static void still_running(const fake *f)
{
    assert_int_equal(f->dones, 0);
    assert_int_equal(f->aborts, 0);
}

static void fake_ask(void *ctx, int ahead)
{
    fake *f = ctx;
    still_running(f);
    assert_false(f->asked); /* one ask at a time */
    assert_true(f->asks < MAX_ANSWERS + 2);
    f->asked = 1;
    f->aheads[f->asks++] = ahead;
    if (f->asks == f->signal_at_ask)
        gd_stop_flag = 1;
}

static int fake_take_chunk(void *ctx, uint64_t *first, uint64_t *count)
{
    fake *f = ctx;
    still_running(f);
    assert_true(f->asked);
    if (f->polls_left-- > 0)
        return 0;
    f->polls_left = POLLS;
    f->asked = 0;
    int more = f->answered < f->n_answers;
    *first = more ? f->answers[f->answered][0] : 0;
    *count = more ? f->answers[f->answered][1] : 0;
    f->answered += more;
    return 1;
}

static void fake_nap(void *ctx, long nanoseconds)
{
    fake *f = ctx;
    still_running(f);
    assert_true(nanoseconds > 0 && nanoseconds <= 1000000L); /* short: a worker waits */
    f->naps++;
}

static int fake_send_results(void *ctx, const gd_batch *b, gd_error *err)
{
    fake *f = ctx;
    still_running(f);
    assert_int_equal(f->stops, 0); /* a stopped worker has sent its results before STOP */
    if (f->fail_send)
        return gd_fail_runtime(err, "cannot send");
    assert_true(b->count > 0 && b->count <= GD_BATCH_RUNS);
    assert_true(f->n_batches < MAX_BATCHES);
    f->batches[f->n_batches++] = b->count;
    for (size_t i = 0; i < b->count; i++) {
        assert_true(b->desc[i].id < f->n_runs);
        f->sent[b->desc[i].id]++;
    }
    return 0;
}

static void fake_send_stop(void *ctx)
{
    fake *f = ctx;
    still_running(f);
    f->stops++;
}

static void fake_send_done(void *ctx)
{
    fake *f = ctx;
    still_running(f);
    f->dones++;
}

static void fake_abort(void *ctx, const gd_error *err)
{
    fake *f = ctx;
    still_running(f);
    f->aborts++;
    snprintf(f->abort_msg, sizeof f->abort_msg, "%s", err->msg);
}

static const gd_worker_transport_ops fake_ops = {fake_ask,       fake_take_chunk,
                                                 fake_nap,       fake_send_results,
                                                 fake_send_stop, fake_send_done,
                                                 fake_abort};

/* A fake that answers with the chunks {first, count, first, count, ...} (n values). */
static fake *new_fake(const uint64_t *chunks, int n)
{
    fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_true(n % 2 == 0 && n / 2 <= MAX_ANSWERS);
    for (int i = 0; i < n / 2; i++) {
        f->answers[i][0] = chunks[2 * i];
        f->answers[i][1] = chunks[2 * i + 1];
    }
    f->n_answers = n / 2;
    f->polls_left = POLLS;
    gd_stop_flag = gd_abandon_flag = 0;
    return f;
}

/* Runs the worker loop of rank 1 over the fake; returns its status. */
static int work(fake *f, const gd_sweep *s, gd_error *err)
{
    f->n_runs = s->n_runs;
    f->sent = calloc(s->n_runs, sizeof *f->sent);
    assert_non_null(f->sent);
    gd_worker_transport t = {&fake_ops, f};
    int rc = gd_remote_work(s, 1, &t, &f->profile, err);
    gd_stop_flag = gd_abandon_flag = 0;
    return rc;
}

/* Each run in [first, end) came back `times` times. */
static void assert_sent(const fake *f, uint64_t first, uint64_t end, int times)
{
    for (uint64_t id = first; id < end; id++)
        assert_int_equal(f->sent[id], times);
}

static void free_fake(fake *f)
{
    free(f->sent);
    free(f);
}

static void test_every_run_comes_back_once_in_batches(void **state)
{
    (void)state;
    gd_sweep s;
    gd_error err = {{0}, 0};
    grid_ok(&s, big_grid, 0);
    assert_int_equal(s.n_runs, 4200);
    uint64_t chunks[] = {0, 4100, GD_CHUNK_LATER, 0, 4100, 3, 4103, 97};
    fake *f = new_fake(chunks, 8);
    assert_int_equal(work(f, &s, &err), 0);
    assert_sent(f, 0, s.n_runs, 1);
    assert_int_equal(f->n_batches, 4); /* a full batch, then each chunk's end */
    assert_int_equal(f->batches[0], GD_BATCH_RUNS);
    assert_int_equal(f->batches[1], 4100 - GD_BATCH_RUNS);
    assert_int_equal(f->batches[2], 3);
    assert_int_equal(f->batches[3], 97);
    /* asks ahead once a chunk has come; after "later", asks again as idle */
    int aheads[] = {0, 1, 0, 1, 1};
    assert_int_equal(f->asks, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(f->aheads[i], aheads[i]);
    assert_int_equal(f->naps, POLLS * f->asks);
    assert_int_equal(f->dones, 1);
    assert_int_equal(f->stops, 0);
    assert_int_equal(f->aborts, 0);
    assert_int_equal(f->profile.chunks, 3);
    assert_int_equal(f->profile.runs, s.n_runs);
    free_fake(f);
    gd_sweep_free(&s);
}

/* The coordinator answers "interrupted": the worker says DONE and takes no more. */
static void test_an_interrupted_answer_ends_the_loop(void **state)
{
    (void)state;
    gd_sweep s;
    gd_error err = {{0}, 0};
    grid_ok(&s, small_grid, 0);
    uint64_t chunks[] = {0, 5, GD_CHUNK_INTERRUPTED, 0, 5, 7};
    fake *f = new_fake(chunks, 6);
    assert_int_equal(work(f, &s, &err), GD_SWEEP_INTERRUPTED);
    assert_int_equal(f->answered, 2);
    assert_int_equal(f->asks, 2);
    assert_sent(f, 0, 5, 1);
    assert_sent(f, 5, s.n_runs, 0);
    assert_int_equal(f->dones, 1);
    assert_int_equal(f->stops, 0);
    assert_int_equal(f->aborts, 0);
    free_fake(f);
    gd_sweep_free(&s);
}

/* A signal while a chunk is asked ahead: the next chunk is not run, the worker says STOP,
 * takes the answer to its ahead ask without running it, and says DONE. */
static void test_a_signal_says_stop_and_drops_the_chunk_asked_ahead(void **state)
{
    (void)state;
    gd_sweep s;
    gd_error err = {{0}, 0};
    grid_ok(&s, small_grid, 0);
    uint64_t chunks[] = {0, 5, 5, 5, 10, 2};
    fake *f = new_fake(chunks, 6);
    f->signal_at_ask = 3; /* the ask made ahead of the second chunk's runs */
    assert_int_equal(work(f, &s, &err), GD_SWEEP_INTERRUPTED);
    assert_sent(f, 0, 5, 1);
    assert_sent(f, 5, s.n_runs, 0);
    assert_int_equal(f->n_batches, 1);
    assert_int_equal(f->stops, 1);
    assert_int_equal(f->answered, 3);
    assert_int_equal(f->asks, 3);
    assert_int_equal(f->dones, 1);
    assert_int_equal(f->aborts, 0);
    free_fake(f);
    gd_sweep_free(&s);
}

static int refuse_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                        gd_rng_key key, gd_error *err)
{
    (void)p, (void)files, (void)pp, (void)key;
    return gd_fail_runtime(err, "no memory for the instance");
}

/* The first run of problem "broken" in s. */
static uint64_t first_broken_run(const gd_sweep *s)
{
    gd_run_desc d;
    for (uint64_t id = 0; id < s->n_runs; id++) {
        gd_sweep_decode(s, id, &d);
        if (strcmp(s->problems[d.problem].label, "broken") == 0)
            return id;
    }
    fail_msg("no run of problem broken");
    return 0;
}

/* A run that fails in the worker: the abort says which, once; no DONE, no hang. */
static void test_a_failed_run_is_reported_through_abort(void **state)
{
    (void)state;
    gd_sweep s;
    gd_error err = {{0}, 0};
    grid_ok(&s, broken_grid, 0);
    assert_string_equal(s.problems[1].label, "broken");
    gd_problem_type refusing = *s.problems[1].type;
    refusing.setup = refuse_setup;
    s.problems[1].type = &refusing;
    uint64_t k = first_broken_run(&s);
    assert_true(k > 0 && k < s.n_runs);
    uint64_t chunks[] = {0, k, k, s.n_runs - k};
    fake *f = new_fake(chunks, 4);
    assert_int_equal(work(f, &s, &err), -1);
    assert_int_equal(f->aborts, 1);
    assert_non_null(strstr(f->abort_msg, "(problem broken): no memory for the instance"));
    assert_string_equal(err.msg, f->abort_msg);
    assert_int_equal(f->dones, 0);
    assert_sent(f, 0, k, 1);
    assert_sent(f, k, s.n_runs, 0);
    assert_int_equal(f->answered, 2);
    free_fake(f);
    gd_sweep_free(&s);
}

/* A batch the transport cannot send: the abort carries its error; no DONE. */
static void test_a_failed_send_is_reported_through_abort(void **state)
{
    (void)state;
    gd_sweep s;
    gd_error err = {{0}, 0};
    grid_ok(&s, small_grid, 0);
    uint64_t chunks[] = {0, 5, 5, 5};
    fake *f = new_fake(chunks, 4);
    f->fail_send = 1;
    assert_int_equal(work(f, &s, &err), -1);
    assert_int_equal(f->aborts, 1);
    assert_string_equal(f->abort_msg, "cannot send");
    assert_int_equal(f->dones, 0);
    assert_int_equal(f->answered, 1);
    free_fake(f);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_run_comes_back_once_in_batches),
        cmocka_unit_test(test_an_interrupted_answer_ends_the_loop),
        cmocka_unit_test(test_a_signal_says_stop_and_drops_the_chunk_asked_ahead),
        cmocka_unit_test(test_a_failed_run_is_reported_through_abort),
        cmocka_unit_test(test_a_failed_send_is_reported_through_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
