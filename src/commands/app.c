/* app.c - the gdsweep command: the table of commands, the sweep itself, its exit codes.
 *
 * Every rank runs this. Order of a sweep: parse the command line, rank 0 loads and
 * validates the whole grid and checks the output target, the other ranks parse the same
 * text; only then does rank 0 take OUT's lock (gdsweep/out_lock.h), check again and create
 * the file, or reopen it read-only with --resume and check it all before it writes. So
 * any bad input exits 2 with one line on stderr (from rank 0) and leaves every file as
 * it was. The lock goes when the process ends, however it ends but SIGKILL. */
#include "gdsweep/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "gdsweep/cli.h"
#include "gdsweep/crash_watch.h"
#include "gdsweep/grid.h"
#include "gdsweep/halving.h"
#include "gdsweep/inject.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/merge.h"
#include "gdsweep/out_lock.h"
#include "gdsweep/override.h"
#include "gdsweep/selection.h"
#include "gdsweep/status.h"
#include "gdsweep/summary.h"
#include "gdsweep/parallel.h"
#include "gdsweep/report.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"
#include "gdsweep/threads.h"

static int sweep_main(int argc, char **argv);

/* Every command, the sweep last (Lua linit.c style): the usage is made from it too. */
static const gd_cli_command commands[] = {
    {"status", gd_status_main, "status OUT.h5"},
    {"summary", gd_summary_main,
     "summary OUT.h5 [--csv] [--metric COLUMN] [--mode min|max] [--target 1e-K]"},
    {"merge", gd_merge_main, "merge OUT.h5 SHARD.h5... [--overwrite]"},
    {NULL, sweep_main, "GRID.ini [LABEL.KEY=VALUE...] [-o OUT.h5] [--dry-run [-v]]\n"
                       "[--check-problems] [--overwrite] [--threads N] [--quiet]\n"
                       "[--allow-huge] [--resume] [--grace S] [--shard K/N]"},
};

/* Rank 0 prints err; every rank returns its exit status. */
static int report_error(const gd_error *err)
{
    if (gd_par_rank() == 0)
        return gd_error_print(err, NULL);
    return err->exit_code ? err->exit_code : GD_EXIT_RUNTIME;
}

static void print_summary(const gd_cli *c, const char *out, const gd_tally *t,
                          const gd_drive_stats *st)
{
    uint64_t by[3];
    gd_tally_status_totals(t, by);
    printf("wrote %s: %llu runs in %.3f s (%.0f runs/s, %d ranks x %d threads, %.3f s "
           "writing HDF5, %.3f s waited for it): %llu converged, %llu hit the budget, %llu "
           "diverged\n",
           out, (unsigned long long)st->runs_done, st->wall_seconds,
           st->wall_seconds > 0 ? (double)st->runs_done / st->wall_seconds : 0.0,
           gd_par_size(), omp_get_max_threads(), st->io_seconds, st->commit_wait,
           (unsigned long long)by[2], (unsigned long long)by[1], (unsigned long long)by[0]);
    if (getenv("GD_PROFILE"))
        gd_store_print_commit_profile(&st->commits);
    if (!c->quiet)
        gd_tally_print(t, stdout);
}

static void configure_threads(const gd_cli *c)
{
    int local = gd_par_local_size();
    int threads = gd_threads_choose(c->threads, local);
    char warning[256];
    omp_set_num_threads(threads);
    if (gd_par_rank() == 0 && gd_threads_warning(threads, local, warning, sizeof warning))
        gd_note_print("warning: %s", warning);
}

/* The output of this job: -o, else the grid's; a shard's gets "-shard-K-of-N" before
 * its extension. */
static void output_path(const gd_cli *c, const gd_sweep *s, char *out, size_t size)
{
    const char *base = c->output ? c->output : s->output;
    if (!c->shards || c->output) {
        snprintf(out, size, "%s", base);
        return;
    }
    const char *dot = strrchr(base, '.');
    int stem = dot && !strchr(dot, '/') ? (int)(dot - base) : (int)strlen(base);
    snprintf(out, size, "%.*s-shard-%llu-of-%llu%s", stem, base, c->shard, c->shards,
             base + stem);
}

static int check_resumed_shard(const gd_cli *c, gd_store *st, const char *out, gd_error *err)
{
    uint64_t k, n, shard = c->shards ? c->shard - 1 : 0, shards = c->shards ? c->shards : 1;
    gd_store_shard(st, &k, &n);
    if (k == shard && n == shards)
        return 0;
    return gd_fail(err, "%s holds shard %llu/%llu of the grid; resume it with --shard "
                   "%llu/%llu", out, (unsigned long long)k + 1, (unsigned long long)n,
                   (unsigned long long)k + 1, (unsigned long long)n);
}

/* What may be written at all, before OUT's lock is taken (so that no lock file is made
 * beside a device or the grid): not the grid itself, not a device, FIFO or directory. */
static int check_output_path(const gd_cli *c, const char *out, gd_error *err)
{
    if (gd_store_same_file(out, c->grid))
        return gd_fail(err, "%s is the grid file %s; write the output under another name",
                       out, c->grid);
    return c->resume ? 0 : gd_store_check_target(out, c->overwrite, err);
}

/* Rank 0, holding OUT's lock: reopens OUT with --resume (read-only until every check
 * passed: see run_job), else checks the target again (another writer may have made it
 * before we held the lock) and creates it. */
static int open_locked(const gd_cli *c, const gd_sweep *s, const char *out, gd_store **st,
                       gd_error *err)
{
    uint64_t shard = c->shards ? c->shard - 1 : 0, shards = c->shards ? c->shards : 1;
    if (c->resume)
        return gd_store_reopen(st, out, s, err) == 0 ? check_resumed_shard(c, *st, out, err)
                                                    : -1;
    int rc = gd_store_check_target(out, c->overwrite, err);
    if (rc == 0)
        rc = gd_store_create(st, out, s, c->command_line, err);
    if (rc == 0 && shards > 1)
        rc = gd_store_set_shard(*st, shard, shards, err);
    return rc;
}

/* Rank 0 takes OUT's lock and opens the output; every rank learns the outcome. On a
 * failure nothing of OUT was written, and the lock goes when the process ends. */
/* A signal came while the grid was read or checked: nothing is written. */
static int stopped_before_start(const char *out, gd_error *err)
{
    gd_fail(err, "interrupted before the sweep started; %s was not touched", out);
    err->exit_code = GD_EXIT_INTERRUPTED;
    return -1;
}

static int open_store(const gd_cli *c, const gd_sweep *s, const char *out, gd_store **st,
                      gd_error *err)
{
    int rc = 0;
    char note[GD_PATH_MAX + 160];
    if (gd_par_rank() == 0) {
        rc = gd_interrupt_stop() ? stopped_before_start(out, err) : 0;
        if (rc == 0)
            rc = check_output_path(c, out, err);
        if (rc == 0)
            rc = gd_out_lock_take(out, c->command_line, note, sizeof note, err);
        if (rc == 0 && note[0])
            gd_note_print("%s", note);
        if (rc == 0)
            rc = open_locked(c, s, out, st, err);
    }
    if (rc != 0 && *st) {
        gd_store_abandon(*st);
        *st = NULL;
    }
    gd_par_agree(&rc, err);
    return rc;
}

/* Rank 0 closes the file and says how the job ended; returns the job's exit status. */
static int finish(const gd_cli *c, const gd_selection *sel, gd_store *st, const char *out,
                  const gd_tally *tally, const gd_drive_stats *stats, int rc, gd_error *err)
{
    gd_selection left;
    gd_selection_init(&left, sel->sweep, st, sel->shard, sel->shards);
    int complete = rc == 0 && left.todo == 0;
    if (gd_store_close_sweep(st, stats->wall_seconds, complete, rc < 0 ? NULL : err) != 0 ||
        rc < 0)
        return -1;
    if (rc == GD_SWEEP_INTERRUPTED) {
        char shard[64] = "", overrides[sizeof c->command_line];
        if (c->shards)
            snprintf(shard, sizeof shard, " --shard %llu/%llu", c->shard, c->shards);
        gd_cli_overrides_text(c, overrides, sizeof overrides);
        fprintf(stderr, "interrupted: %llu of %llu runs committed; resume with: gdsweep %s%s "
                "--resume -o %s%s\n", (unsigned long long)(left.in_shard - left.todo),
                (unsigned long long)left.in_shard, c->grid, overrides, out, shard);
        return GD_EXIT_INTERRUPTED;
    }
    if (c->resume)
        printf("%s: resumed: %llu runs computed now, %llu of %llu committed in all (the table "
               "covers this session; `gdsweep summary %s` covers the file)\n", out,
               (unsigned long long)stats->runs_done, (unsigned long long)left.in_shard,
               (unsigned long long)left.in_shard, out);
    print_summary(c, out, tally, stats);
    return GD_EXIT_OK;
}

static int run_job(const gd_cli *c, gd_sweep *s, gd_store *st, const char *out,
                   gd_error *err)
{
    gd_selection sel;
    gd_tally tally = {0};
    gd_drive_stats stats = {0};
    uint64_t shard = c->shards ? c->shard - 1 : 0, shards = c->shards ? c->shards : 1;
    gd_selection_init(&sel, s, st, shard, shards); /* rank 0's store; NULL elsewhere */
    int nothing = gd_par_rank() == 0 && c->resume && sel.todo == 0 && !s->halving;
    gd_par_agree(&nothing, NULL);
    if (nothing) {
        if (gd_par_rank() == 0)
            printf("%s: the sweep is already complete (%llu runs committed); nothing to do\n",
                   out, (unsigned long long)sel.in_shard);
        return gd_par_rank() == 0 ? gd_store_end_complete(st, err) : 0;
    }
    int rc = gd_par_rank() == 0 && c->resume ? gd_store_begin_resume(st, c->command_line, err) : 0;
    gd_par_agree(&rc, err);
    if (rc != 0) {
        gd_store_abandon(st);
        return -1;
    }
    if ((gd_par_rank() == 1 && gd_inject_failure("tally_rank1", err)) ||
        gd_tally_init(&tally, s, NULL, err) != 0)
        return gd_par_fail(err);
    gd_interrupt_install(c->grace);
    rc = s->halving ? gd_halving_sweep(s, &sel, st, &tally, c->quiet, &stats, err)
                    : gd_par_sweep(&sel, st, &tally, c->quiet, &stats, err);
    if (gd_par_rank() == 0)
        rc = finish(c, &sel, st, out, &tally, &stats, rc, err);
    else if (rc == GD_SWEEP_INTERRUPTED)
        rc = GD_EXIT_INTERRUPTED;
    gd_tally_free(&tally);
    if (rc == GD_EXIT_INTERRUPTED && stats.abandoned_ranks > 0)
        gd_par_abort(&(gd_error){"abandoned the ranks still running after the grace period",
                                 GD_EXIT_INTERRUPTED});
    return rc;
}

/* Returns the exit status, or -1 with err set. */
static int execute(const gd_cli *c, gd_sweep *s, gd_error *err)
{
    char out[GD_PATH_MAX];
    gd_store *st = NULL;
    output_path(c, s, out, sizeof out);
    if (gd_par_rank() == 0)
        gd_print_repeat_warnings(stderr, s);
    if (c->check_problems)
        return gd_par_rank() == 0 && gd_check_problems(stdout, s, err) < 0 ? -1 : GD_EXIT_OK;
    if (c->dry_run) {
        if (gd_par_rank() == 0)
            gd_print_dry_run(stdout, s, out);
        if (gd_par_rank() == 0 && c->verbose)
            gd_print_dry_run_values(stdout, stderr, s);
        return GD_EXIT_OK;
    }
    if (s->halving && c->shards)
        return gd_fail(err, "--shard: a sweep with [sweep] halving is not split (its rungs "
                       "compare runs across shards); run it whole, on more ranks");
    configure_threads(c);
    if (open_store(c, s, out, &st, err) != 0)
        return -1;
    return run_job(c, s, st, out, err);
}

/* Every rank reads the files the grid names: rank 0 first, so that a bad name is one
 * usage error before anything is created; a rank that cannot read them then ends the job,
 * and ranks that read other contents (nodes that see other files) stop it. */
static int read_files(gd_sweep *s, gd_error *err)
{
    int rc = gd_par_rank() == 0 ? gd_sweep_read_files(s, err) : 0;
    gd_par_agree(&rc, err);
    if (rc != 0)
        return -1;
    if (gd_par_rank() != 0 && gd_sweep_read_files(s, err) != 0)
        return gd_par_fail(err);
    if (gd_par_same_everywhere(s->identity, sizeof s->identity)) {
        if (s->plugins)
            gd_crash_watch_install();
        return 0;
    }
    return gd_fail(err, "%s: the ranks read different contents of the files it names; put "
                   "them on a file system that every node shares", s->path);
}

static int sweep(const gd_cli *c, gd_error *err)
{
    gd_sweep s;
    memset(&s, 0, sizeof s);
    int rc = gd_par_rank() == 0 ? gd_cli_refuse_hdf5_grid(c->grid, err) : 0;
    if (rc == 0 && gd_par_rank() == 0)
        rc = gd_sweep_load_overridden(&s, c->grid, c->overrides, c->n_overrides,
                                      c->allow_huge, err);
    if (gd_par_share_sweep(&s, c->grid, c->allow_huge, rc, err) != 0)
        return -1;
    rc = read_files(&s, err);
    if (rc != 0 && gd_par_rank() == 0)
        gd_override_locate_error(err, c->grid, c->overrides, c->n_overrides);
    rc = rc == 0 ? execute(c, &s, err) : -1;
    gd_sweep_free(&s);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    gd_cli c;
    gd_error err = {.exit_code = GD_EXIT_USAGE};
    int root = gd_par_rank() == 0;
    if (gd_cli_parse(&c, argc, argv, &err) != 0)
        return report_error(&err);
    switch (c.command) {
    case GD_CMD_HELP: if (root) gd_cli_usage(stdout, commands); return GD_EXIT_OK;
    case GD_CMD_VERSION:
        if (root) printf("gdsweep %s (HDF5 file format %d)\n", GD_VERSION, GD_FORMAT_VERSION);
        return GD_EXIT_OK;
    case GD_CMD_LIST: if (root) gd_print_list(stdout); return GD_EXIT_OK;
    default: break;
    }
    int code = sweep(&c, &err);
    return code >= 0 ? code : report_error(&err);
}

/* The sweep: MPI on every rank, then the command line and the grid. */
static int sweep_main(int argc, char **argv)
{
    /* At once, so that a signal during start-up (MPI, the grid, the file) is a clean
     * interrupt too; run_job sets the grace period of --grace. */
    gd_interrupt_install(30);
    if (gd_par_init(&argc, &argv) != 0)
        return gd_error_print(&(gd_error){"cannot start MPI", GD_EXIT_RUNTIME}, NULL);
    int code = dispatch(argc, argv);
    gd_out_lock_release();
    gd_par_finalize();
    return code;
}

/* status, summary and merge read files only (no MPI) and get argv from their name on. */
int gd_main(int argc, char **argv)
{
    const gd_cli_command *k = gd_cli_find_command(commands, argc, argv);
    return k->name ? k->run(argc - 1, argv + 1) : k->run(argc, argv);
}
