/* problem.h - the problem type table, problem instances and the registry.
 *
 * One file per problem in src/problems/, each exporting one const gd_problem_type.
 * `setup` builds an instance from its files (the values of its GD_PATH keys;
 * problem_files.h: read once per process, shared, GD_NO_FILES for a type without them),
 * parameter values and an RNG key (all drawn data comes from the key, never from the rank
 * or the order of execution) and owns everything it allocates until `destroy` (the files
 * stay the cache's). Loss and gradient never allocate: the driver calls them inside the
 * iteration loop. Large kernels (denoise, curvefit) use OpenMP with reductions summed in
 * fixed blocks, so results are bit-identical for any thread count. */
#ifndef GDSWEEP_PROBLEM_H
#define GDSWEEP_PROBLEM_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/error.h"
#include "gdsweep/param.h"
#include "gdsweep/problem_files.h"
#include "gdsweep/rng.h"

#define GD_MAX_INPUTS 6

/* A named array an instance exposes for storage (problem inputs, the optimum). */
typedef struct gd_array {
    const char *name;
    int rank;          /* 1 or 2 */
    size_t dims[2];
    const double *data;
    int from_file;     /* 1: the values of an input file (which the output identifies by
                        * name and SHA-256), so a large one need not be stored again */
} gd_array;

/* The most values of an array copied from an input file that an instance stores without
 * `store_data = true` (1 MiB of doubles): a larger one is left out of /instances, where
 * the file's name and hash (input_files) stand for it (gd_problem_drop_file_inputs). */
#define GD_STORE_DATA_MAX ((size_t)1 << 17)

struct gd_problem_type;
struct gd_step_call;

/* The one block of memory an instance's arrays live in (problem_block.c), shared by
 * reference count: the instance holds one reference, and whoever must keep its arrays
 * past the instance (a result batch until its commit, so that inputs are stored without a
 * copy) holds another; the last to drop it frees it. */
typedef struct gd_problem_block gd_problem_block;

typedef struct gd_problem {
    const struct gd_problem_type *type;
    size_t n;              /* dimension of x */
    double *x0;            /* start point, n values, owned by the instance */
    int has_optimum;       /* 1 when f_opt is known */
    double f_opt;          /* optimal loss (NaN when unknown) */
    gd_array inputs[GD_MAX_INPUTS]; /* what the store writes with the instance */
    size_t n_inputs;
    void *data;            /* type-specific, owned by the instance */
    gd_problem_block *block; /* where data, x0 and the arrays live; NULL: not shared */
} gd_problem;

typedef struct gd_problem_type {
    const char *name;
    const char *doc;
    const gd_param_spec *params;
    const char *metric_name;   /* e.g. "psnr"; NULL when the type has no metric */
    const char *metric_mode;   /* "max" or "min": which way the metric is better */
    /* 1 when an instance holds data drawn from its RNG key (noisy image, samples, random
     * start): the store keeps its inputs under /instances, and the plan keeps an
     * instance's expensive runs on one rank (plan.h, "Instance affinity"). 0 when
     * everything follows from the parameter values in the runs table (no group is
     * written). */
    int stores_inputs;
    /* Bit k set: params[k] defines the model only (denoise's lambda, curvefit's degree) and
     * generates no data; clear: it does (size, noise, points, start point). An instance's
     * data are drawn from its data parameters alone (gd_problem_data_key), so every value
     * of a model parameter meets the same data (common random numbers). */
    unsigned model_params;

    /* Cross-parameter checks beyond each spec's range (x_min < x_max, ...), and every
     * value whose setup would fail for certain (a sweep that starts must be able to
     * finish). Message without location; may be NULL. With the other keys fixed, the
     * values of each number key it accepts must form an interval (every condition of the
     * form g(key) <= h(other keys) with g monotone does): the grid then checks only each
     * key's smallest and largest values, which stands for every combination. */
    int (*check)(const double *pp, gd_error *err);
    /* Checks of the files themselves (an image decodes, a table has its columns), once
     * per set of files before anything runs (gd_sweep_read_files), with the values of the
     * set's first combination; message without location; NULL: none. A GD_PATH value
     * tells check only whether a file is given (GD_PATH_NONE or not), never which; the
     * texts of GD_NAME keys (columns, datasets) are in the set (gd_problem_files_name). */
    int (*check_files)(const gd_problem_files *files, const double *pp, gd_error *err);
    /* Bit k set: check_files reads params[k] too (curvefit's degree: rows >= degree + 1),
     * and accepts an interval of its values when the others are fixed (like check); it
     * is then called at each corner of those keys (their smallest and largest values in
     * the set's section), the others as in the first combination. 0: called once. */
    unsigned check_files_params;
    /* 1 when an instance with these values draws something from its RNG key, so that its
     * repeats differ; NULL: always. Repeats of an instance that draws nothing are
     * identical runs, which gdsweep warns about; repeat_hint says how to make them draw. */
    int (*draws)(const double *pp);
    const char *repeat_hint;
    /* Dimension of x for these files and parameter values (used to validate before any
     * run); never decreasing in any number key, so the grid's corners bound it. The
     * grid's own checks call it before files are read (GD_NO_FILES). */
    size_t (*dimension)(const gd_problem_files *files, const double *pp);
    /* Relative cost of one iteration (~ floating-point work), for scheduling. */
    double (*cost)(const gd_problem_files *files, const double *pp);

    /* Builds *p (see the top of this file); files are borrowed for the instance's life. */
    int (*setup)(gd_problem *p, const gd_problem_files *files, const double *pp,
                 gd_rng_key key, gd_error *err);
    void (*destroy)(gd_problem *p);

    double (*loss)(const gd_problem *p, const double *x);
    /* Loss and gradient in one pass; returns the loss. */
    double (*loss_grad)(const gd_problem *p, const double *x, double *g);
    /* Optional (NULL: the driver steps, then calls loss_grad): one pass that applies
     * `step` to x (NULL: no step) and evaluates the loss and gradient at the new x, for
     * problems whose gradient at a coordinate needs only nearby ones (denoise: rows i-1
     * to i+1), so that x and g cross memory once per iteration instead of three times.
     * On entry g is the gradient the step consumes; on return it is the gradient at the
     * new x, and *grad_sq the sum of its squares, summed in an order that depends on the
     * instance alone. x, g and the loss are bit-identical to stepping then loss_grad. */
    double (*step_loss_grad)(const gd_problem *p, const struct gd_step_call *step, double *x,
                             double *g, double *grad_sq);
    /* Quality metric of x (e.g. PSNR against the clean image); NULL if none. */
    double (*metric)(const gd_problem *p, const double *x);

    /* ---- many runs in lockstep (gd_run_execute_lanes); NULL: never ------------------
     * The loss at m points, f[j] at x + j n (j < m), and with loss_grad_points the
     * gradients too (g + j n), each the same bits as loss and loss_grad give at that
     * point. A type that has them promises that its objective is a function of its keys
     * outside start_params: runs that differ only in those (and in the start point they
     * draw from their key) meet the same function, n, f_opt and metric, so one instance
     * evaluates them all; nothing else may depend on the instance's key. A type that has
     * one has both. */
    void (*loss_points)(const gd_problem *p, size_t m, const double *x, double *f);
    void (*loss_grad_points)(const gd_problem *p, size_t m, const double *x, double *g,
                             double *f);
    /* Bit k set: params[k] only places the start point (quadratic's x0, start_spread). */
    unsigned start_params;

    /* ---- stochastic evaluation (docs/GRID.md, "Stochastic runs"); NULL: none ---------
     * A sum over data points, f(x) = (1/N) sum_i l_i(x) + R(x) (R: the model's penalty,
     * l2 |w|^2; 0 for curvefit), declares its number of training samples N (samples) and
     * the minibatch loss and gradient (1/m) sum_{q < m} l_{rows[q]}(x) + R(x) over the m
     * sample indices rows[0..m) (each < N, repeats allowed), gradient into g unless NULL.
     * Summed in an order that depends on rows alone (fixed blocks of positions q), so
     * bit-identical for any thread count; allocates nothing. The full-batch loss_grad stays
     * what it is: a run with batch_size = 0 never calls these. A type that has one has
     * both. */
    size_t (*samples)(const gd_problem *p);
    double (*batch_loss_grad)(const gd_problem *p, const double *x, const size_t *rows,
                              size_t m, double *g);
    /* An online problem, whose loss changes with the step (reddi): f_t and its gradient
     * at x, for t = 1, 2, ... (the step from x_{t-1} to x_t uses f_t, the paper's
     * numbering). loss and loss_grad are then the objective the run is judged by (the
     * average of f_t over a period), evaluated at record points as monitoring. */
    double (*online_loss_grad)(const gd_problem *p, const double *x, uint64_t t, double *g);
} gd_problem_type;

/* NULL-terminated registry, in --list order. */
extern const gd_problem_type *const gd_problems[];
const gd_problem_type *gd_problem_find(const char *name);

extern const gd_problem_type gd_problem_quadratic, gd_problem_curvefit, gd_problem_denoise,
    gd_problem_rosenbrock, gd_problem_leastsq, gd_problem_logreg, gd_problem_softmax,
    gd_problem_reddi;

/* Largest dimension for which the numeric (central-difference) gradient is allowed. */
#define GD_NUMERIC_GRAD_MAX_DIM 64

/* The article's central differences: g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).
 * work: n doubles of scratch. Returns f(x) (one extra evaluation). */
double gd_numeric_loss_grad(const gd_problem *p, const double *x, double eps, double *g,
                            double *work);

/* The RNG key of an instance: (seed, problem label, the values of t's data parameters in
 * spec order, repeat); model parameters (t->model_params) are left out, so instances that
 * differ only in them draw the same data (common random numbers), and so are file and name
 * keys (GD_PATH, GD_NAME: which file or column is read is not drawn; every file meets the
 * same draws). pp: every
 * parameter of t. */
gd_rng_key gd_problem_data_key(uint64_t seed, const char *label, const gd_problem_type *t,
                               const double *pp, uint64_t repeat);

/* Removes from p->inputs the arrays copied from input files (from_file) that hold more
 * than max_values values; the others keep their order. */
void gd_problem_drop_file_inputs(gd_problem *p, size_t max_values);

/* Another reference to p's block (NULL when p has none); p may be destroyed before it
 * is dropped. */
gd_problem_block *gd_problem_hold(const gd_problem *p);

/* Another reference to b (NULL: nothing); returns b. */
gd_problem_block *gd_problem_block_hold(gd_problem_block *b);

/* Drops one reference (NULL: nothing); the last one frees the block. */
void gd_problem_block_drop(gd_problem_block *b);

/* 1 when data[0..count) lies in b, its offset (in doubles from the first array) in
 * *offset; 0 otherwise. */
int gd_problem_block_has(const gd_problem_block *b, const double *data, size_t count,
                         size_t *offset);

/* Bytes of b's arrays (its header left out). */
size_t gd_problem_block_bytes(const gd_problem_block *b);

/* The values at offset (doubles from the first array) of b. */
const double *gd_problem_block_values(const gd_problem_block *b, size_t offset);

/* Frees what setup allocated and zeroes *p. Safe on a zeroed instance. */
void gd_problem_destroy(gd_problem *p);

#endif
