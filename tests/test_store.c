/* test_store.c - the runs-table columns and the HDF5 store, read back with the HDF5 C API.
 *
 * A small grid is parsed, every run gets a synthetic result and history, the runs are
 * written in two batches (the second in reverse order), and the file is read back column
 * by column, with each expected value worked out here from the run description and the
 * registries (not from the column code). Also: instance groups written from the batches
 * (each once, however often it is sent), unwritten rows, target checks, failures, and how
 * key clashes between categories are resolved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdsweep/columns.h"
#include "gdsweep/store.h"

static const char grid_text[] =
    "[sweep]\n"
    "name = storetest\n"
    "seed = 11\n"
    "repeats = 2\n"
    "record_every = 5\n"
    "iterations = 20\n"
    "\n"
    "[problem q]\n"
    "type = quadratic\n"
    "a = 1, 2\n"
    "gradient = analytic, numeric\n"
    "\n"
    "[problem img]\n"
    "type = denoise\n"
    "size = 4\n"
    "save_final = true, false\n"
    "\n"
    "[optimizer plain]\n"
    "type = gd\n"
    "lr = 0.1, 0.2\n"
    "schedule = constant, step\n"
    "gamma = 0.25\n"
    "\n"
    "[optimizer adam]\n"
    "lr = 0.01\n"
    "problems = q\n";

/* Enough quadratic runs for /runs to have several chunks (docs/FORMAT.md: about 1 MiB
 * each); the step schedule makes the file store traj/lr, as check_payload expects. */
static const char chunks_grid_text[] =
    "[sweep]\n"
    "name = chunktest\n"
    "seed = 3\n"
    "record_every = 5\n"
    "iterations = 20\n"
    "\n"
    "[problem many]\n"
    "type = quadratic\n"
    "x0 = linspace(-1, 1, 2600)\n"
    "\n"
    "[optimizer plain]\n"
    "type = gd\n"
    "lr = 0.1\n"
    "schedule = constant, step\n"
    "gamma = 0.25\n";

static char tmpdir[64];

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* ---- synthetic results -------------------------------------------------------------- */

#define MAX_RECORDS 4
#define MAX_FINAL 3

static size_t records_of(uint64_t i) { return 1 + i % MAX_RECORDS; }
static size_t path_dim_of(uint64_t i) { return i % 3; }
static size_t final_of(const gd_run_desc *d)
{
    return d->control.save_final ? 2 + d->id % 2 : 0;
}
static double traj_value(uint64_t i, size_t k, int which)
{
    return (double)i * 100 + (double)k + 0.125 * which;
}

static void synthetic_result(uint64_t i, gd_run_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = (int)(i % 3) - 1;
    r->iterations = 10 + (long)i;
    r->loss_initial = 100.0 + (double)i;
    r->loss_final = 0.5 * (double)i;
    r->loss_best = 0.25 * (double)i;
    r->grad_norm_final = 0.125 * (double)i;
    r->gap = i % 4 ? 0.0625 * (double)i : NAN;
    r->metric = 1000.0 + (double)i;     /* must only show up for denoise runs */
    r->loss_evals = 3 * (long)i;
    r->grad_evals = 2 * (long)i;
    r->monitor_loss_evals = 5 * (long)i;
    r->monitor_grad_evals = 7 * (long)i;
    r->samples_seen = 11 * (long)i;
    r->epochs = 0.5 * (double)i;
    r->wall_seconds = 1e-3 * (double)i;
    for (size_t k = 0; k < GD_TARGETS; k++) {
        r->steps_to[k] = k < i % 5 ? (long)(i + k) : -1;
        r->grad_evals_to[k] = k < i % 5 ? (long)(i + 2 * k) : -1;
        r->seconds_to[k] = k < i % 5 ? 1e-4 * (double)(i + k) : NAN;
    }
    r->rank = (int)(i % 4);
    r->threads = 1 + (int)(i % 2);
}

typedef struct history_buf {
    long iteration[MAX_RECORDS];
    double loss[MAX_RECORDS], grad_norm[MAX_RECORDS], lr[MAX_RECORDS];
    double batch_loss[MAX_RECORDS];
    double path[MAX_RECORDS * 2], x[MAX_FINAL];
    gd_history h;
} history_buf;

static void synthetic_history(uint64_t i, history_buf *hb)
{
    hb->h = (gd_history){.capacity = MAX_RECORDS, .count = records_of(i),
                         .iteration = hb->iteration, .loss = hb->loss,
                         .grad_norm = hb->grad_norm, .lr = hb->lr,
                         .batch_loss = hb->batch_loss,
                         .path_dim = path_dim_of(i), .path = hb->path};
    for (size_t k = 0; k < hb->h.count; k++) {
        hb->iteration[k] = (long)(5 * k + i);
        hb->loss[k] = traj_value(i, k, 1);
        hb->grad_norm[k] = traj_value(i, k, 2);
        hb->lr[k] = traj_value(i, k, 3);
        hb->batch_loss[k] = traj_value(i, k, 5);
        for (size_t j = 0; j < hb->h.path_dim; j++)
            hb->path[k * hb->h.path_dim + j] = traj_value(i, 10 * k + j, 4);
    }
    for (size_t j = 0; j < MAX_FINAL; j++)
        hb->x[j] = traj_value(i, j, 5);
}

static void add_run(gd_batch *b, const gd_sweep *s, uint64_t id)
{
    gd_run_desc d;
    gd_run_result r;
    history_buf hb;
    gd_error err;
    gd_sweep_decode(s, id, &d);
    synthetic_result(id, &r);
    synthetic_history(id, &hb);
    assert_int_equal(gd_batch_add(b, &d, &r, &hb.h, hb.x, final_of(&d), &err), 0);
}

static void load_grid_text(gd_sweep *s, const char *text)
{
    gd_error err;
    int rc = gd_sweep_parse(s, "store_test.ini", text, strlen(text), 0, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_true(s->n_runs >= 20);
}

static void load_grid(gd_sweep *s) { load_grid_text(s, grid_text); }

/* A fake instance: two inputs (one 2-D), values from the instance index. */
typedef struct fake_problem {
    double clean[6], y[4];
    gd_problem p;
} fake_problem;

static void fake_instance(const gd_sweep *s, const gd_run_desc *d, fake_problem *f)
{
    for (size_t j = 0; j < 6; j++)
        f->clean[j] = (double)d->instance * 10 + (double)j;
    for (size_t j = 0; j < 4; j++)
        f->y[j] = -(double)j - (double)d->instance;
    memset(&f->p, 0, sizeof f->p);
    f->p.type = s->problems[d->problem].type;
    f->p.n = 3;
    f->p.has_optimum = (int)(d->instance % 2);
    f->p.f_opt = f->p.has_optimum ? -(double)d->instance : NAN;
    f->p.inputs[0] = (gd_array){.name = "clean", .rank = 2, .dims = {2, 3}, .data = f->clean};
    f->p.inputs[1] = (gd_array){.name = "y", .rank = 1, .dims = {4, 0}, .data = f->y};
    f->p.n_inputs = 2;
}

/* ---- expected cells, from the registries ------------------------------------------- */

typedef struct cell {
    int is_text;
    double num;
    char text[128];
} cell;

static void set_text(cell *c, const char *s)
{
    c->is_text = 1;
    snprintf(c->text, sizeof c->text, "%s", s ? s : "");
}

static void set_num(cell *c, double v)
{
    c->is_text = 0;
    c->num = v;
}

/* The value of key in specs for values v: 1 found, 0 not a key of specs. */
static int spec_cell(const gd_param_spec *specs, const double *v, const char *key, cell *c)
{
    int k = specs ? gd_param_find(specs, key) : -1;
    if (k < 0)
        return 0;
    if (specs[k].kind == GD_CHOICE)
        set_text(c, specs[k].choices[(size_t)v[k]]);
    else
        set_num(c, v[k]);
    return 1;
}

/* Absent parameter: "" for a choice key, NaN otherwise. */
static int absent_cell(const gd_param_spec *specs, const char *key, cell *c)
{
    int k = specs ? gd_param_find(specs, key) : -1;
    if (k < 0)
        return 0;
    if (specs[k].kind == GD_CHOICE)
        set_text(c, "");
    else
        set_num(c, NAN);
    return 1;
}

static int control_cell(const gd_run_control *ctl, const char *key, cell *c)
{
    double v[GD_CONTROL_COUNT] = {(double)ctl->iterations, ctl->numeric_gradient, ctl->epsilon,
                                  ctl->grad_tol, ctl->loss_tol, ctl->divergence,
                                  ctl->save_final, (double)ctl->batch_size, ctl->sampling,
                                  ctl->grad_noise, ctl->lower, ctl->upper};
    int k = gd_param_find(gd_control_params, key);
    if (k < 0)
        return 0;
    if (strcmp(key, "save_final") == 0)
        set_num(c, v[k]);                      /* a flag: stored as 0 / 1 */
    else
        spec_cell(gd_control_params, v, key, c);
    return 1;
}

/* A time-to-target column: its value in r. */
static int target_cell(const gd_run_result *r, const char *key, cell *c)
{
    for (size_t k = 0; k < GD_TARGETS; k++) {
        const double v[GD_TARGET_KINDS] = {(double)r->steps_to[k], (double)r->grad_evals_to[k],
                                           r->seconds_to[k]};
        for (int kind = 0; kind < GD_TARGET_KINDS; kind++)
            if (strcmp(key, gd_target_column_name(kind, k)) == 0) {
                set_num(c, v[kind]);
                return 1;
            }
    }
    return 0;
}

static int result_cell(const gd_run_result *r, const char *key, cell *c)
{
    const struct { const char *name; double v; } nums[] = {
        {"status_code", r->status}, {"steps", (double)r->iterations},
        {"loss_initial", r->loss_initial}, {"loss_final", r->loss_final},
        {"loss_best", r->loss_best}, {"grad_norm_final", r->grad_norm_final},
        {"gap", r->gap}, {"loss_evals", (double)r->loss_evals},
        {"grad_evals", (double)r->grad_evals},
        {"monitor_loss_evals", (double)r->monitor_loss_evals},
        {"monitor_grad_evals", (double)r->monitor_grad_evals}, {"wall_seconds", r->wall_seconds},
        {"samples_seen", (double)r->samples_seen}, {"epochs", r->epochs},
        {"rank", r->rank}, {"threads", r->threads}, {"written", 1},
    };
    if (strcmp(key, "status") == 0) {
        set_text(c, r->status > 0 ? "converged" : r->status < 0 ? "diverged" : "max_iter");
        return 1;
    }
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (strcmp(key, nums[i].name) == 0) {
            set_num(c, nums[i].v);
            return 1;
        }
    return target_cell(r, key, c);
}

static int identity_cell(const gd_sweep *s, const gd_run_desc *d, const char *key, cell *c)
{
    const gd_problem_section *ps = &s->problems[d->problem];
    const gd_optimizer_section *os = &s->optimizers[d->optimizer];
    const char *texts[][2] = {{"problem", ps->label}, {"problem_type", ps->type->name},
                              {"optimizer", os->label}, {"optimizer_type", os->type->name},
                              {"schedule", d->schedule->name}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(key, texts[i][0]) == 0) {
            set_text(c, texts[i][1]);
            return 1;
        }
    const struct { const char *name; uint64_t v; } nums[] = {
        {"run_id", d->id}, {"instance", d->instance}, {"repeat", d->repeat}};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(key, nums[i].name) == 0) {
            set_num(c, (double)nums[i].v);
            return 1;
        }
    return 0;
}

static int metric_cell(const gd_sweep *s, const gd_run_desc *d, const gd_run_result *r,
                       const char *key, cell *c)
{
    const char *mine = s->problems[d->problem].type->metric_name;
    for (size_t t = 0; gd_problems[t]; t++)
        if (gd_problems[t]->metric_name && strcmp(gd_problems[t]->metric_name, key) == 0) {
            set_num(c, mine && strcmp(mine, key) == 0 ? r->metric : NAN);
            return 1;
        }
    return 0;
}

/* Parameters of the run's own types first, then the keys of every other type. */
static int param_cell(const gd_sweep *s, const gd_run_desc *d, const char *key, cell *c)
{
    if (spec_cell(s->problems[d->problem].type->params, d->problem_params, key, c) ||
        spec_cell(s->optimizers[d->optimizer].type->params, d->optimizer_params, key, c) ||
        spec_cell(d->schedule->params, d->schedule_params, key, c))
        return 1;
    for (size_t t = 0; gd_problems[t]; t++)
        if (absent_cell(gd_problems[t]->params, key, c))
            return 1;
    for (size_t t = 0; gd_optimizers[t]; t++)
        if (absent_cell(gd_optimizers[t]->params, key, c))
            return 1;
    for (size_t t = 0; gd_schedules[t]; t++)
        if (absent_cell(gd_schedules[t]->params, key, c))
            return 1;
    return 0;
}

/* Storage columns are checked through the trajectories (check_payload). */
static const char *const storage_names[] = {"traj_offset", "traj_count", "path_offset",
                                            "path_count", "path_dim", "final_offset",
                                            "final_count", NULL};

static int is_storage(const char *key)
{
    for (size_t i = 0; storage_names[i]; i++)
        if (strcmp(storage_names[i], key) == 0)
            return 1;
    return 0;
}

/* Expected cell of column key for run id; 0 when the test knows no such column. */
static int expected_cell(const gd_sweep *s, uint64_t id, const char *key, cell *c)
{
    gd_run_desc d;
    gd_run_result r;
    gd_sweep_decode(s, id, &d);
    synthetic_result(id, &r);
    return identity_cell(s, &d, key, c) || control_cell(&d.control, key, c) ||
           result_cell(&r, key, c) || metric_cell(s, &d, &r, key, c) ||
           param_cell(s, &d, key, c);
}

/* ---- reading the file back -------------------------------------------------------- */

#define TEXT_MAX 128

/* Column `name` of /runs, as doubles (nums) or as strings of TEXT_MAX bytes (texts). */
static void read_column(hid_t ds, const char *name, int as_text, double *nums, char *texts)
{
    hid_t member = as_text ? H5Tcopy(H5T_C_S1) : H5Tcopy(H5T_NATIVE_DOUBLE);
    if (as_text) {
        H5Tset_size(member, TEXT_MAX);
        H5Tset_strpad(member, H5T_STR_NULLTERM);
        H5Tset_cset(member, H5T_CSET_UTF8);
    }
    hid_t t = H5Tcreate(H5T_COMPOUND, as_text ? TEXT_MAX : sizeof(double));
    assert_true(H5Tinsert(t, name, 0, member) >= 0);
    if (H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, as_text ? (void *)texts : (void *)nums) < 0) {
        H5Eprint2(H5E_DEFAULT, stderr);
        fail_msg("cannot read column %s", name);
    }
    H5Tclose(t);
    H5Tclose(member);
}

static void same_number(double want, double got, const char *col, size_t row)
{
    if (isnan(want) ? !isnan(got) : want != got)
        fail_msg("column %s row %zu: want %.17g, got %.17g", col, row, want, got);
}

/* Every column of /runs against expected_cell; returns how many were compared. */
static size_t check_columns(hid_t file, const gd_sweep *s, const unsigned char *written)
{
    hid_t ds = H5Dopen2(file, "runs", H5P_DEFAULT);
    hid_t ft = H5Dget_type(ds);
    size_t n = s->n_runs, compared = 0;
    double *nums = malloc(n * sizeof *nums);
    char *texts = malloc(n * TEXT_MAX);
    assert_non_null(nums);
    assert_non_null(texts);
    for (int m = 0; m < H5Tget_nmembers(ft); m++) {
        char *name = H5Tget_member_name(ft, (unsigned)m);
        H5T_class_t cls = H5Tget_member_class(ft, (unsigned)m);
        int as_text = cls == H5T_STRING;
        read_column(ds, name, as_text, nums, texts);
        for (size_t i = 0; i < n && !is_storage(name); i++) {
            cell want;
            if (!expected_cell(s, i, name, &want))
                fail_msg("unexpected column %s", name);
            if (!written[i])                        /* the fill value */
                set_num(&want, cls == H5T_FLOAT ? NAN : 0.0);
            assert_int_equal(as_text, written[i] ? want.is_text : as_text);
            if (as_text)
                assert_string_equal(texts + i * TEXT_MAX, written[i] ? want.text : "");
            else
                same_number(want.num, nums[i], name, i);
        }
        compared++;
        H5free_memory(name);
    }
    free(nums);
    free(texts);
    H5Tclose(ft);
    H5Dclose(ds);
    return compared;
}

/* A whole 1-D dataset as doubles; *n receives its length. */
static double *read_series(hid_t file, const char *name, size_t *n)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t sp = H5Dget_space(ds);
    hsize_t len = 0;
    H5Sget_simple_extent_dims(sp, &len, NULL);
    double *v = malloc((len ? len : 1) * sizeof *v);
    assert_non_null(v);
    assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(sp);
    H5Dclose(ds);
    *n = len;
    return v;
}

static double *runs_column(hid_t file, const char *name, size_t n)
{
    hid_t ds = H5Dopen2(file, "runs", H5P_DEFAULT);
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    read_column(ds, name, 0, v, NULL);
    H5Dclose(ds);
    return v;
}

enum { S_LOSS = 1, S_GRAD, S_LR, S_PATH, S_FINAL, S_COUNT };

/* Each written run's trajectory, path and final parameters, found through its offsets.
 * The grid has the step schedule and no stochastic run: format 3 stores traj/lr but not
 * traj/iteration nor traj/batch_loss (docs/FORMAT.md). */
static void check_payload(hid_t file, const gd_sweep *s, const unsigned char *written)
{
    static const char *const series[S_COUNT] = {NULL, "traj/loss", "traj/grad_norm",
                                                "traj/lr", "path/x", "final/x"};
    double *v[S_COUNT], *col[7];
    size_t len[S_COUNT];
    assert_int_equal(H5Lexists(file, "traj/iteration", H5P_DEFAULT), 0);
    assert_int_equal(H5Lexists(file, "traj/batch_loss", H5P_DEFAULT), 0);
    for (int i = S_LOSS; i < S_COUNT; i++)
        v[i] = read_series(file, series[i], &len[i]);
    for (int i = 0; i < 7; i++)
        col[i] = runs_column(file, storage_names[i], s->n_runs);
    for (uint64_t id = 0; id < s->n_runs; id++) {
        if (!written[id])
            continue;
        gd_run_desc d;
        gd_sweep_decode(s, id, &d);
        size_t t0 = (size_t)col[0][id], n = (size_t)col[1][id], p0 = (size_t)col[2][id];
        size_t dim = (size_t)col[4][id], f0 = (size_t)col[5][id];
        assert_int_equal(n, records_of(id));
        assert_int_equal(dim, path_dim_of(id));
        assert_int_equal((size_t)col[3][id], n * dim);
        assert_int_equal((size_t)col[6][id], final_of(&d));
        assert_true(t0 + n <= len[S_LOSS] && p0 + n * dim <= len[S_PATH]);
        assert_true(f0 + final_of(&d) <= len[S_FINAL]);
        for (size_t k = 0; k < n; k++) {
            for (int w = S_LOSS; w <= S_LR; w++)
                same_number(traj_value(id, k, w), v[w][t0 + k], series[w], id);
            for (size_t j = 0; j < dim; j++)
                same_number(traj_value(id, 10 * k + j, 4), v[S_PATH][p0 + k * dim + j],
                            "path", id);
        }
        for (size_t j = 0; j < final_of(&d); j++)
            same_number(traj_value(id, j, 5), v[S_FINAL][f0 + j], "final", id);
    }
    for (int i = S_LOSS; i < S_COUNT; i++)
        free(v[i]);
    for (int i = 0; i < 7; i++)
        free(col[i]);
}

/* A text attribute, which the writer stores as a fixed-length string (docs/FORMAT.md). */
static void attr_text(hid_t obj, const char *name, char *buf, size_t size)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t ft = H5Aget_type(a);
    assert_int_equal(H5Tget_class(ft), H5T_STRING);
    assert_int_equal(H5Tis_variable_str(ft), 0);
    size_t len = H5Tget_size(ft);
    assert_true(len >= 1 && len < size);
    hid_t t = H5Tcopy(ft);
    H5Tset_size(t, len + 1);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    assert_true(H5Aread(a, t, buf) >= 0);
    H5Tclose(t);
    H5Tclose(ft);
    H5Aclose(a);
}

static double attr_number(hid_t obj, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

static void check_root(hid_t file, const gd_sweep *s, const char *command_line,
                       double runs_written)
{
    char buf[4096];
    H5F_info2_t info;
    assert_true(H5Fget_info2(file, &info) >= 0);
    assert_int_equal(info.super.version, 2);     /* the 1.8 format: checksummed metadata */
    attr_text(file, "grid_text", buf, sizeof buf);
    assert_string_equal(buf, grid_text);
    attr_text(file, "grid_hash", buf, sizeof buf);
    assert_string_equal(buf, s->hash);
    assert_int_equal(strlen(buf), 64);
    attr_text(file, "name", buf, sizeof buf);
    assert_string_equal(buf, "storetest");
    attr_text(file, "grid_path", buf, sizeof buf);
    assert_string_equal(buf, "store_test.ini");
    attr_text(file, "command_line", buf, sizeof buf);
    assert_string_equal(buf, command_line);
    attr_text(file, "gdsweep_version", buf, sizeof buf);
    assert_string_equal(buf, GD_VERSION);
    attr_text(file, "created", buf, sizeof buf);
    assert_int_equal(strlen(buf), 20);           /* 2024-01-02T03:04:05Z */
    assert_true(buf[4] == '-' && buf[10] == 'T' && buf[19] == 'Z');
    assert_true(attr_number(file, "format_version") == GD_FORMAT_VERSION);
    assert_true(attr_number(file, "seed") == 11);
    assert_true(attr_number(file, "n_runs") == (double)s->n_runs);
    assert_true(attr_number(file, "n_instances") == (double)s->n_instances);
    assert_true(attr_number(file, "record_every") == 5);
    assert_true(attr_number(file, "complete") == 1);
    assert_true(attr_number(file, "runs_written") == runs_written);
    assert_true(attr_number(file, "wall_seconds") == 2.5);
}

/* The group of instance k against the run d that first used it. */
static void check_instance(hid_t file, const gd_sweep *s, const gd_run_desc *d)
{
    char name[64], buf[256];
    snprintf(name, sizeof name, "/instances/%llu", (unsigned long long)d->instance);
    hid_t g = H5Gopen2(file, name, H5P_DEFAULT);
    assert_true(g >= 0);
    const gd_problem_section *ps = &s->problems[d->problem];
    attr_text(g, "problem", buf, sizeof buf);
    assert_string_equal(buf, ps->label);
    attr_text(g, "problem_type", buf, sizeof buf);
    assert_string_equal(buf, ps->type->name);
    assert_true(attr_number(g, "repeat") == (double)d->repeat);
    assert_true(attr_number(g, "dimension") == 3);
    same_number(d->instance % 2 ? -(double)d->instance : NAN, attr_number(g, "f_opt"), "f_opt",
                d->instance);
    for (size_t k = 0; ps->type->params[k].key; k++) {
        const gd_param_spec *spec = &ps->type->params[k];
        if (spec->kind == GD_PATH) { /* a file key: the file's name */
            attr_text(g, spec->key, buf, sizeof buf);
            assert_string_equal(buf, gd_sweep_file_name(s, d->problem_params[k]));
        } else if (spec->kind != GD_CHOICE) {
            same_number(d->problem_params[k], attr_number(g, spec->key), spec->key,
                        d->instance);
        }
    }
    hid_t ds = H5Dopen2(g, "clean", H5P_DEFAULT);
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 2);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    assert_true(dims[0] == 2 && dims[1] == 3);
    double clean[6];
    assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, clean) >= 0);
    for (size_t j = 0; j < 6; j++)
        assert_true(clean[j] == (double)d->instance * 10 + (double)j);
    H5Sclose(sp);
    H5Dclose(ds);
    ds = H5Dopen2(g, "y", H5P_DEFAULT);
    sp = H5Dget_space(ds);
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
    H5Sclose(sp);
    H5Dclose(ds);
    H5Gclose(g);
}

static size_t count_instance_groups(hid_t file)
{
    H5G_info_t info;
    hid_t g = H5Gopen2(file, "instances", H5P_DEFAULT);
    assert_true(H5Gget_info(g, &info) >= 0);
    H5Gclose(g);
    return (size_t)info.nlinks;
}

/* ---- tests: a whole sweep ---------------------------------------------------------- */

/* Adds the fake instance of run id to b, as a worker does when it sets one up. */
static void add_instance(gd_batch *b, const gd_sweep *s, uint64_t id)
{
    gd_error err;
    gd_run_desc d;
    fake_problem f;
    gd_sweep_decode(s, id, &d);
    fake_instance(s, &d, &f);
    assert_int_equal(gd_batch_add_instance(b, &d, &f.p, &err), 0);
}

/* Instances of runs 0 .. n-1 that keep their inputs (runs of one are consecutive). */
static size_t stored_instances(const gd_sweep *s, uint64_t n)
{
    size_t distinct = 0;
    uint64_t last = UINT64_MAX;
    for (uint64_t id = 0; id < n; id++) {
        gd_run_desc d;
        gd_sweep_decode(s, id, &d);
        distinct += d.instance != last && s->problems[d.problem].type->stores_inputs;
        last = d.instance;
    }
    return distinct;
}

/* A parsed grid, an open store on a file in tmpdir, and a batch. */
typedef struct sweep_file {
    gd_sweep s;
    gd_store *st;
    gd_batch b;
    char path[128];
} sweep_file;

static void open_grid_file(sweep_file *f, const char *text, const char *name,
                           const char *command_line)
{
    gd_error err;
    memset(f, 0, sizeof *f);
    load_grid_text(&f->s, text);
    tmp_path(f->path, sizeof f->path, name);
    assert_int_equal(gd_store_check_target(f->path, 0, &err), 0);
    if (gd_store_create(&f->st, f->path, &f->s, command_line, &err) != 0)
        fail_msg("%s", err.msg);
}

static void open_sweep_file(sweep_file *f, const char *name, const char *command_line)
{
    open_grid_file(f, grid_text, name, command_line);
}

static void write_batch(sweep_file *f)
{
    gd_error err;
    if (gd_store_write_batch(f->st, &f->b, &err) != 0)
        fail_msg("%s", err.msg);
    gd_batch_clear(&f->b);
}

static void close_sweep_file(sweep_file *f)
{
    gd_error err;
    if (f->st && gd_store_close(f->st, 2.5, 1, &err) != 0)
        fail_msg("%s", err.msg);
    f->st = NULL;
}

static void discard_sweep_file(sweep_file *f)
{
    close_sweep_file(f);
    gd_batch_free(&f->b);
    gd_sweep_free(&f->s);
    unlink(f->path);
}

static void test_sweep_round_trip(void **state)
{
    sweep_file f;
    open_sweep_file(&f, "sweep.h5", "gdsweep store_test.ini");
    const gd_sweep *s = &f.s;
    uint64_t half = s->n_runs / 2, last = UINT64_MAX;
    for (uint64_t id = 0; id < half; id++) {      /* each instance before its first run */
        gd_run_desc d;
        gd_sweep_decode(s, id, &d);
        if (d.instance != last)
            add_instance(&f.b, s, id);
        last = d.instance;
        add_run(&f.b, s, id);
    }
    write_batch(&f);
    for (uint64_t id = s->n_runs; id-- > half;) { /* out of order; every run resends its */
        add_instance(&f.b, s, id);                /* instance: copies are skipped */
        add_run(&f.b, s, id);
    }
    assert_true(f.b.n_instances > stored_instances(s, s->n_runs) - stored_instances(s, half));
    write_batch(&f);
    add_instance(&f.b, s, s->n_runs - 1);         /* a batch of instances alone, sent */
    add_instance(&f.b, s, s->n_runs - 1);         /* twice, and written before */
    write_batch(&f);
    size_t instances = stored_instances(s, s->n_runs);
    assert_true(gd_store_io_seconds(f.st) > 0);
    close_sweep_file(&f);

    unsigned char *written = malloc(s->n_runs);
    memset(written, 1, s->n_runs);
    hid_t file = H5Fopen(f.path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    check_root(file, s, "gdsweep store_test.ini", (double)s->n_runs);
    assert_true(check_columns(file, s, written) > 50);
    check_payload(file, s, written);
    assert_int_equal(count_instance_groups(file), instances);
    assert_true(instances > 0 && instances < s->n_instances);
    gd_run_desc d;
    gd_sweep_decode(s, s->n_runs - 1, &d);          /* a denoise instance, repeat 1 */
    check_instance(file, s, &d);
    gd_sweep_decode(s, 0, &d);                      /* quadratic: all in the runs table */
    char name[64];
    snprintf(name, sizeof name, "/instances/%llu", (unsigned long long)d.instance);
    assert_int_equal(H5Lexists(file, name, H5P_DEFAULT), 0);
    H5Fclose(file);
    free(written);
    discard_sweep_file(&f);
}

/* An instance whose run is not one of its runs, or beyond the grid, fails the batch
 * before anything of it is written. */
static void test_batch_instance_mismatch(void **state)
{
    sweep_file f;
    gd_error err = {{0}, 0};
    open_sweep_file(&f, "mismatch.h5", "");
    uint64_t id = f.s.n_runs - 1;                  /* a denoise run: inputs kept */
    add_instance(&f.b, &f.s, id);
    add_run(&f.b, &f.s, id);
    f.b.instances[0].instance += 1;
    assert_int_equal(gd_store_write_batch(f.st, &f.b, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, "not one of its runs"));
    assert_non_null(strstr(err.msg, f.path));
    f.b.instances[0].instance -= 1;
    f.b.instances[0].run_id = f.s.n_runs;
    assert_int_equal(gd_store_write_batch(f.st, &f.b, &err), -1);
    assert_non_null(strstr(err.msg, "not one of its runs"));
    close_sweep_file(&f);
    hid_t file = H5Fopen(f.path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_int_equal(count_instance_groups(file), 0);
    assert_true(attr_number(file, "runs_written") == 0);
    H5Fclose(file);
    discard_sweep_file(&f);
}

/* Column types a reader relies on. */
static void test_column_types(void **state)
{
    gd_columns c;
    gd_error err;
    assert_int_equal(gd_columns_build(&c, &err), 0);
    const struct { const char *name; gd_col_type type; } want[] = {
        {"run_id", GD_COL_U64}, {"problem", GD_COL_STR}, {"iterations", GD_COL_I64},
        {"gradient", GD_COL_STR}, {"save_final", GD_COL_U8}, {"epsilon", GD_COL_F64},
        {"lr", GD_COL_F64}, {"schedule", GD_COL_STR}, {"status", GD_COL_STR},
        {"status_code", GD_COL_I8}, {"steps", GD_COL_I64}, {"psnr", GD_COL_F64},
        {"written", GD_COL_U8}, {"traj_offset", GD_COL_U64},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int k = gd_columns_find(&c, want[i].name);
        assert_true(k >= 0);
        assert_int_equal(c.col[k].type, want[i].type);
    }
    size_t end = 0;
    for (size_t i = 0; i < c.count; i++) {       /* packed, in order */
        assert_int_equal(c.col[i].offset, end);
        end += c.col[i].size;
    }
    assert_int_equal(end, c.row_size);
    assert_int_equal(gd_columns_find(&c, "run_id"), 0);
    assert_string_equal(c.col[c.count - 1].name, "written");
    gd_columns_free(&c);
}

/* Rows never written read back as the fill value: written 0, NaN, "", 0. */
static void test_unwritten_rows(void **state)
{
    sweep_file f;
    open_sweep_file(&f, "partial.h5", "");
    unsigned char *written = calloc(f.s.n_runs, 1);
    size_t n = 0;
    for (uint64_t id = 1; id < f.s.n_runs; id += 3, n++) { /* not contiguous */
        add_run(&f.b, &f.s, id);
        written[id] = 1;
    }
    write_batch(&f);
    close_sweep_file(&f);
    hid_t file = H5Fopen(f.path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    check_root(file, &f.s, "", (double)n);
    check_columns(file, &f.s, written);
    check_payload(file, &f.s, written);
    H5Fclose(file);
    free(written);
    discard_sweep_file(&f);
}

/* Adds the runs [lo, hi) to f's batch (descending when `down`) and marks them written. */
static void add_runs(sweep_file *f, uint64_t lo, uint64_t hi, int down, unsigned char *written)
{
    for (uint64_t k = lo; k < hi; k++) {
        uint64_t id = down ? hi - 1 - (k - lo) : k;
        add_run(&f->b, &f->s, id);
        written[id] = 1;
    }
}

/* Rows into /runs as store_rows.c writes them: the chunks a batch fills whole (raw), in a
 * batch in id order (the serial driver's) and in one whose results come interleaved from
 * two workers (MPI's); the partly filled chunks at a stretch's ends; chunks that two or
 * three batches fill; rows never written (the fill value). All read back as they should. */
static void test_whole_chunks_of_rows(void **state)
{
    sweep_file f;
    open_grid_file(&f, chunks_grid_text, "chunks.h5", "");
    gd_columns c;
    gd_error err;
    assert_int_equal(gd_columns_build(&c, &err), 0);
    uint64_t n = f.s.n_runs, rows = 64; /* rows per chunk, as docs/FORMAT.md says */
    while (rows < 4096 && 2 * rows * c.row_size <= (1u << 20))
        rows *= 2;
    gd_columns_free(&c);
    assert_true(n > 4 * rows + 400); /* chunks 1 and 3 filled whole by one batch each */
    unsigned char *written = calloc(n, 1);
    add_runs(&f, 100, 2 * rows + 80, 0, written);       /* in order: chunk 1 whole */
    write_batch(&f);
    for (uint64_t k = 0; k < 2 * rows; k++) {           /* two streams, one descending: */
        if (4 * rows + 4 - k >= 2 * rows + 80)           /* chunk 3 whole once sorted */
            add_runs(&f, 4 * rows + 4 - k, 4 * rows + 5 - k, 0, written);
        if (4 * rows + 300 + k < n - 7)
            add_runs(&f, 4 * rows + 300 + k, 4 * rows + 301 + k, 0, written);
    }
    write_batch(&f);
    add_runs(&f, 4 * rows + 5, 4 * rows + 300, 1, written); /* descending, then a gap */
    add_runs(&f, 40, 100, 1, written);
    write_batch(&f);
    assert_int_equal(gd_store_commit_profile(f.st).raw_chunks, 2); /* chunks 1 and 3 */
    close_sweep_file(&f);
    hid_t file = H5Fopen(f.path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    hid_t ds = H5Dopen2(file, "runs", H5P_DEFAULT), dcpl = H5Dget_create_plist(ds);
    hsize_t chunk = 0;
    assert_int_equal(H5Pget_chunk(dcpl, 1, &chunk), 1);
    assert_int_equal(chunk, rows);
    H5Pclose(dcpl);
    H5Dclose(ds);
    check_columns(file, &f.s, written);
    check_payload(file, &f.s, written);
    H5Fclose(file);
    free(written);
    discard_sweep_file(&f);
}

/* A file killed before close still says it is incomplete, and its batches are there. */
static void test_incomplete_until_close(void **state)
{
    sweep_file f;
    open_sweep_file(&f, "open.h5", "");
    add_run(&f.b, &f.s, 0);
    write_batch(&f);
    /* Read as another process would (HDF5's own driver; its lock would meet the
     * writer's, which in this process another open of the file does not share). */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_file_locking(fapl, 0, 1);
    hid_t file = H5Fopen(f.path, H5F_ACC_RDONLY, fapl); /* flushed: readable */
    H5Pclose(fapl);
    assert_true(file >= 0);
    assert_true(attr_number(file, "complete") == 0);
    double *w = runs_column(file, "written", f.s.n_runs);
    assert_true(w[0] == 1 && w[1] == 0);
    free(w);
    H5Fclose(file);
    discard_sweep_file(&f);
}

/* ---- tests: targets and failures --------------------------------------------------- */

static void expect_usage_error(const char *path, int overwrite, const char *mention)
{
    gd_error err = {{0}, 0};
    assert_int_equal(gd_store_check_target(path, overwrite, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, mention));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_check_target(void **state)
{
    char path[256], missing[128], notdir[128], sub[128];
    gd_error err;
    tmp_path(missing, sizeof missing, "no_such_dir/out.h5");
    expect_usage_error(missing, 1, "does not exist");
    tmp_path(path, sizeof path, "plain.txt");
    write_file(path, "keep me");
    tmp_path(notdir, sizeof notdir, "plain.txt/out.h5");
    expect_usage_error(notdir, 1, "not a directory");
    expect_usage_error(path, 0, "exists");
    FILE *f = fopen(path, "r");                     /* untouched */
    char buf[32] = {0};
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "keep me");
    assert_int_equal(gd_store_check_target(path, 1, &err), 0);
    tmp_path(sub, sizeof sub, "subdir");
    assert_int_equal(mkdir(sub, 0755), 0);
    expect_usage_error(sub, 1, "is a directory");
    tmp_path(path, sizeof path, "fresh.h5");
    assert_int_equal(gd_store_check_target(path, 0, &err), 0);
    assert_int_equal(access(path, F_OK), -1);     /* nothing created */
    expect_usage_error("", 0, "empty");
    if (geteuid() != 0) {                           /* root writes anywhere */
        assert_int_equal(chmod(sub, 0555), 0);
        snprintf(path, sizeof path, "%s/out.h5", sub);
        expect_usage_error(path, 0, "not writable");
        chmod(sub, 0755);
    }
    rmdir(sub);
    tmp_path(path, sizeof path, "plain.txt");
    unlink(path);
}

static void test_create_fails_cleanly(void **state)
{
    gd_sweep s;
    gd_store *st = (gd_store *)&st;
    gd_error err = {{0}, 0};
    char path[128];
    load_grid(&s);
    tmp_path(path, sizeof path, "is_a_dir");        /* a directory cannot be a file */
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(gd_store_create(&st, path, &s, "", &err), -1);
    assert_null(st);
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, path));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    rmdir(path);
    tmp_path(path, sizeof path, "missing/out.h5");
    assert_int_equal(gd_store_create(&st, path, &s, "", &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, path));
    gd_sweep_free(&s);
}

static void test_batch_id_out_of_range(void **state)
{
    sweep_file f;
    gd_error err;
    open_sweep_file(&f, "range.h5", "");
    add_run(&f.b, &f.s, 0);
    f.b.desc[0].id = f.s.n_runs;
    assert_int_equal(gd_store_write_batch(f.st, &f.b, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, f.path));
    discard_sweep_file(&f);
}

/* ---- tests: column names and clashes ------------------------------------------------ */

static const char *const fixed_names[] = {
    "run_id", "problem", "problem_type", "optimizer", "optimizer_type", "instance", "repeat",
    "schedule", "status", "status_code", "steps", "loss_initial", "loss_final", "loss_best",
    "grad_norm_final", "gap", "loss_evals", "grad_evals", "monitor_loss_evals",
    "monitor_grad_evals", "samples_seen", "epochs", "wall_seconds", "rank", "threads", "traj_offset", "traj_count", "path_offset", "path_count", "path_dim", "final_offset",
    "final_count", "written", NULL};

enum { CAT_FIXED, CAT_CONTROL, CAT_PROBLEM, CAT_OPTIMIZER, CAT_SCHEDULE, CAT_METRIC };

typedef struct seen_key {
    const char *key;
    int category;
} seen_key;

static void see(seen_key *seen, size_t *n, const char *key, int category)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(seen[i].key, key) == 0) {
            if (seen[i].category != category)
                fail_msg("key '%s' is used by two categories (%d and %d): its column would "
                         "be renamed (see columns.h); check that this is intended",
                         key, seen[i].category, category);
            return;
        }
    seen[(*n)++] = (seen_key){key, category};
}

static void see_specs(seen_key *seen, size_t *n, const gd_param_spec *specs, int category)
{
    for (size_t k = 0; specs && specs[k].key; k++)
        see(seen, n, specs[k].key, category);
}

/* The shipped registries: no key means two things, so every key is its own column name. */
static void test_registry_keys_do_not_clash(void **state)
{
    seen_key seen[512];
    size_t n = 0;
    for (size_t i = 0; fixed_names[i]; i++)
        see(seen, &n, fixed_names[i], CAT_FIXED);
    for (int kind = 0; kind < GD_TARGET_KINDS; kind++)
        for (size_t k = 0; k < GD_TARGETS; k++)
            see(seen, &n, gd_target_column_name(kind, k), CAT_FIXED);
    see_specs(seen, &n, gd_control_params, CAT_CONTROL);
    for (size_t t = 0; gd_problems[t]; t++) {
        see_specs(seen, &n, gd_problems[t]->params, CAT_PROBLEM);
        if (gd_problems[t]->metric_name)
            see(seen, &n, gd_problems[t]->metric_name, CAT_METRIC);
    }
    for (size_t t = 0; gd_optimizers[t]; t++)
        see_specs(seen, &n, gd_optimizers[t]->params, CAT_OPTIMIZER);
    for (size_t t = 0; gd_schedules[t]; t++)
        see_specs(seen, &n, gd_schedules[t]->params, CAT_SCHEDULE);
    gd_columns c;
    gd_error err;
    assert_int_equal(gd_columns_build(&c, &err), 0);
    assert_int_equal(c.count, n);                    /* one column per distinct key */
    for (size_t i = 0; i < n; i++)
        assert_true(gd_columns_find(&c, seen[i].key) >= 0);
    gd_columns_free(&c);
}

/* Synthetic registries whose keys clash, to exercise the renaming rules. */
static const char *const modes[] = {"fast", "careful", NULL};
static const gd_param_spec p1_params[] = {
    {"lr", GD_REAL, 1, 0, 10, false, false, NULL, "clashes with optimizer lr"},
    {"status", GD_REAL, 2, 0, 10, false, false, NULL, "clashes with a result"},
    {"mode", GD_CHOICE, 1, 0, 0, false, false, modes, "a choice"},
    {0}};
static const gd_param_spec p2_params[] = {
    {"mode", GD_REAL, 3, 0, 10, false, false, NULL, "numeric where p1's is a choice"},
    {0}};
static const gd_param_spec o1_params[] = {
    {"lr", GD_REAL, 0.1, 0, 10, false, false, NULL, "learning rate"},
    {"mode", GD_REAL, 4, 0, 10, false, false, NULL, "clashes with problem mode"},
    {0}};
static const gd_param_spec s1_params[] = {
    {"lr", GD_REAL, 0.5, 0, 10, false, false, NULL, "clashes with optimizer lr"}, {0}};
static const gd_problem_type p1 = {.name = "p1", .params = p1_params, .metric_name = "lr"};
static const gd_problem_type p2 = {.name = "p2", .params = p2_params, .metric_name = "lr"};
static const gd_optimizer_type o1 = {.name = "o1", .params = o1_params};
static const gd_schedule_type s1 = {.name = "s1", .params = s1_params};

static void expect_column(const gd_columns *c, const char *name, const char *category,
                          gd_col_type type)
{
    int k = gd_columns_find(c, name);
    if (k < 0)
        fail_msg("no column %s", name);
    assert_string_equal(c->col[k].category, category);
    assert_int_equal(c->col[k].type, type);
}

static void test_clashes_are_renamed(void **state)
{
    const gd_problem_type *const problems[] = {&p1, &p2, NULL};
    const gd_optimizer_type *const optimizers[] = {&o1, NULL};
    const gd_schedule_type *const schedules[] = {&s1, NULL};
    const gd_registries reg = {problems, optimizers, schedules, gd_control_params};
    gd_columns c;
    gd_error err;
    assert_int_equal(gd_columns_build_from(&c, &reg, &err), 0);
    expect_column(&c, "lr", "problem", GD_COL_F64);
    expect_column(&c, "problem_status", "problem", GD_COL_F64);
    expect_column(&c, "status", "result", GD_COL_STR);
    expect_column(&c, "mode", "problem", GD_COL_STR);
    expect_column(&c, "problem_mode", "problem", GD_COL_F64);
    expect_column(&c, "optimizer_lr", "optimizer", GD_COL_F64);
    expect_column(&c, "optimizer_mode", "optimizer", GD_COL_F64);
    expect_column(&c, "schedule_lr", "schedule", GD_COL_F64);
    expect_column(&c, "metric_lr", "metric", GD_COL_F64);   /* shared by p1 and p2 */

    /* A p1 run fills its own columns; p2's, the metric and the schedule's stay apart. */
    gd_problem_section ps = {.label = "one", .type = &p1};
    gd_optimizer_section os = {.label = "opt", .type = &o1};
    gd_sweep s = {.problems = &ps, .n_problems = 1, .optimizers = &os, .n_optimizers = 1};
    gd_run_desc d = {.id = 3, .schedule = &s1};
    d.problem_params[0] = 1.5;
    d.problem_params[1] = 2.5;
    d.problem_params[2] = 1;          /* "careful" */
    d.optimizer_params[0] = 0.125;
    d.optimizer_params[1] = 7;
    d.schedule_params[0] = 0.75;
    gd_run_result r = {.status = 1, .metric = 42};
    gd_row_storage where = {0};
    unsigned char *row = malloc(c.row_size);
    gd_columns_fill_row(&c, &s, &d, &r, &where, row);
    char text[64];
    assert_true(gd_columns_number(&c, (size_t)gd_columns_find(&c, "lr"), row) == 1.5);
    assert_true(gd_columns_number(&c, (size_t)gd_columns_find(&c, "problem_status"), row) ==
                2.5);
    gd_columns_text(&c, (size_t)gd_columns_find(&c, "mode"), row, text, sizeof text);
    assert_string_equal(text, "careful");
    assert_true(isnan(gd_columns_number(&c, (size_t)gd_columns_find(&c, "problem_mode"), row)));
    assert_true(gd_columns_number(&c, (size_t)gd_columns_find(&c, "optimizer_lr"), row) ==
                0.125);
    assert_true(gd_columns_number(&c, (size_t)gd_columns_find(&c, "optimizer_mode"), row) == 7);
    assert_true(gd_columns_number(&c, (size_t)gd_columns_find(&c, "schedule_lr"), row) == 0.75);
    assert_true(gd_columns_number(&c, (size_t)gd_columns_find(&c, "metric_lr"), row) == 42);
    gd_columns_text(&c, (size_t)gd_columns_find(&c, "status"), row, text, sizeof text);
    assert_string_equal(text, "converged");
    gd_columns_text(&c, (size_t)gd_columns_find(&c, "run_id"), row, text, sizeof text);
    assert_string_equal(text, "3");
    free(row);
    gd_columns_free(&c);
}

/* ---- main --------------------------------------------------------------------------- */

static int make_tmpdir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gd_test_store.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_types),
        cmocka_unit_test(test_registry_keys_do_not_clash),
        cmocka_unit_test(test_clashes_are_renamed),
        cmocka_unit_test(test_sweep_round_trip),
        cmocka_unit_test(test_unwritten_rows),
        cmocka_unit_test(test_whole_chunks_of_rows),
        cmocka_unit_test(test_incomplete_until_close),
        cmocka_unit_test(test_check_target),
        cmocka_unit_test(test_create_fails_cleanly),
        cmocka_unit_test(test_batch_id_out_of_range),
        cmocka_unit_test(test_batch_instance_mismatch),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
