/* summary.c - `gdsweep summary OUT.h5 [--csv]` (see gdsweep/summary.h).
 *
 * The file's own grid text is parsed again, so a row's problem and optimizer sections
 * and its swept values come from decoding its run id (row i is run i), and only the
 * result columns are read, GD_READER_BLOCK rows at a time. A grid that no longer parses,
 * a hash or row count that does not match the grid, or a cell no gdsweep writes is a
 * bad file (exit 2), never a crash. Owns nothing beyond one call: every function frees
 * what it allocated through one cleanup path. */
#include "gdsweep/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/selection.h"

#define USAGE "usage: gdsweep summary OUT.h5 [--csv]"

/* The result columns read for every row, in block order. */
enum { C_WRITTEN, C_STATUS, C_STEPS, C_LOSS, C_GAP, C_FIXED };
static const char *const fixed_columns[C_FIXED] = {"written", "status_code", "steps",
                                                   "loss_final", "gap"};

/* ---- the grid -------------------------------------------------------------------------- */

static int check_grid(gd_reader *r, const gd_sweep *s, const char *hash, gd_error *err)
{
    const char *path = gd_reader_path(r);
    if (strcmp(hash, s->hash) != 0)
        return gd_fail(err, "%s: the stored grid text does not match its grid_hash "
                       "(corrupt file?)", path);
    if (gd_reader_rows(r) != s->n_runs)
        return gd_fail(err, "%s: the runs table has %llu rows but its grid has %llu runs "
                       "(corrupt file?)", path, (unsigned long long)gd_reader_rows(r),
                       (unsigned long long)s->n_runs);
    return 0;
}

int gd_summary_load_grid(gd_reader *r, gd_sweep *s, gd_error *err)
{
    char *text = NULL, *hash = NULL, *grid_path = NULL;
    gd_error parse_err;
    int rc = -1;
    memset(s, 0, sizeof *s);
    if (gd_reader_attr_text(r, "grid_text", &text, err) < 0 ||
        gd_reader_attr_text(r, "grid_hash", &hash, err) < 0 ||
        gd_reader_attr_text(r, "grid_path", &grid_path, err) < 0)
        goto done;
    if (gd_sweep_parse(s, grid_path, text, strlen(text), 1, &parse_err) < 0) {
        gd_fail(err, "%s: its stored grid does not load in this gdsweep (%s)",
                gd_reader_path(r), parse_err.msg);
        goto done;
    }
    rc = check_grid(r, s, hash, err);
    if (rc < 0)
        gd_sweep_free(s);
done:
    free(text);
    free(hash);
    free(grid_path);
    return rc;
}

/* ---- streaming the rows ---------------------------------------------------------------- */

/* One block of rows: the fixed columns, then each metric column of the sweep. */
typedef struct stream {
    gd_reader *r;
    const gd_sweep *s;
    gd_tally *t;
    size_t n_cols;
    const char **name;        /* the columns read */
    double *buf;              /* GD_READER_BLOCK rows of n_cols cells */
    size_t *metric_of;        /* [problem section] -> its metric column, or SIZE_MAX */
    gd_run_desc pair;         /* the pair of the current stretch of ids */
    uint64_t pair_end;        /* first id after that stretch (0: none yet) */
} stream;

/* The metric column of section p's problem type, or NULL. */
static const char *metric_column(const gd_tally *t, size_t p)
{
    const gd_columns *c = &t->cols;
    const gd_problem_type *pt = t->sweep->problems[p].type;
    for (size_t ti = 0; ti < c->n_problem_types; ti++)
        if (c->reg.problems[ti] == pt && c->metric_col[ti] != SIZE_MAX)
            return c->col[c->metric_col[ti]].name;
    return NULL;
}

/* Lists the columns to read: the fixed ones, then each distinct metric column. */
static void plan_columns(stream *st)
{
    memcpy(st->name, fixed_columns, sizeof fixed_columns);
    st->n_cols = C_FIXED;
    for (size_t p = 0; p < st->s->n_problems; p++) {
        const char *m = metric_column(st->t, p);
        size_t k = C_FIXED;
        while (m && k < st->n_cols && strcmp(st->name[k], m) != 0)
            k++;
        if (m && k == st->n_cols)
            st->name[st->n_cols++] = m;
        st->metric_of[p] = m ? k : SIZE_MAX;
    }
}

static int stream_open(stream *st, gd_error *err)
{
    size_t n = st->s->n_problems;
    st->name = malloc((C_FIXED + n) * sizeof *st->name);
    st->metric_of = malloc(n * sizeof *st->metric_of);
    if (st->name && st->metric_of)
        plan_columns(st);
    st->buf = st->name && st->metric_of
                  ? malloc(st->n_cols * (size_t)GD_READER_BLOCK * sizeof *st->buf)
                  : NULL;
    if (!st->buf)
        return gd_fail_runtime(err, "%s: out of memory for a block of rows",
                               gd_reader_path(st->r));
    return 0;
}

static void stream_close(stream *st)
{
    free(st->name);
    free(st->metric_of);
    free(st->buf);
}

static double cell(const stream *st, size_t col, size_t i)
{
    return st->buf[i * st->n_cols + col];
}

static int bad_cell(const stream *st, uint64_t id, const char *column, double v,
                    gd_error *err)
{
    return gd_fail(err, "%s: row %llu has %s = %g, which no gdsweep writes (corrupt file?)",
                   gd_reader_path(st->r), (unsigned long long)id, column, v);
}

/* First id after the stretch of consecutive ids of d's (problem, optimizer) pair: within
 * a problem section, each instance and control combination walks the applicable
 * optimizer sections in file order, each taking `combos` consecutive ids (grid.h). */
static uint64_t stretch_end(const gd_sweep *s, const gd_run_desc *d)
{
    const gd_problem_section *ps = &s->problems[d->problem];
    uint64_t k = (d->id - ps->first_run) % ps->optimizer_span, end = 0;
    for (size_t o = 0; o <= d->optimizer; o++)
        if (s->applies[d->problem * s->n_optimizers + o])
            end += s->optimizers[o].combos;
    return d->id + (end - k);
}

/* The pair of run id, decoding only at the start of each stretch. */
static const gd_run_desc *pair_of(stream *st, uint64_t id)
{
    if (id >= st->pair_end || id < st->pair.id) {
        gd_sweep_decode(st->s, id, &st->pair);
        st->pair_end = stretch_end(st->s, &st->pair);
    }
    st->pair.id = id;
    return &st->pair;
}

/* Row i of the block (run id) into the tally; *used is 1 when it was committed. */
static int add_row(stream *st, uint64_t id, size_t i, int *used, gd_error *err)
{
    double written = cell(st, C_WRITTEN, i), status = cell(st, C_STATUS, i);
    double steps = cell(st, C_STEPS, i);
    gd_run_result res;
    *used = written == 1;
    if (written == 0)
        return 0;
    if (written != 1)
        return bad_cell(st, id, "written", written, err);
    if (status != GD_STATUS_CONVERGED && status != GD_STATUS_MAX_ITER &&
        status != GD_STATUS_DIVERGED)
        return bad_cell(st, id, "status_code", status, err);
    if (!(steps >= 0 && steps < 9e18))
        return bad_cell(st, id, "steps", steps, err);
    const gd_run_desc *d = pair_of(st, id);
    memset(&res, 0, sizeof res);
    res.status = (int)status;
    res.iterations = (long)steps;
    res.loss_final = cell(st, C_LOSS, i);
    res.gap = cell(st, C_GAP, i);
    size_t m = st->metric_of[d->problem];
    res.metric = m == SIZE_MAX ? NAN : cell(st, m, i);
    gd_tally_add(st->t, d, &res, NULL, 0);
    return 0;
}

static int stream_rows(stream *st, uint64_t *committed, gd_error *err)
{
    uint64_t rows = gd_reader_rows(st->r);
    for (uint64_t first = 0; first < rows; first += GD_READER_BLOCK) {
        size_t n = rows - first < GD_READER_BLOCK ? (size_t)(rows - first) : GD_READER_BLOCK;
        if (gd_reader_columns_f64(st->r, st->name, st->n_cols, first, n, st->buf, err) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            int used;
            if (add_row(st, first + i, i, &used, err) < 0)
                return -1;
            *committed += (uint64_t)used;
        }
    }
    return 0;
}

/* ---- final parameters of the best runs ---------------------------------------------- */

/* A cell read as a whole number below 2^63; -1 when it is not one. */
static int whole_cell(gd_reader *r, const char *column, uint64_t id, uint64_t *v,
                      gd_error *err)
{
    double x;
    if (gd_reader_column_f64(r, column, id, 1, &x, err) < 0)
        return -1;
    if (!(x >= 0 && x < 9e18 && x == floor(x)))
        return gd_fail(err, "%s: row %llu has %s = %g, which no gdsweep writes (corrupt "
                       "file?)", gd_reader_path(r), (unsigned long long)id, column, x);
    *v = (uint64_t)x;
    return 0;
}

static int read_best_x(gd_reader *r, gd_tally_cell *c, gd_error *err)
{
    uint64_t offset = 0, count = 0;
    if (whole_cell(r, "final_count", c->best_id, &count, err) < 0 ||
        whole_cell(r, "final_offset", c->best_id, &offset, err) < 0)
        return -1;
    if (count == 0 || count > GD_PATH_MAX_DIM)
        return 0;
    if (gd_reader_series_f64(r, "final/x", offset, count, c->best_x, err) < 0)
        return -1;
    c->best_dim = (size_t)count;
    return 0;
}

int gd_summary_tally(gd_reader *r, const gd_sweep *s, gd_tally *t, uint64_t *committed,
                     gd_error *err)
{
    stream st = {.r = r, .s = s, .t = t};
    *committed = 0;
    int rc = stream_open(&st, err);
    if (rc == 0)
        rc = stream_rows(&st, committed, err);
    stream_close(&st);
    for (size_t i = 0; rc == 0 && i < s->n_problems * s->n_optimizers; i++)
        if (t->cells[i].has_best)
            rc = read_best_x(r, &t->cells[i], err);
    return rc;
}

/* ---- the report ------------------------------------------------------------------------ */

/* A text attribute, or "?" when the file lacks it (the header is informative only). */
static char *attr_or_unknown(gd_reader *r, const char *name)
{
    char *v = NULL;
    gd_error ignored;
    if (gd_reader_attr_text(r, name, &v, &ignored) < 0)
        v = strdup("?");
    return v;
}

/* The file's shard (0-based index, count): 0 of 1 when it holds the whole grid. */
static int read_shard(gd_reader *r, uint64_t *shard, uint64_t *shards, gd_error *err)
{
    double k = 0, n = 1;
    if (gd_reader_has_attr(r, "shard_count") &&
        (gd_reader_attr_number(r, "shard_index", &k, err) < 0 ||
         gd_reader_attr_number(r, "shard_count", &n, err) < 0))
        return -1;
    if (!(n >= 1 && n < 9e18 && k >= 0 && k < n && k == floor(k) && n == floor(n)))
        return gd_fail(err, "%s: shard %g of %g is not a shard gdsweep writes (corrupt file?)",
                       gd_reader_path(r), k, n);
    *shard = (uint64_t)k;
    *shards = (uint64_t)n;
    return 0;
}

static int print_header(gd_reader *r, const gd_sweep *s, const gd_tally *t,
                        uint64_t committed, FILE *out, gd_error *err)
{
    double complete;
    uint64_t by[3], shard = 0, shards = 1;
    gd_selection sel;
    char shard_text[64] = "";
    if (gd_reader_attr_number(r, "complete", &complete, err) < 0 ||
        read_shard(r, &shard, &shards, err) < 0)
        return -1;
    gd_selection_init(&sel, s, NULL, shard, shards);
    if (shards > 1)
        snprintf(shard_text, sizeof shard_text, " --shard %llu/%llu",
                 (unsigned long long)shard + 1, (unsigned long long)shards);
    char *created = attr_or_unknown(r, "created");
    char *version = attr_or_unknown(r, "gdsweep_version");
    gd_tally_status_totals(t, by);
    fprintf(out, "sweep:  %s\n", s->name);
    fprintf(out, "file:   %s (created %s by gdsweep %s)\n", gd_reader_path(r),
            created ? created : "?", version ? version : "?");
    fprintf(out, "grid:   %s (sha256 %.12s), %llu runs\n", s->path, s->hash,
            (unsigned long long)s->n_runs);
    if (shards > 1)
        fprintf(out, "shard:  %llu of %llu: %llu runs\n", (unsigned long long)shard + 1,
                (unsigned long long)shards, (unsigned long long)sel.in_shard);
    fprintf(out, "runs:   %llu of %llu committed: %llu converged, %llu hit the budget, "
            "%llu diverged\n", (unsigned long long)committed,
            (unsigned long long)sel.in_shard, (unsigned long long)by[2],
            (unsigned long long)by[1], (unsigned long long)by[0]);
    if (complete == 0 || committed < sel.in_shard)
        fprintf(out, "(partial: the sweep is not complete; resume with: gdsweep %s --resume "
                "-o %s%s)\n", s->path, gd_reader_path(r), shard_text);
    fputc('\n', out);
    free(created);
    free(version);
    return 0;
}

int gd_summary_write(const char *path, int csv, FILE *out, gd_error *err)
{
    gd_reader *r = NULL;
    gd_sweep s;
    gd_tally t;
    uint64_t committed = 0;
    int rc = gd_reader_open(&r, path, err);
    if (rc < 0)
        return -1;
    rc = gd_summary_load_grid(r, &s, err);
    if (rc == 0) {
        rc = gd_tally_init(&t, &s, err);
        if (rc == 0)
            rc = gd_summary_tally(r, &s, &t, &committed, err);
        if (rc == 0 && !csv)
            rc = print_header(r, &s, &t, committed, out, err);
        if (rc == 0)
            (csv ? gd_tally_print_csv : gd_tally_print)(&t, out);
        gd_tally_free(&t);
        gd_sweep_free(&s);
    }
    gd_reader_close(r);
    return rc;
}

/* ---- the command ----------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, const char **path, int *csv, gd_error *err)
{
    int options = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--csv") == 0)
            *csv = 1;
        else if (options && strcmp(a, "--") == 0)
            options = 0;
        else if (options && a[0] == '-' && a[1])
            return gd_fail(err, "unknown option '%s'; " USAGE, a);
        else if (*path)
            return gd_fail(err, "more than one file ('%s', '%s'); " USAGE, *path, a);
        else
            *path = a;
    }
    if (!*path)
        return gd_fail(err, "no file given; " USAGE);
    return 0;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int gd_summary_main(int argc, char **argv)
{
    const char *path = NULL;
    int csv = 0;
    gd_error err = {{0}, 0};
    if (wants_help(argc, argv)) {
        printf("%s\n  the best run of every (problem, optimizer) pair of a sweep's file;\n"
               "  --csv: the same table as CSV\n", USAGE);
        return GD_EXIT_OK;
    }
    if (parse_args(argc, argv, &path, &csv, &err) == 0 &&
        gd_summary_write(path, csv, stdout, &err) == 0) {
        if (fflush(stdout) == 0 && !ferror(stdout))
            return GD_EXIT_OK;
        gd_fail_runtime(&err, "cannot write the report to standard output");
    }
    fprintf(stderr, "gdsweep summary: %s\n", err.msg);
    return err.exit_code ? err.exit_code : GD_EXIT_RUNTIME;
}
