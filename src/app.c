/* app.c - the gdsweep command: dispatch, the sweep itself, errors and exit codes.
 *
 * Order of a sweep: parse the command line, load and validate the whole grid, check the
 * output target; only then create the file. So any bad input exits 2 with one line on
 * stderr and leaves no output file created or touched. */
#include "gdsweep/app.h"

#include <stdio.h>
#include <string.h>

#include <omp.h>

#include "gdsweep/cli.h"
#include "gdsweep/driver.h"
#include "gdsweep/grid.h"
#include "gdsweep/report.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

static int report_error(const gd_error *err)
{
    fprintf(stderr, "gdsweep: %s\n", err->msg);
    return err->exit_code ? err->exit_code : GD_EXIT_RUNTIME;
}

static void print_summary(const gd_cli *c, const char *out, const gd_tally *t,
                          const gd_drive_stats *st)
{
    uint64_t by[3];
    gd_tally_status_totals(t, by);
    printf("wrote %s: %llu runs in %.3f s (%.0f runs/s): %llu converged, %llu hit the "
           "budget, %llu diverged\n",
           out, (unsigned long long)st->runs_done, st->wall_seconds,
           st->wall_seconds > 0 ? (double)st->runs_done / st->wall_seconds : 0.0,
           (unsigned long long)by[2], (unsigned long long)by[1], (unsigned long long)by[0]);
    if (!c->quiet)
        gd_tally_print(t, stdout);
}

static int execute(const gd_cli *c, const gd_sweep *s, const char *out, gd_error *err)
{
    gd_store *st = NULL;
    gd_tally tally = {0};
    gd_drive_stats stats = {0};
    if (gd_tally_init(&tally, s, err) != 0)
        return -1;
    int rc = gd_store_create(&st, out, s, c->command_line, err);
    if (rc == 0)
        rc = gd_drive_serial(s, st, &tally, &stats, err);
    if (st && gd_store_close(st, stats.wall_seconds, rc == 0 ? err : NULL) != 0)
        rc = -1;
    if (rc == 0)
        print_summary(c, out, &tally, &stats);
    gd_tally_free(&tally);
    return rc;
}

static int sweep(const gd_cli *c, gd_error *err)
{
    gd_sweep s;
    if (gd_sweep_load(&s, c->grid, c->allow_huge, err) != 0)
        return -1;
    const char *out = c->output ? c->output : s.output;
    int rc = 0;
    if (c->dry_run)
        gd_print_dry_run(stdout, &s, out);
    else if ((rc = gd_store_check_target(out, c->overwrite, err)) == 0) {
        if (c->threads)
            omp_set_num_threads(c->threads);
        rc = execute(c, &s, out, err);
    }
    gd_sweep_free(&s);
    return rc;
}

int gd_main(int argc, char **argv)
{
    gd_cli c;
    gd_error err = {.exit_code = GD_EXIT_USAGE};
    if (gd_cli_parse(&c, argc, argv, &err) != 0)
        return report_error(&err);
    switch (c.command) {
    case GD_CMD_HELP: gd_cli_usage(stdout); return GD_EXIT_OK;
    case GD_CMD_VERSION: printf("gdsweep %s (HDF5 file format %d)\n", GD_VERSION, 1); return 0;
    case GD_CMD_LIST: gd_print_list(stdout); return GD_EXIT_OK;
    default: break;
    }
    return sweep(&c, &err) == 0 ? GD_EXIT_OK : report_error(&err);
}
