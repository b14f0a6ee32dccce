/* summary.c - `gdsweep summary OUT.h5 [--csv] [--metric C] [--mode M] [--target T]` (summary.h).
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

#include "gdsweep/flags.h"
#include "gdsweep/format.h"
#include "gdsweep/out_lock.h"
#include "gdsweep/selection.h"

#define USAGE                                                                               \
    "usage: gdsweep summary OUT.h5 [--csv] [--metric COLUMN] [--mode min|max] "            \
    "[--target 1e-K]"

/* The result columns read for every row, in block order; then the ranked column (when
 * ranking by one), then each metric column. */
enum { C_WRITTEN, C_STATUS, C_STEPS, C_LOSS, C_GAP, C_TARGET, C_FIXED };
static const char *const fixed_columns[C_TARGET] = {GD_COL_WRITTEN, "status_code", "steps",
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
    int rc = -1;
    memset(s, 0, sizeof *s);
    if (gd_reader_attr_text(r, GD_ATTR_GRID_TEXT, &text, err) < 0 ||
        gd_reader_attr_text(r, GD_ATTR_GRID_HASH, &hash, err) < 0 ||
        gd_reader_attr_text(r, GD_ATTR_GRID_PATH, &grid_path, err) < 0)
        goto done;
    if (gd_sweep_parse(s, grid_path, text, strlen(text), 1, err) < 0) {
        gd_error_prefix(err, "%s: its stored grid does not load in this gdsweep",
                        gd_reader_path(r));
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
    size_t ranked;            /* the ranked column's index, or SIZE_MAX */
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

/* The index of column `name` in the list to read, appended when not yet there: a column
 * is read once even when it is both fixed and ranked (--metric gap), since one read may
 * not name a member twice. */
static size_t column_slot(stream *st, const char *name)
{
    size_t k = 0;
    while (k < st->n_cols && strcmp(st->name[k], name) != 0)
        k++;
    if (k == st->n_cols)
        st->name[st->n_cols++] = name;
    return k;
}

/* Lists the columns to read: the fixed ones, the target's, the ranked column, then each
 * distinct metric column. */
static void plan_columns(stream *st)
{
    memcpy(st->name, fixed_columns, sizeof fixed_columns);
    st->name[C_TARGET] = gd_target_column_name(GD_TARGET_STEPS, st->t->ranking.target);
    st->n_cols = C_FIXED;
    st->ranked = st->t->ranking.column[0] ? column_slot(st, st->t->ranking.column) : SIZE_MAX;
    for (size_t p = 0; p < st->s->n_problems; p++) {
        const char *m = metric_column(st->t, p);
        st->metric_of[p] = m ? column_slot(st, m) : SIZE_MAX;
    }
}

static int stream_open(stream *st, gd_error *err)
{
    size_t n = st->s->n_problems;
    st->name = malloc((C_FIXED + 1 + n) * sizeof *st->name);
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

/* The pair of run id, decoding only at the start of each stretch. */
static const gd_run_desc *pair_of(stream *st, uint64_t id)
{
    if (id >= st->pair_end || id < st->pair.id) {
        gd_sweep_decode(st->s, id, &st->pair);
        st->pair_end = gd_space_group_end(st->s, id, GD_SPACE_PAIR);
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
        return bad_cell(st, id, GD_COL_WRITTEN, written, err);
    if (status != GD_STATUS_CONVERGED && status != GD_STATUS_MAX_ITER &&
        status != GD_STATUS_DIVERGED && status != GD_STATUS_PRUNED)
        return bad_cell(st, id, "status_code", status, err);
    if (!(steps >= 0 && steps < 9e18))
        return bad_cell(st, id, "steps", steps, err);
    const gd_run_desc *d = pair_of(st, id);
    memset(&res, 0, sizeof res);
    res.status = (int)status;
    res.iterations = (long)steps;
    res.loss_final = cell(st, C_LOSS, i);
    res.gap = cell(st, C_GAP, i);
    double to = cell(st, C_TARGET, i);
    res.steps_to[st->t->ranking.target] = to >= 0 && to < 9e18 ? (long)to : -1;
    size_t m = st->metric_of[d->problem];
    res.metric = m == SIZE_MAX ? NAN : cell(st, m, i);
    gd_tally_add(st->t, d, &res, st->ranked == SIZE_MAX ? NAN : cell(st, st->ranked, i), NULL,
                 0);
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
    if (whole_cell(r, "final_count", c->best.id, &count, err) < 0 ||
        whole_cell(r, "final_offset", c->best.id, &offset, err) < 0)
        return -1;
    if (count == 0 || count > GD_PATH_MAX_DIM)
        return 0;
    if (gd_reader_series_f64(r, "final/x", offset, count, c->best_x, err) < 0)
        return -1;
    c->best_dim = (size_t)count;
    return 0;
}

/* The value of the ranked column counts for the ranking: a number, and for a time-to-target
 * column not -1 (never reached). */
static int has_value(const gd_ranking *k, double v)
{
    return !isnan(v) && !(k->negative_missing && v < 0);
}

/* Sections whose committed runs have no value of the ranked column (gap where the optimum
 * is unknown, test_mse without test rows) are ranked by the default rule, as
 * analysis/ranking.py does: a column of NaNs would leave the order to the tie-breaks. One
 * pass over two columns. */
static int rank_empty_sections_by_default(gd_reader *r, const gd_sweep *s, gd_tally *t,
                                          gd_error *err)
{
    const char *names[2] = {GD_COL_WRITTEN, t->ranking.column};
    unsigned char *seen = calloc(s->n_problems + 1, 1);
    double *buf = malloc(2 * (size_t)GD_READER_BLOCK * sizeof *buf);
    uint64_t rows = gd_reader_rows(r);
    int rc = seen && buf ? 0 : gd_fail_runtime(err, "out of memory for the ranking");
    for (uint64_t first = 0; rc == 0 && first < rows; first += GD_READER_BLOCK) {
        size_t n = rows - first < GD_READER_BLOCK ? (size_t)(rows - first) : GD_READER_BLOCK;
        rc = gd_reader_columns_f64(r, names, 2, first, n, buf, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (buf[2 * i] == 1 && has_value(&t->ranking, buf[2 * i + 1]))
                seen[gd_sweep_section_of(s, first + i)] = 1;
    }
    for (size_t p = 0; rc == 0 && p < s->n_problems; p++)
        t->by_column[p] &= seen[p];
    free(seen);
    free(buf);
    return rc;
}

int gd_summary_tally(gd_reader *r, const gd_sweep *s, gd_tally *t, uint64_t *committed,
                     gd_error *err)
{
    stream st = {.r = r, .s = s, .t = t};
    *committed = 0;
    int rc = t->ranking.column[0] ? rank_empty_sections_by_default(r, s, t, err) : 0;
    if (rc == 0)
        rc = stream_open(&st, err);
    if (rc == 0)
        rc = stream_rows(&st, committed, err);
    stream_close(&st);
    for (size_t i = 0; rc == 0 && i < t->n_groups * s->n_optimizers; i++)
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

static int print_header(gd_reader *r, const gd_sweep *s, const gd_tally *t,
                        uint64_t committed, FILE *out, gd_error *err)
{
    double complete;
    uint64_t by[3], shard = 0, shards = 1;
    gd_selection sel;
    char shard_text[64] = "";
    if (gd_reader_attr_number(r, GD_ATTR_COMPLETE, &complete, err) < 0 ||
        gd_reader_shard(r, &shard, &shards, err) < 0)
        return -1;
    gd_selection_init(&sel, s, NULL, shard, shards);
    if (shards > 1)
        snprintf(shard_text, sizeof shard_text, " --shard %llu/%llu",
                 (unsigned long long)shard + 1, (unsigned long long)shards);
    char *created = attr_or_unknown(r, GD_ATTR_CREATED);
    char *version = attr_or_unknown(r, GD_ATTR_GDSWEEP_VERSION);
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
    char writer[GD_ERROR_MAX / 2];
    if (gd_out_lock_holder(gd_reader_path(r), writer, sizeof writer))
        fprintf(out, "(partial: a sweep is writing the file now, %s; this is a snapshot of "
                "its committed runs)\n", writer);
    else if (complete == 0 || committed < sel.in_shard)
        fprintf(out, "(partial: the sweep is not complete; resume with: gdsweep %s --resume "
                "-o %s%s)\n", s->path, gd_reader_path(r), shard_text);
    fputc('\n', out);
    free(created);
    free(version);
    return 0;
}

/* ---- the ranking ---------------------------------------------------------------------- */

/* The better direction of metric column `name` from the file's metric_modes attribute
 * ("psnr:max,test_mse:min"): 1 for max, 0 for min or when the file does not say. */
static int metric_maximized(gd_reader *r, const char *name)
{
    char *modes = NULL;
    gd_error ignored;
    int max = 0;
    if (gd_reader_has_attr(r, GD_ATTR_METRIC_MODES) &&
        gd_reader_attr_text(r, GD_ATTR_METRIC_MODES, &modes, &ignored) == 0) {
        size_t n = strlen(name);
        for (const char *at = strstr(modes, name); at; at = strstr(at + 1, name))
            if ((at == modes || at[-1] == ',') && at[n] == ':')
                max = strncmp(at + n + 1, "max", 3) == 0;
    }
    free(modes);
    return max;
}

/* The target index of "1e-K" (K in 1..GD_TARGETS). */
static int parse_target(const char *text, size_t *target, gd_error *err)
{
    for (size_t k = 0; k < GD_TARGETS; k++) {
        char name[16];
        snprintf(name, sizeof name, "1e-%zu", k + 1);
        if (strcmp(text, name) == 0) {
            *target = k;
            return 0;
        }
    }
    return gd_fail(err, "--target %s: choose one of 1e-1, 1e-2, ..., 1e-%d (the fraction of "
                   "the initial gap whose steps the table shows)", text, GD_TARGETS);
}

/* The ranking q asks for, checked against the file's columns. */
static int resolve_ranking(gd_reader *r, const gd_summary_request *q, gd_ranking *k,
                           gd_error *err)
{
    gd_ranking_default(k);
    if (q->target && parse_target(q->target, &k->target, err) < 0)
        return -1;
    if (q->mode && strcmp(q->mode, "min") != 0 && strcmp(q->mode, "max") != 0)
        return gd_fail(err, "--mode %s: choose min or max", q->mode);
    if (!q->metric) {
        if (q->mode)
            return gd_fail(err, "--mode needs --metric COLUMN (the default ranking has its "
                           "own directions)");
        return 0;
    }
    if (!gd_reader_has_column(r, q->metric) || gd_reader_column_width(r, q->metric) != 0 ||
        strlen(q->metric) >= sizeof k->column)
        return gd_fail(err, "--metric %s: %s has no numeric column of that name (e.g. psnr, "
                       "test_mse, gap, loss_final, steps, wall_seconds)", q->metric,
                       gd_reader_path(r));
    snprintf(k->column, sizeof k->column, "%s", q->metric);
    k->maximize = q->mode ? strcmp(q->mode, "max") == 0 : metric_maximized(r, q->metric);
    for (int kind = 0; kind < GD_TARGET_KINDS; kind++)
        for (size_t j = 0; j < GD_TARGETS; j++)
            k->negative_missing |= strcmp(q->metric, gd_target_column_name(kind, j)) == 0;
    return 0;
}

/* The report into out, read from r. */
static int report_from(const gd_summary_request *q, gd_reader *r, FILE *out, gd_error *err)
{
    gd_sweep s;
    gd_tally t;
    gd_ranking ranking;
    uint64_t committed = 0;
    int rc = resolve_ranking(r, q, &ranking, err);
    if (rc == 0)
        rc = gd_summary_load_grid(r, &s, err);
    if (rc == 0) {
        rc = gd_tally_init(&t, &s, &ranking, err);
        if (rc == 0)
            rc = gd_summary_tally(r, &s, &t, &committed, err);
        if (rc == 0 && !q->csv)
            rc = print_header(r, &s, &t, committed, out, err);
        if (rc == 0)
            (q->csv ? gd_tally_print_csv : gd_tally_print)(&t, out);
        if (rc == 0 && !q->csv)
            rc = gd_summary_repeats(r, &s, &t, out, err);
        gd_tally_free(&t);
        gd_sweep_free(&s);
    }
    return rc;
}

/* The report is made in memory and written once the file is closed: a reader holds the
 * file's commit lock while it is open (store_read.h), and output blocked on a pipe (`|
 * less` left open) must not keep a running sweep's commits waiting. */
int gd_summary_report(const gd_summary_request *q, FILE *out, gd_error *err)
{
    gd_reader *r = NULL;
    char *text = NULL;
    size_t len = 0;
    if (gd_reader_open(&r, q->path, err) < 0)
        return -1;
    FILE *mem = open_memstream(&text, &len);
    int rc = mem ? report_from(q, r, mem, err) : gd_fail_runtime(err, "out of memory");
    gd_reader_close(r);
    if (mem && fclose(mem) != 0 && rc == 0)
        rc = gd_fail_runtime(err, "out of memory for the summary");
    if (rc == 0 && len)
        fwrite(text, 1, len, out);
    free(text);
    return rc;
}

int gd_summary_write(const char *path, int csv, FILE *out, gd_error *err)
{
    gd_summary_request q = {.path = path, .csv = csv};
    return gd_summary_report(&q, out, err);
}

/* ---- the command ----------------------------------------------------------------------- */

enum { OPT_CSV = GD_FLAG_LONG_ONLY, OPT_METRIC, OPT_MODE, OPT_TARGET };

static const gd_flag summary_flag[] = {
    {"csv", OPT_CSV, NULL, "the same table as CSV"},
    {"metric", OPT_METRIC, "COLUMN", "rank by this numeric column of the runs table (psnr,\n"
                                     "test_mse, gap, ...)"},
    {"mode", OPT_MODE, "min|max", "which way COLUMN is better (default: the metric's own,\n"
                                  "else min)"},
    {"target", OPT_TARGET, "1e-K", "show the fewest steps to a gap of 1e-K of the initial\n"
                                   "gap (the default is below)"},
    {"help", 'h', NULL, "this text"},
};
static const gd_flags summary_flags = {"gdsweep summary", summary_flag,
                                       sizeof summary_flag / sizeof summary_flag[0]};

/* The command line: the request, --help, and a second file name (refused). */
typedef struct summary_args {
    gd_summary_request q;
    int help;
    const char *second;
} summary_args;

static void take_file(summary_args *a, const char *path)
{
    if (!a->q.path)
        a->q.path = path;
    else if (!a->second)
        a->second = path;
}

/* One flag or file name into the summary_args at into (a gd_flag_take). */
static int take(void *into, const gd_flag *f, const char *spelled, const char *value,
                gd_error *err)
{
    summary_args *a = into;
    if (f && f->value && !*value)
        return gd_fail(err, "%s needs a value (%s %s); see gdsweep summary --help", spelled,
                       spelled, f->value);
    switch (f ? f->key : 0) {
    case 0: take_file(a, value); return 0;
    case OPT_CSV: a->q.csv = 1; return 0;
    case OPT_METRIC: a->q.metric = value; return 0;
    case OPT_MODE: a->q.mode = value; return 0;
    case OPT_TARGET: a->q.target = value; return 0;
    case 'h': a->help = 1; return 0;
    default: return gd_fail_runtime(err, "%s is in the table but not handled", spelled);
    }
}

/* Flags in any order around the file; after "--" only files. */
static int parse_args(int argc, char **argv, summary_args *a, gd_error *err)
{
    memset(a, 0, sizeof *a);
    if (gd_flags_parse(&summary_flags, argc, argv, take, a, err) != 0)
        return -1;
    if (a->help)
        return 0;
    if (a->second)
        return gd_fail(err, "more than one file ('%s', '%s'); " USAGE, a->q.path, a->second);
    if (!a->q.path)
        return gd_fail(err, "no file given; " USAGE);
    return 0;
}

static void print_help(void)
{
    printf("%s\n  the best run of every optimizer in every problem setting of a sweep's file\n",
           USAGE);
    gd_flags_print(stdout, &summary_flags);
    printf("--target is 1e-%d unless given.\n", GD_TALLY_TARGET + 1);
}

int gd_summary_main(int argc, char **argv)
{
    summary_args a;
    gd_error err = {{0}, 0};
    int parsed = parse_args(argc, argv, &a, &err);
    if (parsed == 0 && a.help) {
        print_help();
        return GD_EXIT_OK;
    }
    if (parsed == 0 && gd_summary_report(&a.q, stdout, &err) == 0) {
        if (fflush(stdout) == 0 && !ferror(stdout))
            return GD_EXIT_OK;
        gd_fail_runtime(&err, "cannot write the report to standard output");
    }
    return gd_error_print(&err, "summary");
}
