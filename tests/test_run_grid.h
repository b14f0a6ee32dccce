/* test_run_grid.h - run every id of a grid text through a worker into a batch, as a sweep
 * does on one process, one at a time or in ranges (header-only, for tests that check
 * what runs record). */
#ifndef GDSWEEP_TEST_RUN_GRID_H
#define GDSWEEP_TEST_RUN_GRID_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/worker.h"

/* Parses text (failing the test if it is refused) into *s and runs every id into *b. */
static inline void run_grid(const char *text, gd_sweep *s, gd_batch *b)
{
    gd_worker w;
    gd_error err = {{0}, 0};
    memset(b, 0, sizeof *b);
    if (gd_sweep_parse(s, "grid.ini", text, strlen(text), 0, &err) != 0)
        fail_msg("%s", err.msg);
    gd_worker_init(&w, s, 0);
    for (uint64_t id = 0; id < s->n_runs; id++)
        assert_int_equal(gd_worker_run(&w, id, b, &err), 0);
    gd_worker_free(&w);
}

/* Runs every id of the parsed *s into *b as the drivers hand them to a worker: in
 * ranges (gd_worker_run_range), whose runs that fit go in lockstep blocks. */
static inline void run_grid_ranges(const gd_sweep *s, gd_batch *b)
{
    gd_worker w;
    gd_error err = {{0}, 0};
    uint64_t ran = 0;
    memset(b, 0, sizeof *b);
    gd_worker_init(&w, s, 0);
    for (uint64_t id = 0; id < s->n_runs; id += ran) {
        assert_int_equal(gd_worker_run_range(&w, id, s->n_runs - id, b, &ran, &err), 0);
        assert_true(ran >= 1);
    }
    gd_worker_free(&w);
}

static inline void free_grid_run(gd_sweep *s, gd_batch *b)
{
    gd_batch_free(b);
    gd_sweep_free(s);
}

#endif
