/* design.c - a design matrix and targets from a CSV file: split, standardise, penalise.
 *
 * See design.h for the conventions. The split draws one uniform per file row (stream
 * GD_DESIGN_SPLIT_STREAM, element = the row) and sorts the rows by it (ties by row): a
 * permutation that is a pure function of the key, the same on every rank and thread. */
#include "design.h"

#include "h5_input.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const bool_choices[] = {"false", "true", NULL};

const gd_param_spec gd_design_params[] = {
    [GD_DS_DATA] = {.key = "data", .kind = GD_PATH, .def = GD_PATH_NONE,
                    .doc = "CSV file of the samples (header row; .gz too): the column named "
                           "target, else y, else the last one is the target, every other a "
                           "feature; or an HDF5 file with datasets /X (rows x features) and "
                           "/y (required)"},
    [GD_DS_TARGET] = {.key = "target", .kind = GD_NAME, .def = GD_PATH_NONE,
                      .doc = "the column of data with the target (default: the one named "
                             "target, else y, else the last); HDF5: y's dataset (default /y)"},
    [GD_DS_FEATURES] = {.key = "features", .kind = GD_NAME, .def = GD_PATH_NONE,
                        .doc = "the feature columns of data, space-separated in one value "
                               "(features = a b c; default: every column but the target); "
                               "HDF5: X's dataset (default /X)"},
    [GD_DS_STANDARDIZE] = {.key = "standardize", .kind = GD_CHOICE, .def = 0,
                           .choices = bool_choices,
                           .doc = "centre and scale each feature by its training mean and "
                                  "standard deviation (stored as feature_mean, feature_scale)"},
    [GD_DS_INTERCEPT] = {.key = "intercept", .kind = GD_CHOICE, .def = 1,
                         .choices = bool_choices,
                         .doc = "add a constant feature 1 (its weights are not penalised)"},
    [GD_DS_L2] = {.key = "l2", .kind = GD_REAL, .def = 1e-3, GD_SPEC_NONNEG,
                  .doc = "L2 penalty l2 * |w|^2 on the weights (the intercept's excluded)"},
    [GD_DS_TEST_FRACTION] = {.key = "test_fraction", .kind = GD_REAL, .def = 0.2, .lo = 0,
                             .hi = 1, .hi_open = true,
                             .doc = "share of the rows held out (drawn per repeat) for the "
                                    "metric (0: train on all rows, metric NaN)"},
    [GD_DS_START_SPREAD] = {.key = "start_spread", .kind = GD_REAL, .def = 0,
                            GD_SPEC_NONNEG,
                            .doc = "standard deviation of a Gaussian move of the start point "
                                   "w = 0, drawn per repeat (0: w = 0)"},
    {.key = NULL},
};

/* The column called name, or -1 with err naming the key, the file and its columns. */
static ptrdiff_t named_column(const gd_design_source *src, const char *key, const char *name,
                              gd_error *err)
{
    ptrdiff_t c = gd_table_column(src->table, name);
    if (c >= 0)
        return c;
    char have[256];
    gd_table_column_list(src->table, have, sizeof have);
    return gd_fail(err, "%s = %s: data = %s has no column named '%s' (its columns: %s); name "
                   "one of them", key, name, src->path, name, have);
}

/* The target column: the one the key target names, else "target", else "y", else the
 * last. */
static int find_target(const gd_problem_files *files, gd_design_source *src, gd_error *err)
{
    const char *given = gd_problem_files_name(files, "target");
    ptrdiff_t c = given ? named_column(src, "target", given, err)
                        : gd_table_column(src->table, "target");
    if (!given && c < 0)
        c = gd_table_column(src->table, "y");
    if (!given && c < 0)
        c = (ptrdiff_t)src->table->cols - 1;
    if (c < 0)
        return -1;
    src->target = (size_t)c;
    return 0;
}

/* Feature column c after the n before it: not the target, not named twice. */
static int add_feature(gd_design_source *src, size_t c, gd_error *err)
{
    const char *name = src->table->names[c];
    if (c == src->target)
        return gd_fail(err, "features: data = %s: column '%s' is the target; leave it out of "
                       "the features", src->path, name);
    for (size_t k = 0; k < src->n_features; k++)
        if (src->features[k] == c)
            return gd_fail(err, "features: data = %s: column '%s' is named twice; name each "
                           "feature once", src->path, name);
    src->features[src->n_features++] = c;
    return 0;
}

/* The columns the space-separated list names, in its order. */
static int named_features(gd_design_source *src, const char *list, gd_error *err)
{
    char name[256];
    for (const char *at = list; *at;) {
        size_t skip = strspn(at, " \t"), len = strcspn(at + skip, " \t");
        at += skip;
        if (len == 0)
            break;
        if (len >= sizeof name)
            return gd_fail(err, "features: a column name of %zu bytes; names are shorter",
                           len);
        memcpy(name, at, len);
        name[len] = '\0';
        at += len;
        ptrdiff_t c = named_column(src, "features", name, err);
        if (c < 0 || add_feature(src, (size_t)c, err) < 0)
            return -1;
    }
    return 0;
}

/* The features: the columns the key features names, else every column but the target. */
static int find_features(const gd_problem_files *files, gd_design_source *src, gd_error *err)
{
    const char *given = gd_problem_files_name(files, "features");
    src->features = malloc(src->table->cols * sizeof *src->features);
    if (!src->features)
        return gd_fail_runtime(err, "data = %s: out of memory", src->path);
    if (given && named_features(src, given, err) < 0)
        return -1;
    for (size_t c = 0; !given && c < src->table->cols; c++)
        if (c != src->target)
            src->features[src->n_features++] = c;
    if (src->n_features == 0)
        return gd_fail(err, "data = %s: no feature column; give a column beside the target "
                       "(or name some with features = a b)", src->path);
    return 0;
}

/* The table of data: the files cache's shared parse (gd_table_of) for a file of the
 * cache, else (a set made in memory: tests, benchmarks) a parse of its own. */
static int read_table(const gd_problem_file *data, gd_design_source *src, gd_error *err)
{
    if (data->content) {
        src->table = gd_table_of(data, err);
        return src->table ? 0 : -1;
    }
    if (gd_table_read(data, &src->own, err) < 0)
        return -1;
    src->table = &src->own;
    return 0;
}

/* A CSV file's table, target and features. */
static int read_csv(const gd_problem_files *files, const gd_problem_file *data,
                    gd_design_source *src, gd_error *err)
{
    if (read_table(data, src, err) < 0 || find_target(files, src, err) < 0)
        return -1;
    return find_features(files, src, err);
}

int gd_design_source_open(const gd_problem_files *files, gd_design_source *src,
                          gd_error *err)
{
    const gd_problem_file *data = gd_problem_files_find(files, "data");
    memset(src, 0, sizeof *src);
    if (!data)
        return gd_fail(err, "no data file; give data = FILE (a CSV table of the samples)");
    src->path = data->path;
    int rc = data->dataset || gd_h5_input_is(data) ? gd_design_read_h5(files, data, src, err)
                                                   : read_csv(files, data, src, err);
    if (rc < 0)
        gd_design_source_free(src);
    return rc;
}

void gd_design_source_free(gd_design_source *src)
{
    gd_table_free(&src->own);
    free(src->features);
    memset(src, 0, sizeof *src);
}

int gd_design_check(const double *pp, gd_error *err)
{
    if (pp[GD_DS_DATA] == GD_PATH_NONE)
        return gd_fail(err, "no data file; give data = FILE (a CSV table of the samples)");
    return 0;
}

int gd_design_draws(const double *pp)
{
    return pp[GD_DS_TEST_FRACTION] > 0 || pp[GD_DS_START_SPREAD] > 0;
}

int gd_design_check_all_rows(const gd_design_source *src, const double *pp,
                             gd_design_make_fn make, gd_error *err)
{
    double all[GD_DS_KEYS];
    gd_problem p;
    memcpy(all, pp, sizeof all);
    all[GD_DS_TEST_FRACTION] = 0;
    all[GD_DS_START_SPREAD] = 0;
    if (make(&p, src, all, (gd_rng_key){{0, 0}}, err) < 0)
        return -1;
    gd_problem_destroy(&p);
    return 0;
}

int gd_design_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                    gd_rng_key key, gd_design_make_fn make, gd_error *err)
{
    gd_design_source src;
    memset(p, 0, sizeof *p);
    if (gd_design_source_open(files, &src, err) < 0)
        return -1;
    int rc = make(p, &src, pp, key, err);
    gd_design_source_free(&src);
    return rc;
}

int gd_design_check_files(const gd_problem_files *files, const double *pp, int (*ok)(double),
                          const char *needs, gd_design_make_fn make, gd_error *err)
{
    gd_design_source src;
    gd_design d;
    if (gd_design_source_open(files, &src, err) < 0)
        return -1;
    gd_design_shape(&src, pp, &d);
    int rc = ok ? gd_design_check_targets(&src, ok, needs, err) : 0;
    if (rc == 0)
        rc = gd_design_check_rows(&src, pp, d.l2 > 0 ? 1 : d.d, err);
    if (rc == 0 && d.l2 == 0)
        rc = gd_design_check_all_rows(&src, pp, make, err);
    gd_design_source_free(&src);
    return rc;
}

/* Test rows of `rows` at this fraction. */
static size_t test_rows_of(size_t rows, double fraction)
{
    return (size_t)floor(fraction * (double)rows + 0.5);
}

void gd_design_shape(const gd_design_source *src, const double *pp, gd_design *d)
{
    memset(d, 0, sizeof *d);
    size_t all = src->table->rows;
    d->test_rows = test_rows_of(all, pp[GD_DS_TEST_FRACTION]);
    d->rows = all - d->test_rows;
    d->features = src->n_features;
    d->intercept = pp[GD_DS_INTERCEPT] != 0;
    d->d = d->features + (size_t)d->intercept;
    d->l2 = pp[GD_DS_L2];
}

void gd_design_reqs(gd_design *d, gd_array_req *reqs)
{
    const gd_array_req r[GD_DESIGN_REQS] = {
        {&d->x, d->rows * d->d},           {&d->y, d->rows},
        {&d->x_test, d->test_rows * d->d}, {&d->y_test, d->test_rows},
        {&d->mean, d->features},           {&d->scale, d->features},
        {&d->test_index, d->test_rows},
    };
    memcpy(reqs, r, sizeof r);
}

typedef struct ranked_row {
    double u;
    size_t row;
} ranked_row;

static int by_draw_then_row(const void *a, const void *b)
{
    const ranked_row *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* is_test[r] = 1 for the test rows: the first test_rows of the drawn permutation. */
static int mark_test_rows(size_t all, size_t test_rows, gd_rng_key key, unsigned char *is_test)
{
    memset(is_test, 0, all);
    if (test_rows == 0)
        return 0;
    ranked_row *order = malloc(all * sizeof *order);
    if (!order)
        return -1;
    for (size_t r = 0; r < all; r++)
        order[r] = (ranked_row){gd_rng_uniform(key, GD_DESIGN_SPLIT_STREAM, r), r};
    qsort(order, all, sizeof *order, by_draw_then_row);
    for (size_t k = 0; k < test_rows; k++)
        is_test[order[k].row] = 1;
    free(order);
    return 0;
}

/* Row r of the table into x (d values: features, then 1 when intercept) and *y. */
static void copy_row(const gd_design *d, const gd_design_source *src, size_t r, double *x,
                     double *y)
{
    const gd_table *t = src->table;
    const double *raw = t->values + r * t->cols;
    for (size_t j = 0; j < d->features; j++)
        x[j] = raw[src->features[j]];
    if (d->intercept)
        x[d->features] = 1;
    *y = raw[src->target];
}

/* mean and scale of each feature over the training rows (0 and 1 when not standardising;
 * a constant feature's scale is 1). Two passes in row order: reproducible. */
static void feature_statistics(gd_design *d, int standardize)
{
    for (size_t j = 0; j < d->features; j++) {
        double sum = 0, sq = 0;
        d->mean[j] = 0;
        d->scale[j] = 1;
        if (!standardize || d->rows == 0)
            continue;
        for (size_t i = 0; i < d->rows; i++)
            sum += d->x[i * d->d + j];
        double mean = sum / (double)d->rows;
        for (size_t i = 0; i < d->rows; i++) {
            double dev = d->x[i * d->d + j] - mean;
            sq += dev * dev;
        }
        double sd = sqrt(sq / (double)d->rows);
        d->mean[j] = mean;
        d->scale[j] = sd > 0 ? sd : 1;
    }
}

static void standardize_rows(const gd_design *d, double *x, size_t rows)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < d->features; j++)
            x[i * d->d + j] = (x[i * d->d + j] - d->mean[j]) / d->scale[j];
}

int gd_design_fill(gd_design *d, const gd_design_source *src, const double *pp,
                   gd_rng_key key, gd_error *err)
{
    size_t all = src->table->rows, train = 0, test = 0;
    unsigned char *is_test = malloc(all);
    if (!is_test || mark_test_rows(all, d->test_rows, key, is_test) < 0) {
        free(is_test);
        return gd_fail_runtime(err, "data = %s: out of memory splitting %zu rows", src->path,
                               all);
    }
    for (size_t r = 0; r < all; r++) {
        if (is_test[r]) {
            d->test_index[test] = (double)r;
            copy_row(d, src, r, d->x_test + test * d->d, &d->y_test[test]);
            test++;
        } else {
            copy_row(d, src, r, d->x + train * d->d, &d->y[train]);
            train++;
        }
    }
    free(is_test);
    feature_statistics(d, pp[GD_DS_STANDARDIZE] != 0);
    standardize_rows(d, d->x, d->rows);
    standardize_rows(d, d->x_test, d->test_rows);
    return 0;
}

#define MAX_EXTRA 4

void *gd_design_instance(gd_problem *p, const gd_problem_type *t, const gd_design_source *src,
                         const double *pp, gd_rng_key key, size_t k, size_t head_bytes,
                         const gd_array_req *extra, size_t n_extra, gd_error *err)
{
    gd_design shape;
    gd_array_req reqs[GD_DESIGN_REQS + MAX_EXTRA];
    if (n_extra > MAX_EXTRA) {
        memset(p, 0, sizeof *p);
        gd_fail_runtime(err, "%s: %zu extra arrays, at most %d", t->name, n_extra, MAX_EXTRA);
        return NULL;
    }
    gd_design_shape(src, pp, &shape);
    gd_design_reqs(&shape, reqs);
    memcpy(reqs + GD_DESIGN_REQS, extra, n_extra * sizeof *extra);
    gd_design *d = gd_problem_alloc(p, t, shape.d * k, head_bytes, reqs,
                                    GD_DESIGN_REQS + n_extra, err);
    if (!d)
        return NULL;
    *d = shape;
    if (gd_design_fill(d, src, pp, key, err) < 0) {
        gd_problem_destroy(p);
        return NULL;
    }
    memset(p->x0, 0, p->n * sizeof *p->x0);
    gd_problem_spread_start(p->x0, p->n, pp[GD_DS_START_SPREAD], key);
    return d;
}

int gd_design_check_targets(const gd_design_source *src, int (*ok)(double),
                            const char *needs, gd_error *err)
{
    const gd_table *t = src->table;
    for (size_t r = 0; r < t->rows; r++) {
        double v = t->values[r * t->cols + src->target];
        if (!ok(v) && t->lines)
            return gd_fail(err, "%s:%zu: target %s = %.17g; %s", src->path, t->lines[r],
                           t->names[src->target], v, needs);
        if (!ok(v)) /* an HDF5 dataset: its element */
            return gd_fail(err, "data = %s:%s[%zu] = %.17g; %s", src->path,
                           t->names[src->target], r, v, needs);
    }
    return 0;
}

int gd_design_check_rows(const gd_design_source *src, const double *pp, size_t min_rows,
                         gd_error *err)
{
    gd_design d;
    gd_design_shape(src, pp, &d);
    if (d.rows >= min_rows)
        return 0;
    return gd_fail(err, "data = %s has %zu rows, %zu for training at test_fraction = %g; "
                   "this fit needs at least %zu training rows: give more rows, a smaller "
                   "test_fraction or l2 > 0", src->path, src->table->rows, d.rows,
                   pp[GD_DS_TEST_FRACTION], min_rows);
}

void gd_design_add_inputs(gd_problem *p, const gd_design *d)
{
    if (d->features > 0) {
        gd_problem_add_input(p, "feature_mean", d->features, 0, d->mean);
        gd_problem_add_input(p, "feature_scale", d->features, 0, d->scale);
    }
    if (d->test_rows > 0)
        gd_problem_add_input(p, "test_rows", d->test_rows, 0, d->test_index);
}

double gd_design_penalty(const gd_design *d, const double *w, size_t k, double *g)
{
    size_t penalised = d->features * k, all = d->d * k;
    double sq = 0;
    for (size_t i = 0; i < penalised; i++)
        sq += w[i] * w[i];
    for (size_t i = 0; g && i < all; i++)
        g[i] += i < penalised ? 2 * d->l2 * w[i] : 0;
    return d->l2 * sq;
}

size_t gd_design_blocks(size_t rows, size_t block)
{
    return (rows + block - 1) / block;
}

size_t gd_design_samples(const gd_problem *p)
{
    const gd_design *d = p->data;
    return d->rows;
}

/* The partial sums of block b (of `block` rows of `rows`) into its slot of parts. */
static void reduce_block(size_t rows, size_t block, size_t b, gd_design_block_fn fn,
                         const void *ctx, size_t stride, size_t count, double *parts)
{
    size_t lo = b * block, hi = lo + block < rows ? lo + block : rows;
    double *out = parts + b * stride;
    memset(out, 0, count * sizeof *out);
    fn(ctx, lo, hi, out);
}

void gd_design_reduce(size_t rows, size_t block, gd_design_block_fn fn, const void *ctx,
                      size_t stride, size_t count, double *parts, double *sums)
{
    size_t blocks = gd_design_blocks(rows, block);
    if (blocks == 1) { /* a minibatch: no parallel region to enter, the same sums */
        reduce_block(rows, block, 0, fn, ctx, stride, count, parts);
    } else {
#pragma omp parallel for schedule(static)
        for (size_t b = 0; b < blocks; b++)
            reduce_block(rows, block, b, fn, ctx, stride, count, parts);
    }
    for (size_t k = 0; k < count; k++)
        sums[k] = gd_ordered_sum(parts + k, blocks, stride);
}

void gd_design_size_of(const gd_problem_files *files, const double *pp, size_t *rows,
                       size_t *d, double *max_target)
{
    gd_design_source src;
    gd_error unused;
    *rows = 0;
    *d = 1;
    *max_target = 0;
    if (!files || gd_design_source_open(files, &src, &unused) < 0)
        return;
    gd_design shape;
    gd_design_shape(&src, pp, &shape);
    *rows = shape.rows;
    *d = shape.d;
    const gd_table *t = src.table;
    for (size_t r = 0; r < t->rows; r++)
        *max_target = fmax(*max_target, t->values[r * t->cols + src.target]);
    gd_design_source_free(&src);
}

size_t gd_design_dimension(const gd_problem_files *files, const double *pp)
{
    size_t rows, d;
    double max_target;
    gd_design_size_of(files, pp, &rows, &d, &max_target);
    return d;
}
