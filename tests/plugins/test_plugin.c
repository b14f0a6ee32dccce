/* test_plugin.c - small plugins for the tests, one source with variants chosen at build time.
 *
 * The problem `bowl`: f(x) = PLUGIN_CONSTANT / 2 * sum (x_i - k)^2 from x0 = 0 (n, k its
 * keys; minimum 0 at x = k). Variants (-D):
 *   PLUGIN_BAD_ABI          the table claims the next ABI version
 *   PLUGIN_NO_SYMBOL        exports its table under another name
 *   PLUGIN_WRONG_GRADIENT   component 1 of the gradient is 1% too large
 *   PLUGIN_CONSTANT=c       another constant: another library, other results
 * and in every variant loss_grad crashes (SIGSEGV) when the environment variable
 * GD_TEST_CRASH_K holds the instance's k, so that a test chooses the crashing run and then
 * resumes with the same library. */
#include <signal.h>
#include <stdlib.h>

#include "gdsweep/plugin.h"

#ifndef PLUGIN_CONSTANT
#define PLUGIN_CONSTANT 1.0
#endif

enum { B_N, B_K };

static const gd_plugin_param bowl_params[] = {
    [B_N] = {"n", GD_PLUGIN_INT, 3, 1, 1000, 0, "dimension"},
    [B_K] = {"k", GD_PLUGIN_REAL, 1, -100, 100, 1, "the minimiser's coordinates"},
};

typedef struct bowl {
    double k;
    int crash;
} bowl;

static size_t bowl_dimension(const double *p)
{
    return (size_t)p[B_N];
}

static int bowl_setup(const double *p, const uint32_t key[4], void **state, double *x0,
                      char *err)
{
    bowl *b = malloc(sizeof *b);
    if (!b)
        return 1;
    const char *crash = getenv("GD_TEST_CRASH_K");
    b->k = p[B_K];
    b->crash = crash && atof(crash) == p[B_K];
    for (size_t i = 0; i < (size_t)p[B_N]; i++)
        x0[i] = 0;
    *state = b;
    return 0;
}

static double bowl_loss_grad(const void *state, size_t n, const double *x, double *g)
{
    const bowl *b = state;
    double f = 0;
    if (!b || !x) /* gdsweep must pass the state setup made and a point */
        abort();
    if (b->crash && g)
        raise(SIGSEGV);
    for (size_t i = 0; i < n; i++) {
        f += PLUGIN_CONSTANT / 2 * (x[i] - b->k) * (x[i] - b->k);
        if (g)
            g[i] = PLUGIN_CONSTANT * (x[i] - b->k);
    }
#ifdef PLUGIN_WRONG_GRADIENT
    if (g && n > 1)
        g[1] *= 1.01;
#endif
    return f;
}

static double bowl_loss(const void *state, size_t n, const double *x)
{
    return bowl_loss_grad(state, n, x, NULL);
}

static double bowl_optimum(const void *state)
{
    return 0.0;
}

static const gd_plugin_problem problems[] = {
    {.name = "bowl", .doc = "a test bowl", .params = bowl_params, .n_params = 2,
     .dimension = bowl_dimension, .setup = bowl_setup, .destroy = free, .loss = bowl_loss,
     .loss_grad = bowl_loss_grad, .optimum = bowl_optimum},
};

#ifdef PLUGIN_BAD_ABI
static const gd_plugin_table table = {GD_PLUGIN_ABI_VERSION + 1, 1, problems};
#else
static const gd_plugin_table table = {GD_PLUGIN_ABI_VERSION, 1, problems};
#endif

#ifdef PLUGIN_NO_SYMBOL
const gd_plugin_table *gd_plugin_problems_misspelt(void);
const gd_plugin_table *gd_plugin_problems_misspelt(void)
#else
const gd_plugin_table *gd_plugin_problems(void)
#endif
{
    return &table;
}
