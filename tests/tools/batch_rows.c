/* batch_rows.c - prints the minibatch rows of one run of a grid (a tool of the e2e tests).
 *
 * Usage: batch_rows GRID RUN_ID T. Line t (0 <= t < T) holds the sample indices of the
 * batch iteration t of run RUN_ID uses, space-separated, as the run's sampler draws them
 * (minibatch.h); the first line is "N m" (samples, batch size; m = 0: full batch, then
 * nothing follows). Exit 2 with one line on bad input. */
#include "gdsweep/grid.h"
#include "gdsweep/minibatch.h"
#include "gdsweep/run.h"
#include "gdsweep/run_space.h"

/* The sampler's invariants are asserted in every build type (the tool aborts, the e2e
 * test that reads its output then fails): NDEBUG, set by Release builds, is lifted here. */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

static int print_rows(const gd_problem *p, const gd_run_desc *d, long iterations)
{
    size_t m = gd_run_batch_size(p, &d->control), n = p->type->samples(p);
    printf("%zu %zu\n", n, m);
    if (!m)
        return 0;
    size_t *scratch = malloc(gd_sampler_scratch(n, m, d->control.sampling) * sizeof *scratch);
    if (!scratch)
        return 1;
    gd_sampler s;
    gd_sampler_init(&s, d->key, n, m, d->control.sampling, scratch);
    for (long t = 0; t < iterations; t++) {
        size_t count = gd_sampler_rows(&s, (uint64_t)t);
        assert((count >= 1 && count <= m) && "a batch holds 1 to m rows");
        for (size_t q = 0; q < count; q++) {
            assert((s.rows[q] < n) && "every row is a sample of the table");
            printf(q ? " %zu" : "%zu", s.rows[q]);
        }
        printf("\n");
    }
    free(scratch);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: batch_rows GRID RUN_ID T\n");
        return 2;
    }
    gd_sweep s;
    gd_error err;
    gd_problem p = {0};
    gd_run_desc d;
    if (gd_sweep_load(&s, argv[1], 0, &err) != 0)
        return gd_error_print(&err, NULL);
    int rc = 2;
    if (gd_sweep_read_files(&s, &err) == 0) {
        gd_sweep_decode(&s, strtoull(argv[2], NULL, 10), &d);
        d.key = gd_sweep_instance_key(&s, &d);
        if (gd_sweep_setup_instance(&s, &d, &p, &err) == 0 && p.type->samples)
            rc = print_rows(&p, &d, strtol(argv[3], NULL, 10));
        else
            gd_error_print(&err, NULL);
    } else {
        gd_error_print(&err, NULL);
    }
    gd_problem_destroy(&p);
    gd_sweep_free(&s);
    return rc;
}
