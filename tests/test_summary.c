/* test_summary.c - `gdsweep summary` on real sweep files (gdsweep/summary.h).
 *
 * Small grids are run for real (worker, batches, store) and every result is kept here;
 * the summary's CSV is then parsed and each count, best run, rank, number, steps to target
 * and swept value is checked against what this file works out from the kept results with
 * its own loop (the rule, within each problem setting: non-diverged runs, converged first
 * by fewest steps, then lowest gap (floored at rounding) where the optimum is known, else
 * lowest final loss; ties to the fewest steps, then the lowest id). Also: ranking by a
 * column (--metric psnr), the terminal form and its header lines, the same
 * table as the end of a sweep, a partial file, a grid where every run diverged, a
 * single run, and bad files and command lines (exit 2, one line on stderr). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hdf5.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdsweep/store.h"
#include "gdsweep/summary.h"
#include "gdsweep/tally.h"
#include "gdsweep/worker.h"
#include "test_files.h"
#include "test_h5.h"

static const char main_grid[] =
    "[sweep]\n"
    "name = summarytest\n"
    "seed = 3\n"
    "repeats = 2\n"
    "iterations = 40\n"
    "record_every = 10\n"
    "\n"
    "[problem q]\n"
    "type = quadratic\n"
    "a = 4, 1\n"
    "c = 0\n"
    "\n"
    "[problem rb]\n"
    "type = rosenbrock\n"
    "iterations = 30\n"
    "\n"
    "[problem img]\n"
    "type = denoise\n"
    "size = 4\n"
    "iterations = 20, 40\n"
    "\n"
    "[optimizer plain]\n"
    "type = gd\n"
    "lr = 0.01, 0.1, 0.6\n"
    "schedule = constant, step\n"
    "gamma = 0.5, 0.9\n"
    "decay_steps = 10\n"
    "\n"
    "[optimizer mom]\n"
    "type = momentum\n"
    "lr = 0.05\n"
    "momentum = 0.5, 0.9\n"
    "problems = q, img\n";

static const char diverging_grid[] =
    "[sweep]\nname = alldiv\niterations = 30\n\n[problem q]\ntype = quadratic\n\n"
    "[optimizer gd]\nlr = 5, 10\n";

static const char single_grid[] =
    "[sweep]\nname = one\niterations = 10\n\n[problem q]\ntype = quadratic\n\n"
    "[optimizer gd]\nlr = 0.1\n";

#define GRID_PATH "summary_test.ini"
#define BATCH_RUNS 7


/* ---- writing a sweep and keeping its results -------------------------------------------- */

typedef struct kept {
    int set;
    gd_run_desc d;
    gd_run_result r;
    size_t n_final;
    double x[GD_PATH_MAX_DIM];
} kept;

typedef struct sweep_file {
    gd_sweep s;
    kept *runs;              /* [run id] */
    gd_tally tally;          /* fed as a sweep feeds it, for the end-of-sweep table */
    char path[128];
} sweep_file;

/* The sweep whose runs are being checked (for the number of problem keys of a run). */
static const gd_sweep *checked_sweep;

static size_t sf_type_dims(const kept *k)
{
    return gd_param_count(checked_sweep->problems[k->d.problem].type->params);
}

static int keep_all(uint64_t id) { return 1; }
static int keep_some(uint64_t id) { return id % 3 != 1; }

static void keep_batch(sweep_file *sf, const gd_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        kept *k = &sf->runs[b->desc[i].id];
        k->set = 1;
        k->d = b->desc[i];
        k->r = b->result[i];
        k->n_final = b->final_count[i];
        if (k->n_final <= GD_PATH_MAX_DIM)
            memcpy(k->x, b->final + b->final_start[i], k->n_final * sizeof *k->x);
    }
    gd_tally_add_batch(&sf->tally, b);
}

static void flush(sweep_file *sf, gd_store *st, gd_batch *b)
{
    gd_error err = {{0}, 0};
    if (gd_store_write_batch(st, b, &err) != 0)
        fail_msg("%s", err.msg);
    keep_batch(sf, b);
    gd_batch_clear(b);
}

/* Runs the grid's runs that keep() selects into a new file; complete is what the store
 * records at close. */
static void write_sweep(sweep_file *sf, const char *grid, const char *name,
                        int (*keep)(uint64_t), int complete)
{
    gd_error err = {{0}, 0};
    gd_store *st = NULL;
    gd_worker w;
    gd_batch b;
    memset(&b, 0, sizeof b);
    test_path(sf->path, sizeof sf->path, name);
    if (gd_sweep_parse(&sf->s, GRID_PATH, grid, strlen(grid), 0, &err) != 0)
        fail_msg("%s", err.msg);
    sf->runs = calloc(sf->s.n_runs, sizeof *sf->runs);
    assert_non_null(sf->runs);
    assert_int_equal(gd_tally_init(&sf->tally, &sf->s, NULL, &err), 0);
    assert_int_equal(gd_store_create(&st, sf->path, &sf->s, "test_summary", &err), 0);
    gd_worker_init(&w, &sf->s, 0);
    for (uint64_t id = 0; id < sf->s.n_runs; id++) {
        if (!keep(id))
            continue;
        if (gd_worker_run(&w, id, &b, &err) != 0)
            fail_msg("%s", err.msg);
        if (b.count >= BATCH_RUNS)
            flush(sf, st, &b);
    }
    flush(sf, st, &b);
    gd_worker_free(&w);
    gd_batch_free(&b);
    assert_int_equal(gd_store_close(st, 0.25, complete, &err), 0);
}

static void sweep_file_free(sweep_file *sf)
{
    gd_tally_free(&sf->tally);
    free(sf->runs);
    gd_sweep_free(&sf->s);
}

/* ---- running the command ------------------------------------------------------------- */

/* What gd_summary_main returned and printed (malloc'd). */
typedef struct captured {
    int rc;
    char *out, *errs;
} captured;

/* gd_summary_main with stdout and stderr captured. */
static captured run_main(int argc, const char **argv)
{
    FILE *fo = tmpfile(), *fe = tmpfile();
    assert_non_null(fo);
    assert_non_null(fe);
    fflush(stdout);
    fflush(stderr);
    int o = dup(1), e = dup(2);
    assert_true(o >= 0 && e >= 0);
    assert_true(dup2(fileno(fo), 1) >= 0 && dup2(fileno(fe), 2) >= 0);
    captured c;
    c.rc = gd_summary_main(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    assert_true(dup2(o, 1) >= 0 && dup2(e, 2) >= 0);
    close(o);
    close(e);
    c.out = test_read_all(fo);
    c.errs = test_read_all(fe);
    return c;
}

static char *summary_of(const char *path, int csv)
{
    const char *argv[] = {"summary", path, "--csv"};
    captured c = run_main(csv ? 3 : 2, argv);
    if (c.rc != 0)
        fail_msg("summary of %s: exit %d: %s", path, c.rc, c.errs);
    assert_string_equal(c.errs, "");
    free(c.errs);
    return c.out;
}

/* ---- what the table should say, worked out here ---------------------------------------- */

typedef struct expect {
    size_t problem;
    double setting[GD_MAX_PARAMS];   /* the problem values of the setting */
    size_t optimizer;
    uint64_t runs, converged, max_iter, diverged;
    const kept *best;
    long fewest_to;                  /* fewest steps to 1e-6 of the initial gap, -1: none */
} expect;

/* The documented measure: the gap floored at DBL_EPSILON x max(1, |f_opt|), else the loss. */
static double measure(const kept *k)
{
    if (isnan(k->r.gap))
        return k->r.loss_final;
    double f_opt = k->r.loss_final - k->r.gap;
    return fmax(k->r.gap, DBL_EPSILON * fmax(1.0, fabs(f_opt)));
}

/* Is a better than b (both non-diverged, no NaN losses in these grids) by the rule? With
 * by_psnr, the higher PSNR wins instead. */
static int beats(const kept *a, const kept *b, int by_psnr)
{
    int ca = a->r.status == GD_STATUS_CONVERGED, cb = b->r.status == GD_STATUS_CONVERGED;
    int ga = !isnan(a->r.gap), gb = !isnan(b->r.gap);
    double va = measure(a), vb = measure(b);
    if (by_psnr) {
        ca = cb = 0;
        ga = gb = 1;
        va = -a->r.metric;
        vb = -b->r.metric;
    }
    if (ca != cb)
        return ca;
    if (ca)
        va = (double)a->r.iterations, vb = (double)b->r.iterations;
    if (ga != gb)
        return ga;
    if (va < vb || va > vb)
        return va < vb;
    if (a->r.iterations != b->r.iterations)
        return a->r.iterations < b->r.iterations;
    return a->d.id < b->d.id;
}

/* The line of k: same section, problem values and optimizer; appended when new. The
 * grids' ids run setting by setting, so lines come in table order. */
static expect *line_of(expect *e, size_t *n, const kept *k)
{
    size_t np = sf_type_dims(k);
    for (size_t i = 0; i < *n; i++)
        if (e[i].problem == k->d.problem && e[i].optimizer == k->d.optimizer &&
            memcmp(e[i].setting, k->d.problem_params, np * sizeof(double)) == 0)
            return &e[i];
    expect *x = &e[(*n)++];
    x->problem = k->d.problem;
    x->optimizer = k->d.optimizer;
    memcpy(x->setting, k->d.problem_params, np * sizeof(double));
    x->fewest_to = -1;
    return x;
}

/* The expected lines, in the order the table prints them; *n receives their count. */
static expect *expected_table(const sweep_file *sf, int by_psnr, size_t *n)
{
    expect *e = calloc(sf->s.n_runs + 1, sizeof *e);
    assert_non_null(e);
    *n = 0;
    for (size_t p = 0; p < sf->s.n_problems; p++)
        for (uint64_t id = 0; id < sf->s.n_runs; id++) {
            const kept *k = &sf->runs[id];
            if (!k->set || k->d.problem != p)
                continue;
            expect *x = line_of(e, n, k);
            x->runs++;
            x->converged += k->r.status == GD_STATUS_CONVERGED;
            x->max_iter += k->r.status == GD_STATUS_MAX_ITER;
            x->diverged += k->r.status == GD_STATUS_DIVERGED;
            long to = k->r.steps_to[GD_TALLY_TARGET];
            if (to >= 0 && (x->fewest_to < 0 || to < x->fewest_to))
                x->fewest_to = to;
            if (k->r.status != GD_STATUS_DIVERGED && (!x->best || beats(k, x->best, by_psnr)))
                x->best = k;
        }
    return e;
}

/* 1 + the lines of the same setting whose best beats x's best; 0 when x has none. */
static uint64_t expected_rank(const sweep_file *sf, const expect *e, size_t n, const expect *x,
                              int by_psnr)
{
    uint64_t rank = 1;
    size_t np = gd_param_count(sf->s.problems[x->problem].type->params);
    if (!x->best)
        return 0;
    for (size_t i = 0; i < n; i++)
        rank += &e[i] != x && e[i].problem == x->problem && e[i].best &&
                memcmp(e[i].setting, x->setting, np * sizeof(double)) == 0 &&
                beats(e[i].best, x->best, by_psnr);
    return rank;
}

static void totals(const sweep_file *sf, uint64_t *n, uint64_t *conv, uint64_t *budget,
                   uint64_t *div)
{
    *n = *conv = *budget = *div = 0;
    for (uint64_t id = 0; id < sf->s.n_runs; id++) {
        const kept *k = &sf->runs[id];
        *n += (uint64_t)k->set;
        *conv += k->set && k->r.status == GD_STATUS_CONVERGED;
        *budget += k->set && k->r.status == GD_STATUS_MAX_ITER;
        *div += k->set && k->r.status == GD_STATUS_DIVERGED;
    }
}

/* The swept values the grids above give each pair, in table order. */
typedef struct swept {
    size_t n;
    const char *key[8];
    double value[8];
    const char *text[8];     /* for choice keys, else NULL */
} swept;

static void add_swept(swept *w, const char *key, double v, const char *text)
{
    w->key[w->n] = key;
    w->value[w->n] = v;
    w->text[w->n++] = text;
}

static double param(const gd_param_spec *specs, const double *values, const char *key)
{
    int i = gd_param_find(specs, key);
    assert_true(i >= 0);
    return values[i];
}

static void expected_swept(const sweep_file *sf, const gd_run_desc *d, swept *w)
{
    const char *p = sf->s.problems[d->problem].label, *o = sf->s.optimizers[d->optimizer].label;
    const gd_problem_type *pt = sf->s.problems[d->problem].type;
    const gd_optimizer_type *ot = sf->s.optimizers[d->optimizer].type;
    w->n = 0;
    if (strcmp(sf->s.name, "summarytest") != 0)
        return;                                    /* the other grids sweep only lr */
    (void)pt;
    if (strcmp(p, "img") == 0)
        add_swept(w, "iterations", (double)d->control.iterations, NULL);
    add_swept(w, "repeat", (double)d->repeat, NULL);
    if (strcmp(o, "plain") == 0) {
        add_swept(w, "lr", param(ot->params, d->optimizer_params, "lr"), NULL);
        add_swept(w, "schedule", 0, d->schedule->name);
        if (strcmp(d->schedule->name, "step") == 0)
            add_swept(w, "gamma", param(d->schedule->params, d->schedule_params, "gamma"),
                      NULL);
    } else {
        add_swept(w, "momentum", param(ot->params, d->optimizer_params, "momentum"), NULL);
    }
}

/* ---- checking the CSV ----------------------------------------------------------------- */

#define MAX_CSV_FIELDS 24

/* Splits line (modified in place) at sep; returns the number of fields (0 for ""). */
static size_t split(char *line, char sep, char **field, size_t max)
{
    size_t n = 0;
    if (!line[0])
        return 0;
    field[n++] = line;
    for (char *p = line; *p; p++)
        if (*p == sep) {
            assert_true(n < max);
            *p = '\0';
            field[n++] = p + 1;
        }
    return n;
}

static void number_is(const char *text, double want)
{
    char *end;
    if (isnan(want)) {
        assert_string_equal(text, "");
        return;
    }
    double v = strtod(text, &end);
    if (end == text || *end || v != want)
        fail_msg("'%s' is not %.17g", text, want);
}

static void whole_is(const char *text, uint64_t want)
{
    char expect_text[32];
    snprintf(expect_text, sizeof expect_text, "%llu", (unsigned long long)want);
    assert_string_equal(text, expect_text);
}

static void params_are(const sweep_file *sf, const kept *best, char *text)
{
    swept w;
    char *item[8];
    expected_swept(sf, &best->d, &w);
    size_t n = split(text, ' ', item, 8);
    assert_int_equal(n, w.n);
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(item[i], '=');
        assert_non_null(eq);
        *eq = '\0';
        assert_string_equal(item[i], w.key[i]);
        if (w.text[i])
            assert_string_equal(eq + 1, w.text[i]);
        else
            number_is(eq + 1, w.value[i]);
    }
}

static void final_x_is(const kept *best, char *text)
{
    char *item[GD_PATH_MAX_DIM + 1];
    size_t want = best->n_final <= GD_PATH_MAX_DIM ? best->n_final : 0;
    size_t n = split(text, ' ', item, GD_PATH_MAX_DIM + 1);
    assert_int_equal(n, want);
    for (size_t k = 0; k < n; k++)
        number_is(item[k], best->x[k]);
}

static void header_is(const sweep_file *sf, char *line)
{
    int denoise = 0;
    for (size_t p = 0; p < sf->s.n_problems; p++)
        denoise |= strcmp(sf->s.problems[p].type->name, "denoise") == 0;
    assert_string_equal(line, denoise ? "problem,settings,optimizer,rank,ranked_by,runs,"
                                        "converged,max_iter,diverged,best_run,steps,"
                                        "loss_final,gap,psnr,steps_to_1e-6,params,final_x"
                                      : "problem,settings,optimizer,rank,ranked_by,runs,"
                                        "converged,max_iter,diverged,best_run,steps,"
                                        "loss_final,gap,steps_to_1e-6,params,final_x");
}

static void settings_are(const sweep_file *sf, const expect *x, const char *text)
{
    char want[64] = "";
    if (strcmp(sf->s.name, "summarytest") == 0 && x->problem == 0)
        snprintf(want, sizeof want, "a=%.17g", x->setting[0]);  /* q sweeps a only */
    assert_string_equal(text, want);
}

static void row_is(const sweep_file *sf, const expect *x, uint64_t rank, int by_psnr,
                   char *line)
{
    char *f[MAX_CSV_FIELDS];
    size_t p = x->problem, o = x->optimizer;
    int denoise = strcmp(sf->s.problems[p].type->name, "denoise") == 0, has_psnr = 0;
    for (size_t i = 0; i < sf->s.n_problems; i++)
        has_psnr |= strcmp(sf->s.problems[i].type->name, "denoise") == 0;
    size_t n = split(line, ',', f, MAX_CSV_FIELDS);
    assert_int_equal(n, has_psnr ? 17 : 16);
    assert_string_equal(f[0], sf->s.problems[p].label);
    settings_are(sf, x, f[1]);
    assert_string_equal(f[2], sf->s.optimizers[o].label);
    assert_string_equal(f[4], by_psnr ? "psnr (max)" : "default");
    whole_is(f[5], x->runs);
    whole_is(f[6], x->converged);
    whole_is(f[7], x->max_iter);
    whole_is(f[8], x->diverged);
    if (x->fewest_to >= 0)
        whole_is(f[n - 3], (uint64_t)x->fewest_to);
    else
        assert_string_equal(f[n - 3], "");
    if (!x->best) {
        assert_string_equal(f[3], "");
        for (size_t i = 9; i < n - 3; i++)
            assert_string_equal(f[i], "");
        return;
    }
    whole_is(f[3], rank);
    whole_is(f[9], x->best->d.id);
    whole_is(f[10], (uint64_t)x->best->r.iterations);
    number_is(f[11], x->best->r.loss_final);
    number_is(f[12], x->best->r.gap);
    if (has_psnr)
        number_is(f[13], denoise ? x->best->r.metric : NAN);
    params_are(sf, x->best, f[n - 2]);
    final_x_is(x->best, f[n - 1]);
}

/* Checks every line of the CSV against the kept results. */
static void check_csv_ranked(const sweep_file *sf, char *csv, int by_psnr)
{
    size_t lines;
    checked_sweep = &sf->s;
    expect *e = expected_table(sf, by_psnr, &lines);
    char *line[64];
    size_t n = split(csv, '\n', line, 64);
    assert_true(n >= 2);
    assert_string_equal(line[n - 1], "");           /* ends with a newline */
    header_is(sf, line[0]);
    assert_int_equal(n - 2, lines);
    for (size_t i = 0; i < lines; i++)
        row_is(sf, &e[i], expected_rank(sf, e, lines, &e[i], by_psnr), by_psnr, line[1 + i]);
    free(e);
}

static void check_csv(const sweep_file *sf, char *csv)
{
    check_csv_ranked(sf, csv, 0);
}

/* ---- tests --------------------------------------------------------------------------------- */

/* 1 when on q some optimizer's run of lowest final loss and its run of lowest gap are in
 * different settings (a = 1 has the lower loss, a = 4 the lower gap): a table that mixed
 * settings would pick by the wrong objective. */
static int settings_matter(const sweep_file *sf)
{
    int differs = 0;
    for (size_t o = 0; o < sf->s.n_optimizers; o++) {
        const kept *by_loss = NULL, *by_gap = NULL;
        for (uint64_t id = 0; id < sf->s.n_runs; id++) {
            const kept *k = &sf->runs[id];
            if (!k->set || k->d.problem != 0 || k->d.optimizer != o ||
                k->r.status == GD_STATUS_DIVERGED)
                continue;
            if (!by_loss || k->r.loss_final < by_loss->r.loss_final)
                by_loss = k;
            if (!by_gap || k->r.gap < by_gap->r.gap)
                by_gap = k;
        }
        differs |= by_loss && by_loss->d.problem_params[0] != by_gap->d.problem_params[0];
    }
    return differs;
}

static void test_csv_matches_the_runs(void **state)
{
    sweep_file sf;
    uint64_t n, conv, budget, div;
    write_sweep(&sf, main_grid, "main.h5", keep_all, 1);
    totals(&sf, &n, &conv, &budget, &div);
    assert_int_equal(n, sf.s.n_runs);
    assert_true(conv + budget > 0 && div > 0);        /* the grid has both kinds */
    assert_true(settings_matter(&sf));   /* a = 1 has the lower loss, a = 4 the lower gap */
    char *csv = summary_of(sf.path, 1);
    check_csv(&sf, csv);
    free(csv);
    sweep_file_free(&sf);
}

static char *tally_table(const gd_tally *t)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    gd_tally_print(t, f);
    fflush(f);
    return test_read_all(f);
}

static void test_terminal_form(void **state)
{
    sweep_file sf;
    uint64_t n, conv, budget, div;
    char line[256];
    write_sweep(&sf, main_grid, "terminal.h5", keep_all, 1);
    totals(&sf, &n, &conv, &budget, &div);
    char *text = summary_of(sf.path, 0);
    assert_non_null(strstr(text, "sweep:  summarytest\n"));
    snprintf(line, sizeof line, "file:   %s (created ", sf.path);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "grid:   " GRID_PATH " (sha256 %.12s), %llu runs\n", sf.s.hash,
             (unsigned long long)sf.s.n_runs);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "runs:   %llu of %llu committed: %llu converged, %llu hit the "
             "budget, %llu diverged\n", (unsigned long long)n, (unsigned long long)n,
             (unsigned long long)conv, (unsigned long long)budget, (unsigned long long)div);
    assert_non_null(strstr(text, line));
    assert_null(strstr(text, "partial"));
    /* the same table as the end of the sweep printed from its batches, then (repeats = 2)
     * the repeats section (test_repeat_stats.py checks its numbers) */
    char *end_of_sweep = tally_table(&sf.tally);
    size_t header = (size_t)(strstr(text, "\n\n") - text) + 2;   /* the table follows */
    char *repeats = strstr(text, "\nover 2 repeats");
    assert_non_null(repeats);
    assert_non_null(strstr(repeats, "\n  best q [a=4] plain: n=2 median="));
    assert_non_null(strstr(repeats, "\n  pair q [a=4] plain vs mom: n=2 "));
    repeats[0] = '\0';
    assert_string_equal(text + header, end_of_sweep);
    assert_non_null(strstr(end_of_sweep, "lr="));
    free(end_of_sweep);
    free(text);
    sweep_file_free(&sf);
}

static void check_partial(const char *name, int complete)
{
    sweep_file sf;
    uint64_t n, conv, budget, div;
    char line[256];
    write_sweep(&sf, main_grid, name, keep_some, complete);
    totals(&sf, &n, &conv, &budget, &div);
    assert_true(n < sf.s.n_runs);
    char *text = summary_of(sf.path, 0);
    snprintf(line, sizeof line, "runs:   %llu of %llu committed:", (unsigned long long)n,
             (unsigned long long)sf.s.n_runs);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "(partial: the sweep is not complete; resume with: gdsweep "
             GRID_PATH " --resume -o %s)\n", sf.path);
    assert_non_null(strstr(text, line));
    free(text);
    char *csv = summary_of(sf.path, 1);
    check_csv(&sf, csv);
    assert_null(strstr(csv, "partial"));
    free(csv);
    sweep_file_free(&sf);
}

static void test_partial_file(void **state)
{
    check_partial("partial.h5", 0);
    check_partial("missing_rows.h5", 1);     /* closed as complete, yet rows are missing */
}

static void test_every_run_complete_but_not_closed_normally(void **state)
{
    sweep_file sf;
    write_sweep(&sf, single_grid, "unclosed.h5", keep_all, 0);
    char *text = summary_of(sf.path, 0);
    assert_non_null(strstr(text, "runs:   1 of 1 committed"));
    assert_non_null(strstr(text, "(partial: the sweep is not complete"));
    free(text);
    sweep_file_free(&sf);
}

static void test_every_run_diverged(void **state)
{
    sweep_file sf;
    write_sweep(&sf, diverging_grid, "diverged.h5", keep_all, 1);
    for (uint64_t id = 0; id < sf.s.n_runs; id++)
        assert_int_equal(sf.runs[id].r.status, GD_STATUS_DIVERGED);
    char *csv = summary_of(sf.path, 1);
    assert_non_null(strstr(csv, "\nq,,gd,,default,2,0,0,2,,,,,,,\n"));
    check_csv(&sf, csv);
    free(csv);
    char *text = summary_of(sf.path, 0);
    assert_non_null(strstr(text, "0 converged, 0 hit the budget, 2 diverged"));
    assert_non_null(strstr(text, "(all diverged)"));
    free(text);
    sweep_file_free(&sf);
}

static void test_single_run(void **state)
{
    sweep_file sf;
    write_sweep(&sf, single_grid, "single.h5", keep_all, 1);
    assert_int_equal(sf.s.n_runs, 1);
    char *csv = summary_of(sf.path, 1);
    assert_non_null(strstr(csv, "\nq,,gd,1,default,1,"));
    check_csv(&sf, csv);
    free(csv);
    sweep_file_free(&sf);
}

/* ---- bad command lines and files ------------------------------------------------------ */

static void usage_fails(int argc, const char **argv, const char *what)
{
    captured c = run_main(argc, argv);
    if (c.rc != GD_EXIT_USAGE || !strstr(c.errs, what))
        fail_msg("expected exit 2 and '%s', got %d: %s", what, c.rc, c.errs);
    assert_string_equal(c.out, "");
    assert_int_equal(strncmp(c.errs, "gdsweep summary: ", 17), 0);
    assert_non_null(strchr(c.errs, '\n'));
    assert_int_equal(strchr(c.errs, '\n')[1], '\0');   /* one line */
    free(c.out);
    free(c.errs);
}

static void test_bad_command_lines(void **state)
{
    const char *none[] = {"summary"};
    const char *bogus[] = {"summary", "--bogus", "x.h5"};
    const char *two[] = {"summary", "a.h5", "b.h5"};
    const char *help[] = {"summary", "--help"};
    usage_fails(1, none, "no file given; usage: gdsweep summary OUT.h5 [--csv]");
    usage_fails(3, bogus, "unknown option '--bogus'");
    usage_fails(3, two, "more than one file");
    /* The flags go through a table (gdsweep/flags.h): a typo gets the flag meant. */
    const char *metirc[] = {"summary", "x.h5", "--metirc=gap"};
    const char *metric[] = {"summary", "x.h5", "--metric"};
    usage_fails(3, metirc, "unknown option '--metirc'; did you mean '--metric'? (see gdsweep "
                           "summary --help)");
    usage_fails(3, metric, "--metric needs a value (--metric COLUMN)");
    captured c = run_main(2, help);
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "usage: gdsweep summary OUT.h5 [--csv]"));
    assert_non_null(strstr(c.out, "  --metric COLUMN      rank by"));
    free(c.out);
    free(c.errs);
}

static void test_bad_files(void **state)
{
    char missing[128], text[128];
    test_path(missing, sizeof missing, "missing.h5");
    test_path(text, sizeof text, "grid.ini");
    FILE *f = fopen(text, "w");
    assert_non_null(f);
    fputs(single_grid, f);
    fclose(f);
    const char *a[] = {"summary", missing}, *b[] = {"summary", text, "--csv"};
    usage_fails(2, a, "missing.h5: no such file");
    usage_fails(3, b, "grid.ini is not an HDF5 file");
}

/* Rewrites a root string attribute of a file. */
static void set_text_attr(const char *path, const char *name, const char *value)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(file >= 0);
    test_h5_set_text(file, name, value);
    H5Fclose(file);
}

/* Writes one int8 cell of the runs table. */
static void set_cell_i8(const char *path, const char *column, uint64_t row, int8_t v)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(file, "runs", H5P_DEFAULT);
    hid_t t = H5Tcreate(H5T_COMPOUND, 1), space = H5Dget_space(d);
    hsize_t start = row, count = 1;
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    assert_true(H5Tinsert(t, column, 0, H5T_NATIVE_INT8) >= 0);
    assert_true(H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0);
    assert_true(H5Dwrite(d, t, mspace, space, H5P_DEFAULT, &v) >= 0);
    H5Sclose(mspace);
    H5Sclose(space);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(file);
}

static void test_corrupt_files(void **state)
{
    sweep_file sf;
    const char *argv[] = {"summary", NULL};
    write_sweep(&sf, main_grid, "corrupt.h5", keep_all, 1);
    argv[1] = sf.path;
    set_cell_i8(sf.path, "status_code", 5, 7);
    usage_fails(2, argv, "row 5 has status_code = 7");
    set_cell_i8(sf.path, "status_code", 5, (int8_t)sf.runs[5].r.status);
    set_text_attr(sf.path, "grid_hash", "0123");
    usage_fails(2, argv, "does not match its grid_hash");
    set_text_attr(sf.path, "grid_text", "[sweep\n");
    usage_fails(2, argv, "its stored grid does not load in this gdsweep: " GRID_PATH ":1:");
    sweep_file_free(&sf);
}

static int setup(void **state)
{
    return test_dir_create("summary");
}

static int teardown(void **state)
{
    return test_dir_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_matches_the_runs),
        cmocka_unit_test(test_terminal_form),
        cmocka_unit_test(test_partial_file),
        cmocka_unit_test(test_every_run_complete_but_not_closed_normally),
        cmocka_unit_test(test_every_run_diverged),
        cmocka_unit_test(test_single_run),
        cmocka_unit_test(test_bad_command_lines),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_corrupt_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
