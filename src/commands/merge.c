/* merge.c - `gdsweep merge OUT.h5 SHARD.h5... [--overwrite]` (see gdsweep/merge.h).
 *
 * The checks on OUT (not one of the inputs; not overwritten without --overwrite; its
 * writer's lock held from before the last check to the end), the three phases, and what
 * the user reads: one line on stderr for bad input (exit 2, OUT untouched), a line per
 * outcome otherwise. The command line is merge_args.c's. Reads files, writes OUT; no MPI. */
#include "gdsweep/merge.h"

#include <stdio.h>

#include "merge_internal.h"

#include "gdsweep/out_lock.h"
#include "gdsweep/store.h"

/* ---- the checks on OUT ----------------------------------------------------------------- */

static int check_output(const gd_merge_args *a, gd_error *err)
{
    for (size_t i = 0; i < a->n; i++)
        if (gd_store_same_file(a->out, a->inputs[i]))
            return gd_fail(err, "%s is also one of the files to merge; write the merged file "
                           "under a new name", a->out);
    return gd_store_check_target(a->out, a->overwrite, err);
}

/* ---- what the user reads ----------------------------------------------------------------- */

static void print_ranges(FILE *f, const gd_merge *m)
{
    for (size_t i = 0; i < m->n_ranges; i++) {
        fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)m->ranges[i][0]);
        if (m->ranges[i][1] > m->ranges[i][0])
            fprintf(f, "-%llu", (unsigned long long)m->ranges[i][1]);
    }
    if (m->more_ranges)
        fputs(", ...", f);
}

/* "shard 2/4 (FILE) is incomplete (resume it with: ...)"; clauses joined by "; ". */
static void print_incomplete(FILE *f, const gd_merge *m, int *clauses)
{
    size_t listed = 0, more = 0;
    for (size_t i = 0; i < m->n; i++) {
        const gd_merge_input *in = &m->in[i];
        const char *path = gd_reader_path(in->reader);
        char flag[64] = "", label[GD_PATH_MAX + 80];
        if (!in->incomplete || (listed == GD_MERGE_LISTED && ++more))
            continue;
        snprintf(label, sizeof label, "%s", path);
        if (m->shards > 1) {
            snprintf(flag, sizeof flag, " --shard %llu/%llu", (unsigned long long)in->shard + 1,
                     (unsigned long long)m->shards);
            snprintf(label, sizeof label, "shard%s (%s)", flag + 8, path);
        }
        fprintf(f, "%s%s is incomplete (resume it with: gdsweep %s --resume%s -o %s)",
                (*clauses)++ ? "; " : "", label, m->grid_path, flag, path);
        listed++;
    }
    if (more)
        fprintf(f, "; %zu more files are incomplete", more);
}

static void print_absent(FILE *f, const gd_merge *m, int *clauses)
{
    uint64_t first[GD_MERGE_LISTED];
    uint64_t n = gd_merge_absent_shards(m, first), shown = n < GD_MERGE_LISTED ? n : GD_MERGE_LISTED;
    if (n == 0)
        return;
    fprintf(f, "%sshard%s ", (*clauses)++ ? "; " : "", n > 1 ? "s" : "");
    for (uint64_t i = 0; i < shown; i++)
        fprintf(f, "%s%llu/%llu", i ? ", " : "", (unsigned long long)first[i] + 1,
                (unsigned long long)m->shards);
    if (n > shown)
        fprintf(f, " and %llu more", (unsigned long long)(n - shown));
    fprintf(f, " %s not given", n > 1 ? "were" : "was");
}

static int report_missing(const gd_merge *m, const char *out)
{
    int clauses = 0;
    unsigned long long total = (unsigned long long)m->sweep.n_runs;
    fprintf(stderr, "gdsweep: missing %llu of %llu runs (ids ", (unsigned long long)m->missing,
            total);
    print_ranges(stderr, m);
    fputs("): ", stderr);
    print_incomplete(stderr, m, &clauses);
    print_absent(stderr, m, &clauses);
    fprintf(stderr, "\ngdsweep: wrote %s with %llu of %llu runs; finish it with: gdsweep %s "
            "--resume -o %s (or merge again once every shard is complete)\n", out,
            (unsigned long long)m->copied, total, m->grid_path, out);
    return GD_EXIT_INTERRUPTED;
}

static int report_complete(const gd_merge *m, const char *out)
{
    printf("merged %zu file%s into %s: all %llu runs of %s (%llu converged, %llu hit the "
           "budget, %llu diverged)\n", m->n, m->n > 1 ? "s" : "", out,
           (unsigned long long)m->copied, m->grid_path, (unsigned long long)m->by_status[2],
           (unsigned long long)m->by_status[1], (unsigned long long)m->by_status[0]);
    return GD_EXIT_OK;
}

/* ---- the subcommand ---------------------------------------------------------------------- */

/* OUT's lock, taken between two checks of OUT: the first spares an obvious refusal the
 * lock file, the second sees what another writer did before we held it. */
static int lock_output(const gd_merge_args *a, gd_error *err)
{
    char note[GD_PATH_MAX + 160];
    if (check_output(a, err) < 0 ||
        gd_out_lock_take(a->out, a->command_line, note, sizeof note, err) < 0)
        return -1;
    if (note[0])
        gd_note_print("%s", note);
    return check_output(a, err);
}

static int run_merge(const gd_merge_args *a, gd_error *err)
{
    gd_merge m;
    if (lock_output(a, err) < 0 || gd_merge_open(&m, a->inputs, a->n, err) < 0)
        return -1;
    int rc = gd_merge_scan(&m, err);
    if (rc == 0)
        rc = gd_merge_write(&m, a->out, a->command_line, err);
    if (rc == 0)
        rc = m.missing ? report_missing(&m, a->out) : report_complete(&m, a->out);
    gd_merge_close(&m);
    return rc;
}

int gd_merge_main(int argc, char **argv)
{
    gd_merge_args a;
    gd_error err = {.exit_code = GD_EXIT_USAGE};
    int rc = gd_merge_args_parse(&a, argc, argv, &err);
    if (rc == 0 && a.help)
        gd_merge_print_help(stdout);
    else if (rc == 0)
        rc = run_merge(&a, &err);
    gd_out_lock_release();
    gd_merge_args_free(&a);
    return rc >= 0 ? rc : gd_error_print(&err, NULL);
}
