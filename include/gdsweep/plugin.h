/* plugin.h - the public C ABI of a compiled problem plugin (a shared library).
 *
 * A plugin is a shared library that exports one function, GD_PLUGIN_SYMBOL
 * (`gd_plugin_problems`), returning a table of problem descriptors. gdsweep loads it with
 * dlopen on every rank when a grid names it ([problem mine] type = plugin,
 * library = PATH.so, name = PROBLEM), refuses it when table->abi_version differs from
 * GD_PLUGIN_ABI_VERSION, checks each problem's gradient against central differences
 * (and a sum over data points' minibatch loss, below) before any run, and hashes the
 * library's bytes into the sweep's identity (a rebuilt library cannot --resume an old
 * output).
 *
 * This header stands alone: plain C types only, nothing else of gdsweep. Build a plugin
 * with `cc -shared -fPIC -O2 -I include my_problem.c -o my_problem.so -lm`.
 *
 * Contract (the same as the built-in problems'):
 * - parameters travel as doubles in the order of `params` (GD_PLUGIN_INT: whole doubles);
 *   the grid checks them against [lo, hi] before anything runs;
 * - `dimension` is a pure function of the parameters; `setup` draws anything random from
 *   the four key words it receives (never from time, rank or thread), so an instance is
 *   the same on every rank and layout; data parameters (model = 0) enter the key, model
 *   parameters (model = 1) do not, so every model value meets the same data;
 * - loss, loss_grad and batch_loss_grad never allocate and may be called from several
 *   threads at once on one state (read-only); they must be deterministic;
 * - setup returns 0 or non-zero with a one-line message in err (NUL-terminated).
 *
 * Minibatches (optional, ABI 2): a problem that is a sum over N data points,
 *   f(x) = (1/N) sum_{i < N} l_i(x) + R(x)      (R: a penalty, 0 if none),
 * may declare N (`samples`) and the loss over a minibatch of rows (`batch_loss_grad`,
 * below); grids may then set batch_size and sampling on it exactly as on the built-in
 * logreg (docs/GRID.md, "Stochastic runs": the same sampler and random streams, so every
 * optimizer of an instance meets the same batches). Give both or neither. The contract:
 * - batch_loss_grad returns (1/m) sum_{q < m} l_{rows[q]}(x) + R(x) and writes its gradient
 *   into g (n doubles) unless g is NULL (then the loss alone); rows may repeat (sampling
 *   with replacement), each row < N; over rows 0..N-1 it equals loss_grad up to rounding;
 * - it sums in an order that depends on rows alone (a plain loop over q does; no
 *   reduction whose order depends on threads), so runs are bit-identical on every layout;
 * - it allocates nothing and only reads the state (runs on several threads call it at
 *   once); samples(state) is a constant of the instance (>= 1).
 * gdsweep checks both before any run: batch_loss_grad over rows 0..N-1 against loss_grad
 * (relative 1e-8) and its gradient on a small batch against central differences of its
 * own loss (plugins.h).
 *
 * Changes: ABI 2 appended `samples` and `batch_loss_grad` to gd_plugin_problem (the
 * struct grew, so a table built for ABI 1 is refused: rebuild it against this header;
 * its source needs no change). */
#ifndef GDSWEEP_PLUGIN_H
#define GDSWEEP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised on any incompatible change of the structs or functions below. */
#define GD_PLUGIN_ABI_VERSION 2
/* The one symbol a plugin exports. */
#define GD_PLUGIN_SYMBOL "gd_plugin_problems"
/* At most this many parameters per problem (gdsweep adds `library` and `name`). */
#define GD_PLUGIN_MAX_PARAMS 12
/* Size of the message buffer setup receives. */
#define GD_PLUGIN_ERR_SIZE 256

typedef enum { GD_PLUGIN_REAL = 0, GD_PLUGIN_INT = 1 } gd_plugin_kind;

/* One parameter: its grid key ([a-z][a-z0-9_]*), kind, default and closed range. */
typedef struct gd_plugin_param {
    const char *key;
    gd_plugin_kind kind;
    double def;
    double lo, hi;        /* valid values: lo <= v <= hi (use +-HUGE_VAL for none) */
    int model;            /* 1: defines the model only (draws no data); 0: a data parameter */
    const char *doc;      /* one line for `gdsweep --list` and the README */
} gd_plugin_param;

/* One problem. Optional members may be NULL. */
typedef struct gd_plugin_problem {
    const char *name;     /* [a-z][a-z0-9_]*, unique in its library */
    const char *doc;      /* one line */
    const gd_plugin_param *params;
    size_t n_params;      /* at most GD_PLUGIN_MAX_PARAMS */

    /* Dimension of x for these parameters (>= 1), never decreasing in any parameter (the
     * grid bounds it by each key's smallest and largest values). */
    size_t (*dimension)(const double *params);
    /* Builds a state for these parameters and key words, and writes the start point
     * (x0: dimension(params) doubles). 0, or non-zero with err filled. */
    int (*setup)(const double *params, const uint32_t key[4], void **state, double *x0,
                 char *err);
    /* Frees what setup allocated (NULL: nothing to free). */
    void (*destroy)(void *state);
    /* f(x); n is dimension(params). */
    double (*loss)(const void *state, size_t n, const double *x);
    /* f(x) and its gradient into g (n doubles) in one call; returns f(x). */
    double (*loss_grad)(const void *state, size_t n, const double *x, double *g);

    /* 1 when setup draws nothing from its key words (the start point and everything else
     * follow from the parameters): nothing is stored per instance, and gdsweep warns that
     * repeats are identical runs. 0: setup draws (a random start, data); each instance's
     * start point is stored in the output (/instances). */
    int draws_nothing;

    /* Optional: the optimal loss of this instance (runs then record their gap), or a NaN
     * when unknown. */
    double (*optimum)(const void *state);
    /* Optional: a quality measure of x, its column name and which way is better. */
    const char *metric_name;  /* [a-z][a-z0-9_]*, NULL: no metric */
    const char *metric_mode;  /* "min" or "max" */
    double (*metric)(const void *state, size_t n, const double *x);

    /* Optional, both or neither (ABI 2; the contract above): N, the number of data points
     * of this instance, and the minibatch loss (1/m) sum_{q < m} l_{rows[q]}(x) + R(x)
     * with its gradient into g unless g is NULL. */
    size_t (*samples)(const void *state);
    double (*batch_loss_grad)(const void *state, size_t n, const double *x,
                              const size_t *rows, size_t m, double *g);
} gd_plugin_problem;

/* What GD_PLUGIN_SYMBOL returns: static data, alive while the library is loaded. */
typedef struct gd_plugin_table {
    int abi_version;      /* GD_PLUGIN_ABI_VERSION, as compiled into the plugin */
    size_t count;
    const gd_plugin_problem *problems;
} gd_plugin_table;

/* The signature of GD_PLUGIN_SYMBOL, and its declaration for the plugin that defines it. */
typedef const gd_plugin_table *gd_plugin_problems_fn(void);
const gd_plugin_table *gd_plugin_problems(void);

#ifdef __cplusplus
}
#endif

#endif
