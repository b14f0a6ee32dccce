/* example_problems.c - an example gdsweep plugin: Rastrigin, an ill-conditioned quadratic
 * and the article's parabola, each with an exact gradient and a known optimum.
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
};

static const gd_plugin_table table = {GD_PLUGIN_ABI_VERSION, 3, problems};

const gd_plugin_table *gd_plugin_problems(void)
{
    return &table;
}
