/* test_plugin.c - small plugins for the tests, one source with variants chosen at build time.
 *
 * The problem `bowl`: f(x) = PLUGIN_CONSTANT / 2 * sum (x_i - k)^2 from x0 = 0 (n, k its
 * keys; minimum 0 at x = k). Variants (-D):
 *   PLUGIN_BAD_ABI          the table claims the next ABI version
 *   PLUGIN_ABI_ONE          the table claims ABI version 1 (before minibatches)
 *   PLUGIN_NO_SYMBOL        exports its table under another name
 *   PLUGIN_WRONG_GRADIENT   component 1 of the gradient is 1% too large
 *   PLUGIN_CONSTANT=c       another constant: another library, other results
 * and in every variant loss_grad crashes (SIGSEGV) when the environment variable
 * GD_TEST_CRASH_K holds the instance's k, so that a test chooses the crashing run and then
 * resumes with the same library.
 *
 * The problem `cloud` instead, a sum over `points` data points with minibatches:
 *   f(x) = (1/N) sum_{i < N} log(1 + |x - a_i|^2) + l2 |x|^2,
 *   a_ij = ((7 i + 3 j) mod 11 - 5) / 5     (a closed form the tests recompute),
 * x0 uniform in [-2, 2)^n from the key words. Variants:
 *   PLUGIN_DATA               cloud as it should be
 *   PLUGIN_HALF_BATCH         samples without batch_loss_grad
 *   PLUGIN_WRONG_BATCH        batch gradient component 0 1% too large
 *   PLUGIN_WRONG_SMALL_BATCH  the same on batches of fewer than N rows only */
/* What gdsweep hands the plugin is asserted in every build type (NDEBUG lifted): a failed
 * assertion aborts the run, which the e2e tests see as a crash. */
#undef NDEBUG
#include <assert.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>

#include "gdsweep/plugin.h"

#if defined(PLUGIN_HALF_BATCH) || defined(PLUGIN_WRONG_BATCH) || \
    defined(PLUGIN_WRONG_SMALL_BATCH)
#define PLUGIN_DATA
#endif

/* Both problems' dimension: their first parameter, n. */
static size_t dimension(const double *p)
{
    return (size_t)p[0];
}

#ifndef PLUGIN_DATA /* ---- bowl ---------------------------------------------------------- */

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
    assert(b && x && "gdsweep passes the state setup made and a point");
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

#else /* ---- cloud ---------------------------------------------------------------------- */

enum { C_N, C_POINTS, C_L2 };

static const gd_plugin_param cloud_params[] = {
    [C_N] = {"n", GD_PLUGIN_INT, 2, 1, 100, 0, "dimension"},
    [C_POINTS] = {"points", GD_PLUGIN_INT, 40, 1, 100000, 0, "N: data points"},
    [C_L2] = {"l2", GD_PLUGIN_REAL, 0.01, 0, 100, 1, "penalty l2 |x|^2"},
};

typedef struct cloud {
    size_t points;
    double l2;
} cloud;

static size_t cloud_samples(const void *state)
{
    return ((const cloud *)state)->points;
}

static int cloud_setup(const double *p, const uint32_t key[4], void **state, double *x0,
                       char *err)
{
    cloud *c = malloc(sizeof *c);
    uint64_t s = (uint64_t)key[0] << 32 ^ key[1] ^ (uint64_t)key[2] << 16 ^ key[3];
    if (!c)
        return 1;
    c->points = (size_t)p[C_POINTS];
    c->l2 = p[C_L2];
    for (size_t i = 0; i < (size_t)p[C_N]; i++) { /* an LCG: any fixed draw will do */
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x0[i] = (double)(s >> 11) * 0x1.0p-53 * 4.0 - 2.0;
    }
    *state = c;
    return 0;
}

/* l_i(x), its gradient added to g unless NULL. */
static double cloud_term(size_t n, const double *x, size_t i, double *g)
{
    double s = 0;
    for (size_t j = 0; j < n; j++) {
        double d = x[j] - ((double)((7 * i + 3 * j) % 11) - 5) / 5;
        s += d * d;
    }
    for (size_t j = 0; g && j < n; j++)
        g[j] += 2 * (x[j] - ((double)((7 * i + 3 * j) % 11) - 5) / 5) / (1 + s);
    return log1p(s);
}

/* The loss over rows[0..m) (rows NULL: 0..m-1), in the order of q. */
static double cloud_sum(const cloud *c, size_t n, const double *x, const size_t *rows,
                        size_t m, double *g)
{
    double f = 0, x2 = 0;
    assert(c && x && m >= 1 && "a state, a point and at least one row");
    for (size_t j = 0; g && j < n; j++)
        g[j] = 0;
    for (size_t q = 0; q < m; q++) {
        assert((!rows || rows[q] < c->points) && "every batch row is a data point");
        f += cloud_term(n, x, rows ? rows[q] : q, g);
    }
    for (size_t j = 0; j < n; j++) {
        x2 += x[j] * x[j];
        if (g)
            g[j] = g[j] / (double)m + 2 * c->l2 * x[j];
    }
    return f / (double)m + c->l2 * x2;
}

static double cloud_loss_grad(const void *state, size_t n, const double *x, double *g)
{
    return cloud_sum(state, n, x, NULL, ((const cloud *)state)->points, g);
}

static double cloud_loss(const void *state, size_t n, const double *x)
{
    return cloud_loss_grad(state, n, x, NULL);
}

static double cloud_batch_loss_grad(const void *state, size_t n, const double *x,
                                    const size_t *rows, size_t m, double *g)
{
    double f = cloud_sum(state, n, x, rows, m, g);
#ifdef PLUGIN_WRONG_BATCH
    if (g)
        g[0] *= 1.01;
#endif
#ifdef PLUGIN_WRONG_SMALL_BATCH
    if (g && m < ((const cloud *)state)->points)
        g[0] *= 1.01;
#endif
    return f;
}

#endif

/* ---- the table ------------------------------------------------------------------------ */

#ifdef PLUGIN_HALF_BATCH
#define HALF_BATCH 1
#else
#define HALF_BATCH 0
#endif

#ifdef PLUGIN_DATA
static const gd_plugin_problem problems[] = {
    {.name = "cloud", .doc = "a test sum over data points", .params = cloud_params,
     .n_params = 3, .dimension = dimension, .setup = cloud_setup, .destroy = free,
     .loss = cloud_loss, .loss_grad = cloud_loss_grad, .samples = cloud_samples,
     .batch_loss_grad = HALF_BATCH ? NULL : cloud_batch_loss_grad},
};
#else
static const gd_plugin_problem problems[] = {
    {.name = "bowl", .doc = "a test bowl", .params = bowl_params, .n_params = 2,
     .dimension = dimension, .setup = bowl_setup, .destroy = free, .loss = bowl_loss,
     .loss_grad = bowl_loss_grad, .optimum = bowl_optimum},
};
#endif

#ifdef PLUGIN_BAD_ABI
static const gd_plugin_table table = {GD_PLUGIN_ABI_VERSION + 1, 1, problems};
#elif defined(PLUGIN_ABI_ONE)
static const gd_plugin_table table = {1, 1, problems};
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
