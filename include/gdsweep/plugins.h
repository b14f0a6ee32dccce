/* plugins.h - the plugin problem types of one sweep: libraries loaded, a type for each.
 *
 * A grid section `type = plugin, library = PATH.so[, name = PROBLEM]` becomes one
 * gd_problem_type on the heap (src/problems/plugin.c) whose keys are the plugin's own
 * parameters (gdsweep/plugin.h) followed by `library` (GD_PATH: its bytes are read and
 * hashed like any data file, so the library is part of the sweep's identity). The set owns
 * the types and the dlopen handles; one (library, name) pair is loaded once per set.
 * Failure: one usage error naming the library and the fix (missing file, no
 * GD_PLUGIN_SYMBOL, another ABI version, a malformed table, an unknown name). */
#ifndef GDSWEEP_PLUGINS_H
#define GDSWEEP_PLUGINS_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem.h"

typedef struct gd_plugins gd_plugins;

/* The type of problem `name` (NULL: the library's only problem) of the library at path,
 * loaded into *set (created when NULL) unless it already holds it. 0, or -1 with err. */
int gd_plugins_load(gd_plugins **set, const char *path, const char *name,
                    const gd_problem_type **type, gd_error *err);

/* NULL-terminated: the built-in registry (gd_problems), then the set's types (set may be
 * NULL). Owned by the set; valid until the next load or gd_plugins_free. */
const gd_problem_type *const *gd_plugins_registry(const gd_plugins *set);

void gd_plugins_free(gd_plugins *set);

/* 1 when t is a plugin type; its library path as loaded (NULL for a built-in type). */
int gd_problem_is_plugin(const gd_problem_type *t);
const char *gd_plugin_library_of(const gd_problem_type *t);

/* Largest number of gradient components checked per point (evenly spread when n is
 * larger). */
#define GD_GRADIENT_CHECK_COMPONENTS 64
/* Random points checked after the start point. */
#define GD_GRADIENT_CHECK_POINTS 3

/* The checks every plugin passes before any run (and `--check-problems` runs on any
 * problem): the loss finite at the start point x0, then the gradient against central
 * differences at x0 and at GD_GRADIENT_CHECK_POINTS points x0 + s * N(0, 1) drawn from a
 * fixed key (s = max(1, |x0_i|) / 2), each component i (at most
 * GD_GRADIENT_CHECK_COMPONENTS) within
 *   |g_i - d_i| <= 1e-5 * max(1, |g_i|) + 100 eps (|f(x + h e_i)| + |f(x - h e_i)|) / h
 * where d_i is the central difference with h = eps^(1/3) max(1, |x_i|) and the second term
 * bounds its rounding error. 0, or -1 with err "<what>: <which point>, component i:
 * gradient g, central difference d (difference D, allowed T)". *worst receives the
 * largest ratio difference / allowed seen (may be NULL). */
int gd_problem_check_gradient(const gd_problem *p, const char *what, double *worst,
                              gd_error *err);

/* The checks of a sum over data points (a type with batch_loss_grad), after
 * gd_problem_check_gradient: samples() >= 1; at the points above, batch_loss_grad over rows
 * 0..N-1 against loss_grad (|loss difference| <= 1e-8 max(1, |f|), each gradient
 * component within 1e-8 max(1, max_i |g_i|); with g = NULL the same loss); then its
 * gradient on a batch of 5 rows drawn from a fixed key (the last repeating the first)
 * against central differences of its own loss, as above. 0, or -1 with err "<what>: ...;
 * fix batch_loss_grad". */
int gd_problem_check_batch(const gd_problem *p, const char *what, gd_error *err);

#endif
