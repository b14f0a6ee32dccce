/* design.h - a design matrix X (rows = samples) and targets y from a CSV file, for the
 * problems on data (leastsq, logreg, softmax): their shared keys, the train/test split,
 * standardisation, the intercept, the L2 penalty and the fixed-block row reductions.
 *
 * Package-private to src/problems/. The table comes from the key `data` (table_file.h).
 * The target is the column the name key `target` gives, by default the one named "target",
 * else "y", else the last column; the features are the columns the name key `features`
 * gives (one value holding space-separated column names, no quotes, in that order), by default every
 * other column in file order. An HDF5 file (data = FILE.h5) holds a 2-D dataset /X (rows
 * = samples) and a 1-D dataset /y instead; there features = /PATH and target = /PATH name
 * other datasets (design_h5.c). The split: the rows are ordered by a permutation drawn from the
 * instance key (stream GD_DESIGN_SPLIT_STREAM), the first round(test_fraction * rows)
 * are the test rows and the rest the training rows, each set in file order. With
 * standardize = true each feature is centred and divided by its (population) standard
 * deviation over the training rows (a constant feature by 1); the statistics are the
 * instance inputs feature_mean and feature_scale. With intercept = true, X has a last
 * column of ones, never standardised nor penalised. Weights are a d x k row-major matrix
 * (k = 1 for leastsq and logreg, K classes for softmax); the penalty is
 * l2 * sum of squares of every weight outside the intercept row.
 *
 * Ownership: a gd_design_source borrows the files cache's parse of the table (shared by
 * every instance; a file made in memory, from no cache, is parsed for the source alone)
 * until gd_design_source_free; a gd_design's
 * arrays live in the instance block (gd_design_reqs). Failure: usage errors name the file. */
#ifndef GDSWEEP_DESIGN_H
#define GDSWEEP_DESIGN_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem.h"
#include "problem_impl.h"
#include "table_file.h"

/* The keys every type on data shares, in this order (gd_design_params). */
enum {
    GD_DS_DATA, GD_DS_TARGET, GD_DS_FEATURES, GD_DS_STANDARDIZE, GD_DS_INTERCEPT, GD_DS_L2, GD_DS_TEST_FRACTION,
    GD_DS_START_SPREAD, GD_DS_KEYS
};

/* Keys that define the model only (the split and the start point ignore them). */
#define GD_DESIGN_MODEL_PARAMS \
    ((1u << GD_DS_STANDARDIZE) | (1u << GD_DS_INTERCEPT) | (1u << GD_DS_L2))

/* Keys whose corners check_files visits: rows needed grow with intercept and shrink with
 * l2 (0 or not) and test_fraction. */
#define GD_DESIGN_FILE_PARAMS \
    ((1u << GD_DS_INTERCEPT) | (1u << GD_DS_L2) | (1u << GD_DS_TEST_FRACTION))

#define GD_DESIGN_REPEAT_HINT "test_fraction > 0 or start_spread > 0 draws per repeat"

#define GD_DESIGN_SPLIT_STREAM 3
#define GD_DESIGN_BLOCK 1024 /* rows per block of the row reductions */

extern const gd_param_spec gd_design_params[];

/* A table with its target and feature columns resolved. */
typedef struct gd_design_source {
    const char *path;
    const gd_table *table; /* the cache's shared parse, or &own */
    gd_table own;          /* a parse of its own (a file from no cache), else zeroed */
    size_t target;      /* column of y */
    size_t *features;   /* n_features columns of the features, in X's order (owned) */
    size_t n_features;
} gd_design_source;

typedef struct gd_design {
    size_t rows, test_rows; /* training rows, test rows */
    size_t features, d;     /* feature columns; columns of X (features + intercept) */
    int intercept;          /* 1: column d - 1 is the constant 1 */
    double l2;
    double *x, *y;           /* training rows: rows x d row-major, rows targets */
    double *x_test, *y_test; /* test rows, alike */
    double *mean, *scale;    /* features values each: x = (raw - mean) / scale */
    double *test_index;      /* test_rows values: each test row's data row in the file (0..) */
} gd_design;

#define GD_DESIGN_REQS 7

/* Reads the file of key data into *src and resolves the target and feature columns (usage
 * error naming the file: missing from files, does not read, a named column it lacks (its
 * columns listed), a feature named twice or also the target, no feature). */
int gd_design_source_open(const gd_problem_files *files, gd_design_source *src,
                          gd_error *err);
void gd_design_source_free(gd_design_source *src);

/* The source of an HDF5 data file (design_h5.c): its 2-D dataset X (features = /PATH) and
 * 1-D dataset y (target = /PATH) as a table of src's own. */
int gd_design_read_h5(const gd_problem_files *files, const gd_problem_file *data,
                      gd_design_source *src, gd_error *err);

/* a . b over n values in four interleaved partial sums (j mod 4), added as
 * (s0 + s1) + (s2 + s3) then the tail: a fixed order, so reproducible, and four
 * independent chains instead of one (the row kernels' dot products are latency bound). */
static inline double gd_design_dot(const double *a, const double *b, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
    }
    double s = (s0 + s1) + (s2 + s3);
    for (; j < n; j++)
        s += a[j] * b[j];
    return s;
}

/* Row q of a pass over the training rows: rows[q] over a minibatch, q over all of them. */
static inline size_t gd_design_row(const size_t *rows, size_t q)
{
    return rows ? rows[q] : q;
}

/* Rows ahead that a minibatch pass prefetches. */
#define GD_DESIGN_PREFETCH 4

/* Prefetches the row (and target) a minibatch pass meets GD_DESIGN_PREFETCH positions after
 * q (below hi): a minibatch's rows lie anywhere in X, so their cache misses would otherwise
 * come one at a time. Changes no result; nothing on a pass over every row (rows NULL),
 * which the hardware prefetches by itself. Always inlined: GCC 12 finds a call of it
 * "pure" (a prefetch is no side effect to it) and deletes the call with its prefetches. */
__attribute__((always_inline)) static inline void gd_design_prefetch(
    const gd_design *d, const size_t *rows, size_t q, size_t hi)
{
    if (!rows || q + GD_DESIGN_PREFETCH >= hi)
        return;
    size_t i = rows[q + GD_DESIGN_PREFETCH];
    const char *at = (const char *)(d->x + i * d->d);
    for (size_t b = 0; b < d->d * sizeof(double); b += 64)
        __builtin_prefetch(at + b);
    __builtin_prefetch(d->y + i);
}

/* The types' samples (problem.h): the training rows (the gd_design heads p->data). */
size_t gd_design_samples(const gd_problem *p);

/* The types' check: a data file is given. */
int gd_design_check(const double *pp, gd_error *err);

/* The types' draws: a split (test_fraction > 0) or a start point (start_spread > 0). */
int gd_design_draws(const double *pp);

/* A type's setup on a resolved source. */
typedef int (*gd_design_make_fn)(gd_problem *p, const gd_design_source *src, const double *pp,
                                 gd_rng_key key, gd_error *err);

/* A type's setup: opens the file of key data, calls make, frees the table. */
int gd_design_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                    gd_rng_key key, gd_design_make_fn make, gd_error *err);

/* A type's check_files: every target passes ok (NULL: any number; needs: what the
 * message asks for), enough training rows (1 with l2 > 0, else d), and at l2 = 0 an
 * instance on all rows sets up (make: its optimum exists). */
int gd_design_check_files(const gd_problem_files *files, const double *pp, int (*ok)(double),
                          const char *needs, gd_design_make_fn make, gd_error *err);

/* Sets up (make) and destroys an instance on every row of src (test_fraction = 0): the
 * check_files test that the file's data determine an optimum. */
int gd_design_check_all_rows(const gd_design_source *src, const double *pp,
                             gd_design_make_fn make, gd_error *err);

/* Sizes and options of the design of src with values pp (arrays left NULL). */
void gd_design_shape(const gd_design_source *src, const double *pp, gd_design *d);

/* The GD_DESIGN_REQS arrays of shaped d, for gd_problem_alloc. */
void gd_design_reqs(gd_design *d, gd_array_req *reqs);

/* Fills the arrays of shaped and allocated d from src: split by key, standardised.
 * Fails (runtime error) only when the split's scratch does not fit in memory. */
int gd_design_fill(gd_design *d, const gd_design_source *src, const double *pp,
                   gd_rng_key key, gd_error *err);

/* The instance of type t on src with values pp: one block (problem_impl.h) holding a
 * head_bytes header whose first member is the gd_design (returned), the design's arrays,
 * x0 (the zero weights moved by start_spread) and the extra arrays; the design filled.
 * k: weights per column of X (n = d k); at most 4 extra arrays. NULL with err filled and
 * *p zeroed on failure. */
void *gd_design_instance(gd_problem *p, const gd_problem_type *t, const gd_design_source *src,
                         const double *pp, gd_rng_key key, size_t k, size_t head_bytes,
                         const gd_array_req *extra, size_t n_extra, gd_error *err);

/* The first target (file order) that ok refuses, as a usage error
 * "PATH:LINE: y = V: <needs>"; 0 when all pass. */
int gd_design_check_targets(const gd_design_source *src, int (*ok)(double),
                            const char *needs, gd_error *err);

/* The shared checks of a file: training rows >= min_rows (a usage error naming the file
 * and the fix), given the values pp. */
int gd_design_check_rows(const gd_design_source *src, const double *pp, size_t min_rows,
                         gd_error *err);

/* Adds the instance inputs feature_mean, feature_scale and (test rows only) test_rows. */
void gd_design_add_inputs(gd_problem *p, const gd_design *d);

/* l2 * sum of squares of w (d x k row-major) outside the intercept row; adds its gradient
 * 2 l2 w to g when g is not NULL. */
double gd_design_penalty(const gd_design *d, const double *w, size_t k, double *g);

/* The partial sums of rows [lo, hi) of a block into out (stride values, zeroed first). */
typedef void (*gd_design_block_fn)(const void *ctx, size_t lo, size_t hi, double *out);

/* Runs fn over the fixed blocks of `block` rows of `rows` rows (OpenMP, one slot of
 * parts per block) and sums the slots in block order into sums[0..count), count <= stride:
 * bit-identical for any thread count. parts: gd_design_blocks(rows, block) * stride
 * values. Allocates nothing. */
void gd_design_reduce(size_t rows, size_t block, gd_design_block_fn fn, const void *ctx,
                      size_t stride, size_t count, double *parts, double *sums);

size_t gd_design_blocks(size_t rows, size_t block);

/* ---- a model whose loss is a mean over rows plus the penalty (design_model.c) --------
 * leastsq, logreg and softmax: the instance's data is a gd_design_model (first), whose
 * block function sums the row losses and their gradient over a block of positions
 * (gd_design_call: the weights, the minibatch's rows or NULL for every training row, and
 * whether to sum the gradient); the loss over m rows is those sums over m, plus the l2
 * penalty of `classes` weights per feature. One instance must not be evaluated by two
 * threads at once (parts). */
typedef struct gd_design_model {
    gd_design d;              /* first: gd_design_instance */
    size_t classes;           /* weights per feature column: 1, or K classes */
    gd_design_block_fn block_sums;
    double *parts, *sums;     /* blocks x (n + 1) partial sums; their totals */
} gd_design_model;

/* What a model's block function receives as its ctx. */
typedef struct gd_design_call {
    const gd_design_model *model;
    const double *w;
    const size_t *rows;       /* the minibatch's rows; NULL: every training row */
    int grad;                 /* 1: sum the gradient too */
} gd_design_call;

/* The instance of type t on src as a model (gd_design_instance, header sizeof
 * gd_design_model): its parts and sums for n = d x classes weights, and *w_opt (n values,
 * none when !with_optimum). NULL with err filled and *p zeroed on failure. */
gd_design_model *gd_design_model_new(gd_problem *p, const gd_problem_type *t,
                                     const gd_design_source *src, const double *pp,
                                     gd_rng_key key, size_t classes,
                                     gd_design_block_fn block_sums, int with_optimum,
                                     double **w_opt, gd_error *err);

/* Records w_opt as the instance's optimum: f_opt its loss, and the input x_opt. */
void gd_design_model_optimum(gd_problem *p, const double *w_opt);

/* The type's loss, loss_grad and batch_loss_grad (problem.h) for a gd_design_model. */
double gd_design_loss(const gd_problem *p, const double *w);
double gd_design_loss_grad(const gd_problem *p, const double *w, double *g);
double gd_design_batch_loss_grad(const gd_problem *p, const double *w, const size_t *rows,
                                 size_t m, double *g);

/* For the types' dimension and cost: the training rows, the columns d of X and the
 * largest target of the file (0, 1 and 0 when files is GD_NO_FILES or the file does not
 * read: the grid asks before files are read). Reads the table. */
void gd_design_size_of(const gd_problem_files *files, const double *pp, size_t *rows,
                       size_t *d, double *max_target);

/* The dimension of leastsq and logreg: d (1 with GD_NO_FILES). */
size_t gd_design_dimension(const gd_problem_files *files, const double *pp);

#endif
