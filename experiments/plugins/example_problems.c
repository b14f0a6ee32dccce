/* example_problems.c - an example gdsweep plugin: Rastrigin, an ill-conditioned quadratic,
 * the article's parabola (each with an exact gradient and a known optimum) and a robust
 * regression on drawn data with minibatches (a sum over data points: samples and
 * batch_loss_grad).
 *
 * Build (from the gdsweep source tree; CMake builds it too, as example_problems.so):
 *   cc -shared -fPIC -O2 -I include experiments/plugins/example_problems.c \
 *      -o example_problems.so -lm
 * Everything random is drawn from the four key words setup receives (splitmix64 below),
 * so every rank and layout builds the same instance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/plugin.h"

#define PI 3.14159265358979323846

/* ---- random numbers from the key words ------------------------------------------------ */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t seed_of(const uint32_t key[4])
{
    return ((uint64_t)key[0] << 32 | key[1]) ^ ((uint64_t)key[2] << 32 | key[3]);
}

/* Uniform on [-1, 1). */
static double uniform(uint64_t *s)
{
    return (double)(splitmix64(s) >> 11) * 0x1.0p-52 - 1.0;
}

/* Standard normal (Box-Muller on two uniforms in (0, 1]). */
static double normal(uint64_t *s)
{
    double u = 1.0 - (double)(splitmix64(s) >> 11) * 0x1.0p-53;
    double v = (double)(splitmix64(s) >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u)) * cos(2 * PI * v);
}

/* ---- Rastrigin: f(x) = A n + sum(x_i^2 - A cos(2 pi x_i)), minimum 0 at x = 0; its
 * metric `distance` is |x|, the distance to that minimum ------------------------------- */

enum { R_N, R_A, R_RANGE };

static const gd_plugin_param rastrigin_params[] = {
    [R_N] = {"n", GD_PLUGIN_INT, 10, 1, 1e7, 0, "dimension"},
    [R_A] = {"amplitude", GD_PLUGIN_REAL, 10, 0, 1e6, 1, "A: depth of the local minima"},
    [R_RANGE] = {"start_range", GD_PLUGIN_REAL, 5.12, 0, 1e6, 0,
                 "start point drawn uniformly in [-start_range, start_range]^n"},
};

static size_t rastrigin_dimension(const double *p)
{
    return (size_t)p[R_N];
}

static int rastrigin_setup(const double *p, const uint32_t key[4], void **state, double *x0,
                           char *err)
{
    uint64_t s = seed_of(key);
    double *a = malloc(sizeof *a);
    if (!a) {
        strcpy(err, "out of memory");
        return 1;
    }
    *a = p[R_A];
    for (size_t i = 0; i < (size_t)p[R_N]; i++)
        x0[i] = p[R_RANGE] * uniform(&s);
    *state = a;
    return 0;
}

static double rastrigin_loss_grad(const void *state, size_t n, const double *x, double *g)
{
    double a = *(const double *)state, f = a * (double)n;
    for (size_t i = 0; i < n; i++) {
        f += x[i] * x[i] - a * cos(2 * PI * x[i]);
        if (g)
            g[i] = 2 * x[i] + 2 * PI * a * sin(2 * PI * x[i]);
    }
    return f;
}

static double rastrigin_loss(const void *state, size_t n, const double *x)
{
    return rastrigin_loss_grad(state, n, x, NULL);
}

/* The metric: Euclidean distance to the global minimiser 0 (lower is better). */
static double rastrigin_distance(const void *state, size_t n, const double *x)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i] * x[i];
    return sqrt(s);
}

static double zero_optimum(const void *state)
{
    return 0.0;
}

/* ---- ill-conditioned quadratic: f(x) = 1/2 sum_i l_i ((Q (x - x*))_i)^2 -------------
 * l_i = cond^(i / (n - 1)) spans [1, cond], so the Hessian Q diag(l) Q has condition
 * number cond; Q = I - 2 v v^T / |v|^2 is a Householder reflection of a random v (so the
 * problem is not axis-aligned), x* is uniform in [-1, 1]^n, the start point 0. Minimum 0
 * at x*. */

enum { Q_N, Q_COND };

static const gd_plugin_param quadratic_params[] = {
    [Q_N] = {"n", GD_PLUGIN_INT, 10, 1, 1e7, 0, "dimension"},
    [Q_COND] = {"cond", GD_PLUGIN_REAL, 1e3, 1, 1e12, 1, "condition number of the Hessian"},
};

typedef struct ill_quadratic {
    size_t n;
    double v_norm2;
    double *l, *v, *x_opt; /* n each, in one block after the struct */
} ill_quadratic;

static size_t quadratic_dimension(const double *p)
{
    return (size_t)p[Q_N];
}

static int quadratic_setup(const double *p, const uint32_t key[4], void **state, double *x0,
                           char *err)
{
    size_t n = (size_t)p[Q_N];
    uint64_t s = seed_of(key);
    ill_quadratic *q = malloc(sizeof *q + 3 * n * sizeof(double));
    if (!q) {
        strcpy(err, "out of memory");
        return 1;
    }
    q->n = n;
    q->l = (double *)(q + 1);
    q->v = q->l + n;
    q->x_opt = q->v + n;
    q->v_norm2 = 0;
    for (size_t i = 0; i < n; i++) {
        q->l[i] = n > 1 ? pow(p[Q_COND], (double)i / (double)(n - 1)) : 1.0;
        q->v[i] = uniform(&s);
        q->v_norm2 += q->v[i] * q->v[i];
        q->x_opt[i] = uniform(&s);
        x0[i] = 0.0;
    }
    *state = q;
    return 0;
}

/* y = Q d (Q is symmetric: the gradient is Q diag(l) y). */
static void reflect(const ill_quadratic *q, const double *d, double *y)
{
    double dot = 0;
    for (size_t i = 0; i < q->n; i++)
        dot += q->v[i] * d[i];
    double c = q->v_norm2 > 0 ? 2 * dot / q->v_norm2 : 0;
    for (size_t i = 0; i < q->n; i++)
        y[i] = d[i] - c * q->v[i];
}

/* f at x; with g, the gradient too (g doubles as scratch). */
static double quadratic_eval(const ill_quadratic *q, const double *x, double *g)
{
    double f = 0, dot = 0;
    for (size_t i = 0; i < q->n; i++)
        dot += q->v[i] * (x[i] - q->x_opt[i]);
    double c = q->v_norm2 > 0 ? 2 * dot / q->v_norm2 : 0;
    for (size_t i = 0; i < q->n; i++) {
        double y = x[i] - q->x_opt[i] - c * q->v[i];
        f += 0.5 * q->l[i] * y * y;
        if (g)
            g[i] = q->l[i] * y;
    }
    if (g)
        reflect(q, g, g);
    return f;
}

static double quadratic_loss(const void *state, size_t n, const double *x)
{
    return quadratic_eval(state, x, NULL);
}

static double quadratic_loss_grad(const void *state, size_t n, const double *x, double *g)
{
    return quadratic_eval(state, x, g);
}

/* ---- the article's parabola: f(x) = a x^2 + b x + c (n = 1), like the built-in
 * `quadratic` (bench/bench_plugin.sh compares the two) --------------------------------- */

enum { P_A, P_B, P_C, P_X0 };

static const gd_plugin_param parabola_params[] = {
    [P_A] = {"a", GD_PLUGIN_REAL, 1, 1e-300, 1e300, 1, "curvature"},
    [P_B] = {"b", GD_PLUGIN_REAL, 5, -1e300, 1e300, 1, "coefficient of x"},
    [P_C] = {"c", GD_PLUGIN_REAL, 10, -1e300, 1e300, 1, "constant term"},
    [P_X0] = {"x0", GD_PLUGIN_REAL, 5, -1e300, 1e300, 0, "start point"},
};

static size_t parabola_dimension(const double *p)
{
    return 1;
}

static int parabola_setup(const double *p, const uint32_t key[4], void **state, double *x0,
                          char *err)
{
    double *abc = malloc(3 * sizeof *abc);
    if (!abc) {
        strcpy(err, "out of memory");
        return 1;
    }
    memcpy(abc, p, 3 * sizeof *abc);
    x0[0] = p[P_X0];
    *state = abc;
    return 0;
}

static double parabola_loss(const void *state, size_t n, const double *x)
{
    const double *abc = state;
    return abc[0] * x[0] * x[0] + abc[1] * x[0] + abc[2];
}

static double parabola_loss_grad(const void *state, size_t n, const double *x, double *g)
{
    const double *abc = state;
    g[0] = 2 * abc[0] * x[0] + abc[1];
    return parabola_loss(state, n, x);
}

static double parabola_optimum(const void *state)
{
    const double *abc = state;
    return abc[2] - abc[1] * abc[1] / (4 * abc[0]);
}

/* ---- robust regression: a sum over data points with minibatches ------------------------
 * f(w) = (1/N) sum_i h(a_i . w - y_i) + l2 |w|^2 with the pseudo-Huber loss
 * h(r) = delta^2 (sqrt(1 + (r / delta)^2) - 1): quadratic for small residuals, linear for
 * large ones, so gross outliers pull less than in least squares. The data: a_i ~ N(0, I)
 * (n features, N = points rows), y_i = a_i . w* + noise N(0, 1) with w* uniform in
 * [-1, 1]^n, and a fraction `outliers` of the rows gets a gross error 10 * Cauchy. The
 * start point is 0; the metric `weight_error` is |w - w*|. The optimum is not known in
 * closed form. batch_loss_grad sums its rows in their order, allocates nothing and only
 * reads the state: the contract of gdsweep/plugin.h. */

enum { H_N, H_POINTS, H_NOISE, H_OUTLIERS, H_DELTA, H_L2 };

static const gd_plugin_param robust_params[] = {
    [H_N] = {"n", GD_PLUGIN_INT, 10, 1, 1e5, 0, "features (the dimension)"},
    [H_POINTS] = {"points", GD_PLUGIN_INT, 1000, 1, 1e7, 0, "N: data points (rows)"},
    [H_NOISE] = {"noise", GD_PLUGIN_REAL, 0.1, 0, 1e6, 0, "standard deviation of y's noise"},
    [H_OUTLIERS] = {"outliers", GD_PLUGIN_REAL, 0.1, 0, 1, 0,
                    "fraction of rows whose y gets a gross error 10 * Cauchy"},
    [H_DELTA] = {"delta", GD_PLUGIN_REAL, 1, 1e-6, 1e6, 1,
                 "pseudo-Huber scale: quadratic below it, linear above"},
    [H_L2] = {"l2", GD_PLUGIN_REAL, 1e-4, 0, 1e6, 1, "penalty l2 |w|^2"},
};

typedef struct robust {
    size_t n, points;
    double delta, l2;
    double *a, *y, *w_true; /* points x n row-major, points, n: one block after the struct */
} robust;

static size_t robust_dimension(const double *p)
{
    return (size_t)p[H_N];
}

static void robust_draw(robust *r, double noise, double outliers, uint64_t *s)
{
    for (size_t j = 0; j < r->n; j++)
        r->w_true[j] = uniform(s);
    for (size_t i = 0; i < r->points; i++) {
        double *a = r->a + i * r->n, y = 0;
        for (size_t j = 0; j < r->n; j++) {
            a[j] = normal(s);
            y += a[j] * r->w_true[j];
        }
        y += noise * normal(s);
        if (0.5 * (uniform(s) + 1.0) < outliers)
            y += 10.0 * tan(PI / 2 * uniform(s)); /* Cauchy: tan of a uniform angle */
        r->y[i] = y;
    }
}

static int robust_setup(const double *p, const uint32_t key[4], void **state, double *x0,
                        char *err)
{
    size_t n = (size_t)p[H_N], points = (size_t)p[H_POINTS];
    uint64_t s = seed_of(key);
    robust *r = malloc(sizeof *r + (points * n + points + n) * sizeof(double));
    if (!r) {
        strcpy(err, "out of memory");
        return 1;
    }
    *r = (robust){.n = n, .points = points, .delta = p[H_DELTA], .l2 = p[H_L2]};
    r->a = (double *)(r + 1);
    r->y = r->a + points * n;
    r->w_true = r->y + points;
    robust_draw(r, p[H_NOISE], p[H_OUTLIERS], &s);
    for (size_t j = 0; j < n; j++)
        x0[j] = 0.0;
    *state = r;
    return 0;
}

static size_t robust_samples(const void *state)
{
    return ((const robust *)state)->points;
}

/* (1/m) sum_q h(residual of row rows[q]) + l2 |w|^2 (rows NULL: rows 0..m-1), gradient
 * into g unless NULL. */
static double robust_sum(const robust *r, const double *w, const size_t *rows, size_t m,
                         double *g)
{
    double f = 0, w2 = 0, d2 = r->delta * r->delta;
    for (size_t j = 0; g && j < r->n; j++)
        g[j] = 0;
    for (size_t q = 0; q < m; q++) {
        const double *a = r->a + (rows ? rows[q] : q) * r->n;
        double res = -r->y[rows ? rows[q] : q];
        for (size_t j = 0; j < r->n; j++)
            res += a[j] * w[j];
        double root = sqrt(1.0 + res * res / d2);
        f += d2 * (root - 1.0);
        for (size_t j = 0; g && j < r->n; j++)
            g[j] += res / root * a[j];
    }
    for (size_t j = 0; j < r->n; j++) {
        w2 += w[j] * w[j];
        if (g)
            g[j] = g[j] / (double)m + 2 * r->l2 * w[j];
    }
    return f / (double)m + r->l2 * w2;
}

static double robust_batch_loss_grad(const void *state, size_t n, const double *w,
                                     const size_t *rows, size_t m, double *g)
{
    return robust_sum(state, w, rows, m, g);
}

static double robust_loss_grad(const void *state, size_t n, const double *w, double *g)
{
    return robust_sum(state, w, NULL, ((const robust *)state)->points, g);
}

static double robust_loss(const void *state, size_t n, const double *w)
{
    return robust_loss_grad(state, n, w, NULL);
}

/* The metric: |w - w*|, the distance to the weights that generated the data. */
static double robust_weight_error(const void *state, size_t n, const double *w)
{
    const robust *r = state;
    double s = 0;
    for (size_t j = 0; j < n; j++)
        s += (w[j] - r->w_true[j]) * (w[j] - r->w_true[j]);
    return sqrt(s);
}

/* ---- the table ------------------------------------------------------------------------ */

static const gd_plugin_problem problems[] = {
    {.name = "rastrigin", .doc = "Rastrigin's function, minimum 0 at 0",
     .params = rastrigin_params, .n_params = 3, .dimension = rastrigin_dimension,
     .setup = rastrigin_setup, .destroy = free, .loss = rastrigin_loss,
     .loss_grad = rastrigin_loss_grad, .optimum = zero_optimum,
     .metric_name = "distance", .metric_mode = "min", .metric = rastrigin_distance},
    {.name = "ill_quadratic", .doc = "rotated quadratic of a chosen condition number",
     .params = quadratic_params, .n_params = 2, .dimension = quadratic_dimension,
     .setup = quadratic_setup, .destroy = free, .loss = quadratic_loss,
     .loss_grad = quadratic_loss_grad, .optimum = zero_optimum},
    {.name = "parabola", .doc = "a x^2 + b x + c, the built-in quadratic as a plugin",
     .params = parabola_params, .n_params = 4, .dimension = parabola_dimension,
     .setup = parabola_setup, .destroy = free, .loss = parabola_loss,
     .loss_grad = parabola_loss_grad, .draws_nothing = 1, .optimum = parabola_optimum},
    {.name = "robust_regression", .doc = "pseudo-Huber regression on drawn data with outliers",
     .params = robust_params, .n_params = 6, .dimension = robust_dimension,
     .setup = robust_setup, .destroy = free, .loss = robust_loss,
     .loss_grad = robust_loss_grad, .metric_name = "weight_error", .metric_mode = "min",
     .metric = robust_weight_error, .samples = robust_samples,
     .batch_loss_grad = robust_batch_loss_grad},
};

static const gd_plugin_table table = {GD_PLUGIN_ABI_VERSION, 4, problems};

const gd_plugin_table *gd_plugin_problems(void)
{
    return &table;
}
