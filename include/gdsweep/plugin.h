/* plugin.h - the public C ABI of a compiled problem plugin (a shared library).
 *
 * A plugin is a shared library that exports one function, GD_PLUGIN_SYMBOL
 * (`gd_plugin_problems`), returning a table of problem descriptors. gdsweep loads it with
 * dlopen on every rank when a grid names it ([problem mine] type = plugin,
 * library = PATH.so, name = PROBLEM), refuses it when table->abi_version differs from
 * GD_PLUGIN_ABI_VERSION, checks each problem's gradient against central differences
 * before any run, and hashes the library's bytes into the sweep's identity (a rebuilt
 * library cannot --resume an old output).
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
 * - loss and loss_grad never allocate and may be called from several threads at once on
 *   one state (read-only); they must be deterministic;
 * - setup returns 0 or non-zero with a one-line message in err (NUL-terminated). */
#ifndef GDSWEEP_PLUGIN_H
#define GDSWEEP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised on any incompatible change of the structs or functions below. */
#define GD_PLUGIN_ABI_VERSION 1
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
