/* dry_run.c - `gdsweep --dry-run`: run counts per (problem, optimizer) and output size.
 *
 * The size is what the runs hold at their full budget (no run stops early): per run its
 * row of the runs table (the sweep's real row, gdsweep/columns.h), its trajectory records
 * (8 bytes per value of each per-record series of gdsweep/series.h the file stores:
 * gdsweep/traj_implicit.h), path and final parameters. HDF5 adds to it: each dataset is
 * allocated in whole chunks (up to 512 KiB of series values, 1 MiB of rows) and every
 * instance's stored inputs (docs/FORMAT.md), which a dry run does not set up. It decodes
 * one run per (instance, control) combination, up to SAMPLE_CAP per section, and scales.
 * The table lists the first DRY_RUN_ROWS (problem, optimizer) pairs. */
#include "gdsweep/report.h"

#include "gdsweep/columns.h"
#include "gdsweep/halving.h"
#include "gdsweep/run.h"
#include "gdsweep/traj_implicit.h"

#define SAMPLE_CAP 4096
/* Rows of the (problem, optimizer) table; the rest are summed in one line. */
#define DRY_RUN_ROWS 1000
/* Points of each sampled design that dry-run prints. */
#define DRY_RUN_DESIGN_POINTS 5

/* Bytes written for run id, assuming it uses its whole budget; row: a row's bytes; stored:
 * the per-record series the file stores. */
static double run_bytes(const gd_sweep *s, uint64_t id, double row, int stored)
{
    gd_run_desc d;
    gd_sweep_decode(s, id, &d);
    const gd_problem_type *type = s->problems[d.problem].type;
    double n = (double)type->dimension(gd_sweep_files_of(s, &d), d.problem_params);
    double records = (double)gd_history_records(d.control.iterations, s->record_every);
    double path = n <= GD_PATH_MAX_DIM ? n : 0;
    return row + records * 8.0 * (stored + path) +
           (d.control.save_final ? 8.0 * n : 0);
}

/* Estimated bytes of one problem section: average over sampled configurations (problem
 * values, repeat, control values), times the runs of each. A run's bytes do not depend
 * on its optimizer, so one run per configuration stands for all the runs of it:
 * the cost is at most SAMPLE_CAP decodes per section, whatever the run count. row and
 * stored: as for run_bytes. */
static double section_bytes(const gd_sweep *s, size_t p, double row, int stored)
{
    uint64_t configs = gd_space_groups(s, p, GD_SPACE_CONFIG);
    uint64_t step = configs > SAMPLE_CAP ? configs / SAMPLE_CAP : 1;
    double sum = 0;
    uint64_t sampled = 0;
    for (uint64_t c = 0; c < configs && sampled < SAMPLE_CAP; c += step, sampled++)
        sum += run_bytes(s, gd_space_group_first(s, p, GD_SPACE_CONFIG, c), row, stored);
    return sum / (double)sampled * (double)gd_space_section_runs(s, p);
}

static void print_size(FILE *out, double bytes)
{
    const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    fprintf(out, "%.1f %s", bytes, unit[u]);
}

void gd_print_repeat_warnings(FILE *out, const gd_sweep *s)
{
    for (size_t p = 0; p < s->n_problems; p++) {
        const gd_problem_section *ps = &s->problems[p];
        uint64_t settings = gd_space_groups(s, p, GD_SPACE_SETTING);
        uint64_t checked, identical = gd_section_identical_repeats(s, p, &checked);
        if (identical == 0)
            continue;
        fprintf(out, "gdsweep: warning: repeats = %llu on [problem %s] repeats identical runs",
                (unsigned long long)s->repeats, ps->label);
        if (identical < checked)
            fprintf(out, " in %llu of its %llu%s problem settings", (unsigned long long)identical,
                    (unsigned long long)checked, checked < settings ? " first" : "");
        fprintf(out, " (an instance of %s draws nothing at random%s%s)\n", ps->type->name,
                ps->type->repeat_hint ? "; " : "",
                ps->type->repeat_hint ? ps->type->repeat_hint : "");
    }
}

/* The bytes of one row of s's runs table (0 if its columns cannot be built: the sweep
 * itself would then refuse to start). */
static double row_bytes(const gd_sweep *s)
{
    gd_columns cols;
    gd_error ignored;
    if (gd_columns_build_sweep(&cols, s, &ignored) != 0)
        return 0;
    double row = (double)cols.row_size;
    gd_columns_free(&cols);
    return row;
}

void gd_print_dry_run(FILE *out, const gd_sweep *s, const char *output)
{
    double bytes = 0, row = row_bytes(s);
    uint64_t rows = 0, more_runs = 0;
    int stored = gd_traj_stored_count(gd_traj_implicit_of_sweep(s));
    fprintf(out, "sweep %s (grid %s)\n%-16s %-16s %14s\n", s->name, s->path, "problem",
            "optimizer", "runs");
    for (size_t p = 0; p < s->n_problems; p++) {
        for (size_t o = 0; o < s->n_optimizers; o++) {
            uint64_t runs = gd_sweep_pair_runs(s, p, o);
            if (runs && rows++ < DRY_RUN_ROWS)
                fprintf(out, "%-16s %-16s %14llu\n", s->problems[p].label,
                        s->optimizers[o].label, (unsigned long long)runs);
            else
                more_runs += runs;
        }
        bytes += section_bytes(s, p, row, stored);
    }
    if (rows > DRY_RUN_ROWS) {
        char more[64];
        snprintf(more, sizeof more, "... %llu more pairs",
                 (unsigned long long)(rows - DRY_RUN_ROWS));
        fprintf(out, "%-33s %14llu\n", more, (unsigned long long)more_runs);
    }
    fprintf(out, "%-33s %14llu\nestimated output: ", "total", (unsigned long long)s->n_runs);
    print_size(out, bytes);
    fprintf(out, " in %s for the runs at their full budget, plus HDF5's chunks and the "
                 "instances' inputs (nothing was run)\n", output);
    gd_print_designs(out, s, DRY_RUN_DESIGN_POINTS);
    if (s->halving)
        gd_halving_print_plan(out, s);
}
