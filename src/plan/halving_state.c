/* halving_state.c - rank 0's state of a halving sweep: the rung each run's committed row
 * reached, which runs are alive, and the barrier between phases (halving.h). */
#include "gdsweep/halving.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/run_space.h"

#define LOAD_BLOCK 65536

int gd_halving_init(gd_halving *h, const gd_sweep *s, gd_error *err)
{
    uint64_t n = s->n_runs ? s->n_runs : 1;
    memset(h, 0, sizeof *h);
    h->sweep = s;
    h->reached = malloc(n);
    h->alive = malloc(n);
    h->loss = malloc(n * sizeof *h->loss);
    h->pruned = malloc(n * sizeof *h->pruned);
    if (!h->reached || !h->alive || !h->loss || !h->pruned) {
        gd_halving_free(h);
        return gd_fail_runtime(err, "out of memory for the rungs of %llu runs",
                               (unsigned long long)s->n_runs);
    }
    memset(h->reached, -1, n);
    memset(h->alive, 1, n);
    h->survivors[0] = s->n_runs;
    return 0;
}

void gd_halving_free(gd_halving *h)
{
    free(h->reached);
    free(h->alive);
    free(h->loss);
    free(h->group);
    free(h->pruned);
    memset(h, 0, sizeof *h);
}

/* The rung whose budget is `iterations`, or -1. */
static int rung_of(const gd_sweep *s, double iterations)
{
    for (size_t r = 0; r < s->n_rungs; r++)
        if ((double)s->rungs[r] == iterations)
            return (int)r;
    return -1;
}

/* Rows [first, first + n): written, iterations and loss_final cells in buf (3n). */
static int load_block(gd_halving *h, gd_store *st, uint64_t first, uint64_t n, double *buf,
                      gd_error *err)
{
    if (gd_store_read_column(st, "written", first, n, buf, err) != 0 ||
        gd_store_read_column(st, "iterations", first, n, buf + n, err) != 0 ||
        gd_store_read_column(st, "loss_final", first, n, buf + 2 * n, err) != 0)
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        int r = buf[i] == 1 ? rung_of(h->sweep, buf[n + i]) : -1;
        if (buf[i] == 1 && r < 0)
            return gd_fail_runtime(err, "run %llu: iterations %g is no rung of the grid "
                                   "(corrupt file?)", (unsigned long long)(first + i),
                                   buf[n + i]);
        h->reached[first + i] = (int8_t)r;
        h->loss[first + i] = buf[2 * n + i];
    }
    return 0;
}

int gd_halving_load(gd_halving *h, gd_store *st, gd_error *err)
{
    double *buf = malloc(3 * LOAD_BLOCK * sizeof *buf);
    int rc = buf ? 0 : gd_fail_runtime(err, "out of memory");
    for (uint64_t first = 0; rc == 0 && first < h->sweep->n_runs; first += LOAD_BLOCK) {
        uint64_t n = h->sweep->n_runs - first;
        rc = load_block(h, st, first, n < LOAD_BLOCK ? n : LOAD_BLOCK, buf, err);
    }
    free(buf);
    return rc;
}

int gd_halving_skip(const gd_halving *h, uint64_t id)
{
    return !h->alive[id] || h->reached[id] >= (int)h->rung;
}

uint64_t gd_halving_todo(const gd_halving *h)
{
    uint64_t n = 0;
    for (uint64_t id = 0; id < h->sweep->n_runs; id++)
        n += !gd_halving_skip(h, id);
    return n;
}

/* The alive runs of [first, end) into h->group; -1 when one has no row at this rung. */
static int gather(gd_halving *h, uint64_t first, uint64_t end, size_t *n, gd_error *err)
{
    gd_halving_run *g = realloc(h->group, (size_t)(end - first) * sizeof *g);
    if (!g)
        return gd_fail_runtime(err, "out of memory for a group of %llu runs",
                               (unsigned long long)(end - first));
    h->group = g;
    *n = 0;
    for (uint64_t id = first; id < end; id++) {
        if (!h->alive[id])
            continue;
        if (h->reached[id] < (int)h->rung)
            return gd_fail_runtime(err, "run %llu has no result at rung %zu yet",
                                   (unsigned long long)id, h->rung);
        g[(*n)++] = (gd_halving_run){id, h->loss[id], h->reached[id] > (int)h->rung};
    }
    return 0;
}

/* One group's barrier: the runs that do not go on are appended to h->pruned. */
static int promote_group(gd_halving *h, uint64_t first, uint64_t end, size_t *n_pruned,
                         gd_error *err)
{
    size_t n = 0;
    if (gather(h, first, end, &n, err) != 0)
        return -1;
    size_t keep = gd_halving_choose(h->group, n, h->sweep->halving);
    for (size_t i = keep; i < n; i++) {
        h->alive[h->group[i].id] = 0;
        h->pruned[(*n_pruned)++] = h->group[i].id;
    }
    h->survivors[h->rung + 1] += keep;
    return 0;
}

int gd_halving_promote(gd_halving *h, gd_store *st, gd_error *err)
{
    const gd_sweep *s = h->sweep;
    size_t n_pruned = 0;
    h->survivors[h->rung + 1] = 0;
    for (uint64_t id = 0; id < s->n_runs;) {
        uint64_t end = gd_space_group_end(s, id, GD_SPACE_PAIR);
        if (promote_group(h, id, end, &n_pruned, err) != 0)
            return -1;
        id = end;
    }
    h->rung++;
    return gd_store_mark_pruned(st, h->pruned, n_pruned, err);
}
