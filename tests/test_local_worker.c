/* test_local_worker.c - rank 0's compute thread and its mailbox: the thread runs the
 * chunks it is given and ends on an empty one; its requests and finished batches wake the
 * coordinator's nap at once, and with nothing pending the nap lasts its time. */
#include "test_grid_util.h"

#include <time.h>

#include "gdsweep/local_worker.h"

#define LONG_NAP 2000000000L /* 2 s: a nap that must be cut short */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Naps (LONG_NAP each) until done(lw) holds; fails unless that takes under 1 s. */
static void nap_until(gd_local_worker *lw, int (*done)(gd_local_worker *))
{
    double t0 = now();
    while (!done(lw)) {
        gd_local_worker_nap(lw, LONG_NAP);
        assert_true(now() - t0 < 1.0);
    }
}

static int has_batch(gd_local_worker *lw)
{
    return gd_local_worker_take_batch(lw) != NULL;
}

static void test_requests_and_batches_wake_the_nap(void **state)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    gd_local_worker lw;
    grid_ok(&s, "[problem q]\ntype = quadratic\nx0 = 1, 2, 3\n[optimizer gd]\n", 0);
    assert_int_equal(s.n_runs, 3);
    assert_int_equal(gd_local_worker_start(&lw, &s, 0, &err), 0);
    nap_until(&lw, gd_local_worker_wants_chunk); /* the thread asks as soon as it starts */
    double t0 = now();
    gd_local_worker_nap(&lw, LONG_NAP); /* a pending request: no sleep at all */
    assert_true(now() - t0 < 0.5);
    gd_local_worker_give_chunk(&lw, 0, 3);
    nap_until(&lw, has_batch);
    gd_batch *b = gd_local_worker_take_batch(&lw);
    assert_int_equal(b->count, 3);
    gd_local_worker_release_batch(&lw);
    nap_until(&lw, gd_local_worker_wants_chunk);
    gd_local_worker_give_chunk(&lw, 0, 0); /* no more work: the thread ends */
    nap_until(&lw, gd_local_worker_exited);
    assert_int_equal(lw.runs, 3);
    t0 = now();
    gd_local_worker_nap(&lw, 50000000L); /* nothing pending: the whole 50 ms */
    assert_true(now() - t0 >= 0.045);
    assert_int_equal(gd_local_worker_join(&lw, &err), 0);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_and_batches_wake_the_nap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
