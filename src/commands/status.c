/* status.c - `gdsweep status OUT.h5` (see gdsweep/status.h). Reads only: it never takes
 * the writer's lock, it only says who holds it. */
#include "gdsweep/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gdsweep/error.h"
#include "gdsweep/flags.h"
#include "gdsweep/format.h"
#include "gdsweep/grid.h"
#include "gdsweep/out_lock.h"
#include "gdsweep/selection.h"
#include "gdsweep/store_read.h"

#define BLOCK 65536
#define STATUS_WIDTH 16

typedef struct counts {
    uint64_t in_shard, committed, converged, max_iter, diverged, pruned;
    int rungs_left;          /* a halving sweep whose rungs have not all run */
} counts;

static void count_block(const double *written, const char *status, uint64_t first, uint64_t n,
                        uint64_t shard, uint64_t shards, uint64_t group, counts *c)
{
    for (uint64_t i = 0; i < n; i++) {
        if (shards > 1 && gd_shard_of(first + i, group, shards) != shard)
            continue;
        c->in_shard++;
        if (written[i] != 1)
            continue;
        c->committed++;
        const char *st = status + i * STATUS_WIDTH;
        c->converged += !strcmp(st, "converged");
        c->diverged += !strcmp(st, "diverged");
        c->max_iter += !strcmp(st, "max_iter");
        c->pruned += !strcmp(st, "pruned");
    }
}

static int count_runs(gd_reader *r, uint64_t shard, uint64_t shards, counts *c, gd_error *err)
{
    uint64_t rows = gd_reader_rows(r), group = gd_shard_group(rows, shards);
    double *written = malloc(BLOCK * sizeof *written);
    char *status = malloc(BLOCK * STATUS_WIDTH);
    int rc = written && status ? 0 : gd_fail_runtime(err, "out of memory");
    for (uint64_t first = 0; rc == 0 && first < rows; first += BLOCK) {
        uint64_t n = rows - first < BLOCK ? rows - first : BLOCK;
        rc = gd_reader_column_f64(r, GD_COL_WRITTEN, first, n, written, err);
        if (rc == 0)
            rc = gd_reader_column_text(r, "status", first, n, status, STATUS_WIDTH, err);
        if (rc == 0)
            count_block(written, status, first, n, shard, shards, group, c);
    }
    free(written);
    free(status);
    return rc;
}

/* 1 for a successive-halving sweep (docs/GRID.md) that has not run every rung: its rows
 * are all committed after the first rung, so only the file's `complete` says. */
static int rungs_left(gd_reader *r)
{
    char *text = NULL;
    double complete = 0;
    gd_error ignored;
    gd_sweep s;
    memset(&s, 0, sizeof s);
    if (gd_reader_attr_text(r, GD_ATTR_GRID_TEXT, &text, &ignored) < 0 || !text)
        return 0;
    int halving = gd_sweep_parse(&s, "grid", text, strlen(text), 1, &ignored) == 0 && s.halving;
    gd_sweep_free(&s);
    free(text);
    return halving && (gd_reader_attr_number(r, GD_ATTR_COMPLETE, &complete, &ignored) < 0 ||
                       complete != 1);
}

static int is_complete(const counts *c)
{
    return c->committed == c->in_shard && !c->rungs_left;
}

static void print_status(gd_reader *r, const char *path, const counts *c, uint64_t shard,
                         uint64_t shards, int locked)
{
    char *name = NULL, *hash = NULL, *grid = NULL;
    gd_error ignored;
    gd_reader_attr_text(r, GD_ATTR_NAME, &name, &ignored);
    gd_reader_attr_text(r, GD_ATTR_GRID_HASH, &hash, &ignored);
    gd_reader_attr_text(r, GD_ATTR_GRID_PATH, &grid, &ignored);
    printf("%s: sweep %s, grid %s (sha256 %.16s)\n", path, name ? name : "?",
           grid ? grid : "?", hash ? hash : "?");
    if (shards > 1)
        printf("shard %llu/%llu of the grid's %llu runs\n", (unsigned long long)shard + 1,
               (unsigned long long)shards, (unsigned long long)gd_reader_rows(r));
    printf("runs: %llu committed, %llu pending, of %llu\n", (unsigned long long)c->committed,
           (unsigned long long)(c->in_shard - c->committed), (unsigned long long)c->in_shard);
    printf("by status: %llu converged, %llu hit the budget, %llu diverged",
           (unsigned long long)c->converged, (unsigned long long)c->max_iter,
           (unsigned long long)c->diverged);
    if (c->pruned)
        printf(", %llu pruned at a rung", (unsigned long long)c->pruned);
    printf("\n");
    if (c->rungs_left)
        printf("rungs: not every rung of successive halving has run\n");
    if (is_complete(c))
        printf("state: complete\n");
    else if (locked)
        printf("state: being written (resume it only if its writer dies)\n");
    else
        printf("state: resumable: gdsweep %s --resume -o %s%s\n", grid ? grid : "GRID.ini",
               path, shards > 1 ? " --shard K/N (as above)" : "");
    free(name);
    free(hash);
    free(grid);
}

/* A running sweep's pace: runs committed since its writing session began (the file's
 * session attributes) over the time since, and the pending runs at that pace. */
static void print_pace(gd_reader *r, const counts *c)
{
    double start, at_start;
    gd_error ignored;
    if (gd_reader_attr_number(r, GD_ATTR_SESSION_START, &start, &ignored) < 0 ||
        gd_reader_attr_number(r, GD_ATTR_SESSION_RUNS, &at_start, &ignored) < 0)
        return; /* written by an older gdsweep */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double elapsed = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec - start;
    double done = (double)c->committed - at_start;
    if (!(elapsed > 0) || !(done > 0)) {
        printf("pace: no run committed yet in this session (%.0f s)\n", elapsed > 0 ? elapsed : 0);
        return;
    }
    double rate = done / elapsed, eta = (double)(c->in_shard - c->committed) / rate;
    time_t end = now.tv_sec + (time_t)eta;
    char at[32];
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&end));
    printf("pace: %.4g runs/s over this session's %.0f s; about %.0f s left (ETA %s)\n",
           rate, elapsed, eta, at);
}

/* ---- the command line ---------------------------------------------------------------- */

#define USAGE "usage: gdsweep status OUT.h5"

static const gd_flag status_flag[] = {{"help", 'h', NULL, "this text"}};
static const gd_flags status_flags = {"gdsweep status", status_flag, 1};

typedef struct status_args {
    const char *path;
    int help;
} status_args;

/* The file name or --help into the status_args at into (a gd_flag_take). */
static int take(void *into, const gd_flag *f, const char *spelled, const char *value,
                gd_error *err)
{
    status_args *a = into;
    (void)spelled;
    if (f) {
        a->help = 1;
        return 0;
    }
    if (a->path)
        return gd_fail(err, "one file only (got '%s' and '%s'); " USAGE, a->path, value);
    a->path = value;
    return 0;
}

static int parse_args(int argc, char **argv, status_args *a, gd_error *err)
{
    memset(a, 0, sizeof *a);
    if (gd_flags_parse(&status_flags, argc, argv, take, a, err) != 0)
        return -1;
    if (!a->help && !a->path)
        return gd_fail(err, USAGE);
    return 0;
}

static void print_help(void)
{
    puts(USAGE "\n"
         "\n"
         "How far a sweep's file is: runs committed and pending, by status, and who writes it;\n"
         "while a sweep writes it, its pace and the time left. Reads a file being written\n"
         "(only committed runs; the writer's commits wait while it reads).");
    gd_flags_print(stdout, &status_flags);
    puts("Exit status: 0 complete, 2 bad file or command line, 3 not complete (resumable).");
}

/* ---- the command ------------------------------------------------------------------------ */

static int report(const char *path)
{
    gd_error err = {.exit_code = GD_EXIT_USAGE};
    gd_reader *r = NULL;
    counts c = {0};
    char writer[GD_ERROR_MAX / 2];
    int locked = gd_out_lock_holder(path, writer, sizeof writer);
    if (gd_reader_open(&r, path, &err) != 0) {
        if (locked)
            gd_error_append(&err, "its writer is %s", writer);
        return gd_error_print(&err, NULL);
    }
    if (locked)
        printf("writer: %s holds %s.lock: a sweep or merge is writing the file now, the "
               "counts below are a snapshot\n", writer, path);
    uint64_t shard = 0, shards = 1;
    int rc = gd_reader_shard(r, &shard, &shards, &err);
    if (rc == 0)
        rc = count_runs(r, shard, shards, &c, &err);
    c.rungs_left = rc == 0 && rungs_left(r);
    if (rc == 0)
        print_status(r, path, &c, shard, shards, locked);
    if (rc == 0 && locked && c.committed < c.in_shard)
        print_pace(r, &c);
    gd_reader_close(r);
    if (rc != 0)
        return gd_error_print(&err, NULL);
    return is_complete(&c) ? GD_EXIT_OK : GD_EXIT_INTERRUPTED;
}

int gd_status_main(int argc, char **argv)
{
    status_args a;
    gd_error err = {.exit_code = GD_EXIT_USAGE};
    if (parse_args(argc, argv, &a, &err) != 0)
        return gd_error_print(&err, NULL);
    if (a.help) {
        print_help();
        return GD_EXIT_OK;
    }
    return report(a.path);
}
