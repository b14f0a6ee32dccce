/* app.c - the gdsweep command: dispatch, the sweep itself, errors and exit codes.
 *
 * Every rank runs this. Order of a sweep: parse the command line, rank 0 loads and
 * validates the whole grid and checks the output target, the other ranks parse the same
 * text; only then does rank 0 create the file. So any bad input exits 2 with one line on
 * stderr (from rank 0) and leaves no output file created or touched. */
#include "gdsweep/app.h"

#include <stdio.h>
#include <string.h>

#include <omp.h>

#include "gdsweep/cli.h"
#include "gdsweep/grid.h"
#include "gdsweep/parallel.h"
#include "gdsweep/report.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"
#include "gdsweep/threads.h"

static int report_error(const gd_error *err)
{
    if (gd_par_rank() == 0)
        fprintf(stderr, "gdsweep: %s\n", err->msg);
    return err->exit_code ? err->exit_code : GD_EXIT_RUNTIME;
}

static void print_summary(const gd_cli *c, const char *out, const gd_tally *t,
                          const gd_drive_stats *st)
{
    uint64_t by[3];
    gd_tally_status_totals(t, by);
    printf("wrote %s: %llu runs in %.3f s (%.0f runs/s, %d ranks x %d threads, %.3f s "
           "writing HDF5): %llu converged, %llu hit the budget, %llu diverged\n",
           out, (unsigned long long)st->runs_done, st->wall_seconds,
           st->wall_seconds > 0 ? (double)st->runs_done / st->wall_seconds : 0.0,
           gd_par_size(), omp_get_max_threads(), st->io_seconds, (unsigned long long)by[2],
           (unsigned long long)by[1], (unsigned long long)by[0]);
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
        fprintf(stderr, "gdsweep: warning: %s\n", warning);
}

/* Rank 0 checks the target and creates the file; every rank learns the outcome. */
static int open_store(const gd_cli *c, const gd_sweep *s, const char *out, gd_store **st,
                      gd_error *err)
{
    int rc = 0;
    if (gd_par_rank() == 0) {
        rc = gd_store_check_target(out, c->overwrite, err);
        if (rc == 0)
            rc = gd_store_create(st, out, s, c->command_line, err);
    }
    gd_par_agree(&rc, err);
    return rc;
}

static int execute(const gd_cli *c, const gd_sweep *s, const char *out, gd_error *err)
{
    gd_store *st = NULL;
    gd_tally tally = {0};
    gd_drive_stats stats = {0};
    if (open_store(c, s, out, &st, err) != 0 || gd_tally_init(&tally, s, err) != 0)
        return -1;
    int rc = gd_par_sweep(s, st, &tally, c->quiet, &stats, err);
    if (st && gd_store_close(st, stats.wall_seconds, rc == 0 ? err : NULL) != 0)
        rc = -1;
    if (rc == 0 && gd_par_rank() == 0)
        print_summary(c, out, &tally, &stats);
    gd_tally_free(&tally);
    return rc;
}

static int sweep(const gd_cli *c, gd_error *err)
{
    gd_sweep s;
    memset(&s, 0, sizeof s);
    int rc = gd_par_rank() == 0 ? gd_sweep_load(&s, c->grid, c->allow_huge, err) : 0;
    if (gd_par_share_sweep(&s, c->grid, c->allow_huge, rc, err) != 0)
        return -1;
    const char *out = c->output ? c->output : s.output;
    if (c->dry_run) {
        if (gd_par_rank() == 0)
            gd_print_dry_run(stdout, &s, out);
    } else {
        configure_threads(c);
        rc = execute(c, &s, out, err);
    }
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
    case GD_CMD_HELP: if (root) gd_cli_usage(stdout); return GD_EXIT_OK;
    case GD_CMD_VERSION:
        if (root) printf("gdsweep %s (HDF5 file format %d)\n", GD_VERSION, GD_FORMAT_VERSION);
        return GD_EXIT_OK;
    case GD_CMD_LIST: if (root) gd_print_list(stdout); return GD_EXIT_OK;
    default: break;
    }
    return sweep(&c, &err) == 0 ? GD_EXIT_OK : report_error(&err);
}

int gd_main(int argc, char **argv)
{
    if (gd_par_init(&argc, &argv) != 0) {
        fputs("gdsweep: cannot start MPI\n", stderr);
        return GD_EXIT_RUNTIME;
    }
    int code = dispatch(argc, argv);
    gd_par_finalize();
    return code;
}
