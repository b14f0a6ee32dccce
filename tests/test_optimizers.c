/* test_optimizers.c - the optimizer registry and every update rule against values
 * computed independently in Python.
 *
 * Reference values were computed with /usr/bin/python3 in plain floats, writing each
 * update rule out literally; the loop that produced every `want` table below was
 *
 *     x = [0.018, -0.031, -0.019]; state = zeros; LR = [0.049, 0.145, 0.094]
 *     G = [[-1.483, 1.476, 0.24], [-2.184, -1.993, -0.524], [0.251, 0.696, -2.044]]
 *     for t in (1, 2, 3): g = G[t-1]; lr = LR[t-1]; for each i: <update of that test>
 *     print(repr(x)) after each step; print each state vector after the last
 *
 * The inputs come from a search over random values for a set under which every plausible
 * re-ordering of an update (lr*(mhat/den) for lr*mhat/den, (1-decay)*g*g for
 * (1-decay)*(g*g), x*(1 - lr*wd), m*(1/bc) for m/bc, ...) changes some bit of x.
 *
 * The comparisons are exact: the library is built as ISO C11 (no contraction into fused
 * multiply-adds), so the same operations in the same order give Python's bits. The state
 * vectors are STRIDE > N apart and surrounded by sentinels, so stride bugs and writes
 * outside [0, N) show. hp[0] (the base lr) is NaN: a step must use the scheduled lr. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/optimizer.h"

enum { N = 3, STRIDE = 5, STEPS = 3, MAX_VECTORS = 3 };

static const double SENTINEL = -777.0;
static const double X0[N] = {0.018, -0.031, -0.019};
static const double GRADS[STEPS][N] = {
    {-1.483, 1.476, 0.24}, {-2.184, -1.993, -0.524}, {0.251, 0.696, -2.044}};
static const double RATES[STEPS] = {0.049, 0.145, 0.094};

/* x with one sentinel after it; state with room for one vector more than any optimizer. */
typedef struct block {
    double x[N + 1];
    double state[(MAX_VECTORS + 1) * STRIDE];
} block;

/* Bit-for-bit equality; `what`, a and i say where (step and index, or vector and index). */
static void assert_same(double got, double want, const char *what, long a, size_t i)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("%s (%ld, %zu): got %.17g, want %.17g", what, a, i, got, want);
}

static int in_block(size_t k, size_t i, size_t vectors)
{
    return k < vectors && i < N;
}

static void block_init(block *b, size_t vectors)
{
    assert_true(vectors <= MAX_VECTORS);
    memcpy(b->x, X0, sizeof X0);
    b->x[N] = SENTINEL;
    for (size_t k = 0; k <= MAX_VECTORS; k++)
        for (size_t i = 0; i < STRIDE; i++)
            b->state[k * STRIDE + i] = in_block(k, i, vectors) ? 0.0 : SENTINEL;
}

static void assert_sentinels(const block *b, size_t vectors)
{
    assert_true(b->x[N] == SENTINEL);
    for (size_t k = 0; k <= MAX_VECTORS; k++)
        for (size_t i = 0; i < STRIDE; i++)
            if (!in_block(k, i, vectors))
                assert_true(b->state[k * STRIDE + i] == SENTINEL);
}

/* An optimizer's expected x after each step and its state vectors after the last. */
typedef struct steps_case {
    const char *name;
    double hp[GD_MAX_PARAMS];
    double x[STEPS][N];
    double state[MAX_VECTORS][N];
} steps_case;

/* Runs STEPS steps of c->name and compares x after each step, then the state. */
static void check_steps(const steps_case *c, block *b)
{
    const gd_optimizer_type *type = gd_optimizer_find(c->name);
    assert_non_null(type);
    block_init(b, type->state_vectors);
    for (long t = 1; t <= STEPS; t++) {
        type->step(c->hp, RATES[t - 1], t, N, STRIDE, b->x, GRADS[t - 1], b->state);
        for (size_t i = 0; i < N; i++)
            assert_same(b->x[i], c->x[t - 1][i], c->name, t, i);
    }
    for (size_t k = 0; k < type->state_vectors; k++)
        for (size_t i = 0; i < N; i++)
            assert_same(b->state[k * STRIDE + i], c->state[k][i], "state vector", (long)k, i);
    assert_sentinels(b, type->state_vectors);
}

/* x = x - lr*g */
static void test_gd_steps(void **unused)
{
    static const steps_case c = {
        "gd",
        {NAN},
        {
            {0.09066700000000001, -0.103324, -0.03076},
            {0.407347, 0.185661, 0.045219999999999996},
            {0.383753, 0.120237, 0.237356},
        },
        {{0}}, /* no state */
    };
    block b;
    check_steps(&c, &b);
}

/* v = mu*v - lr*g; x = x + v    (mu = 0.627) */
static void test_momentum_steps(void **unused)
{
    static const steps_case c = {
        "momentum",
        {NAN, 0.627},
        {
            {0.09066700000000001, -0.103324, -0.03076},
            {0.45290920900000003, 0.140313852, 0.03784648},
            {0.656441074043, 0.227650785204, 0.27299874296},
        },
        {
            {0.20353186504300003, 0.087336933204, 0.23515226296},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* acc = acc + g*g; x = x - (lr/(math.sqrt(acc) + eps))*g    (eps = 0.018) */
static void test_adagrad_steps(void **unused)
{
    static const steps_case c = {
        "adagrad",
        {NAN, 0.018},
        {
            {0.06641239173884077, -0.07940963855421687, -0.06458139534883721},
            {0.18555846679163712, 0.036274809910776556, 0.06325635761784802},
            {0.17672116483144618, 0.011052142816675246, 0.1529681670386862},
        },
        {
            {7.032146000000001, 6.635041000000001, 4.5101119999999995},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* avg = decay*avg + (1 - decay)*(g*g); x = x - (lr/(math.sqrt(avg) + eps))*g
 * (decay = 0.929, eps = 0.019) */
static void test_rmsprop_steps(void **unused)
{
    static const steps_case c = {
        "rmsprop",
        {NAN, 0.929, 0.019},
        {
            {0.19345736739848504, -0.2064192013857609, -0.16077218530624934},
            {0.6366753184051542, 0.22395985521640024, 0.2819393754245467},
            {0.6026136583528223, 0.12698548082682168, 0.6114146776556983},
        },
        {
            {0.4538514399312788, 0.42988014507373573, 0.3182737068575998},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* m = b1*m + (1 - b1)*g; v = b2*v + (1 - b2)*(g*g)
 * mhat = m/(1 - b1**t); vhat = v/(1 - b2**t); x = x - lr*mhat/(math.sqrt(vhat) + eps)
 * (b1 = 0.641, b2 = 0.956, eps = 0.019) */
static void test_adam_steps(void **unused)
{
    static const steps_case c = {
        "adam",
        {NAN, 0.641, 0.956, 0.019},
        {
            {0.06638015978695073, -0.07937725752508362, -0.06440540540540539},
            {0.21266283589937074, -0.027362233593884698, 0.011743445731160568},
            {0.264992878600565, -0.028125472754529226, 0.0940192188018181},
        },
        {
            {-0.6312227077570001, 0.008956100804, -0.81897684904},
            {0.2918516800101763, 0.27600205068198425, 0.19769522826240016},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* x = x - lr*wd*x, then the adam update above    (wd = 1.2, Adam's as above) */
static void test_adamw_steps(void **unused)
{
    static const steps_case c = {
        "adamw",
        {NAN, 0.641, 0.956, 0.019, 1.2},
        {
            {0.06532175978695073, -0.07755445752508362, -0.06328820540540539},
            {0.20023844969644133, -0.012044957984520148, 0.023872793471701105},
            {0.22998159527187695, -0.011449525884510803, 0.10345571543875075},
        },
        {
            {-0.6312227077570001, 0.008956100804, -0.81897684904},
            {0.2918516800101763, 0.27600205068198425, 0.19769522826240016},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* adam's m, v, mhat; vmax = max(vmax, v); x = x - lr*mhat/(math.sqrt(vmax/(1 - b2**t)) + eps)
 * (as adam above; v[0] falls at step 3, so x[0] then differs from Adam's) */
static void test_amsgrad_steps(void **unused)
{
    static const steps_case c = {
        "amsgrad",
        {NAN, 0.641, 0.956, 0.019, 1},
        {
            {0.06638015978695073, -0.07937725752508362, -0.06440540540540539},
            {0.21266283589937074, -0.027362233593884698, 0.011743445731160568},
            {0.2640845544353194, -0.028125472754529226, 0.0940192188018181},
        },
        {
            {-0.6312227077570001, 0.008956100804, -0.81897684904},
            {0.2918516800101763, 0.27600205068198425, 0.19769522826240016},
            {0.3023845564960003, 0.27600205068198425, 0.19769522826240016},
        },
    };
    block b;
    check_steps(&c, &b);
    const double *v = b.state + STRIDE, *vmax = b.state + 2 * STRIDE;
    assert_true(vmax[0] > v[0]);
}

/* bias_correction = false, Reddi et al. (2018) Algorithm 2: m, v as adam; vmax = max(vmax, v);
 * x = x - lr*m/(math.sqrt(vmax) + eps) */
static void test_amsgrad_uncorrected_steps(void **unused)
{
    static const steps_case c = {
        "amsgrad",
        {NAN, 0.641, 0.956, 0.019, 0},
        {
            {0.09703451729502613, -0.11001294736822402, -0.07988358842496375},
            {0.3838567732584053, -0.0081804709258744, 0.058309007891135536},
            {0.48815533488562435, -0.009727011934807553, 0.22435507362677293},
        },
        {
            {-0.6312227077570001, 0.008956100804, -0.81897684904},
            {0.2918516800101763, 0.27600205068198425, 0.19769522826240016},
            {0.3023845564960003, 0.27600205068198425, 0.19769522826240016},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* Dozat (2016), Algorithm 2 with the momentum schedule (psi = hp[4]):
 *   mu = lambda t: b1 if psi == 0 else b1*(1 - 0.5*0.96**(t*psi)); prod = prod*mu(t)
 *   cg = (1 - mu(t))/(1 - prod); cm = mu(t + 1)/(1 - prod*mu(t + 1)); bc2 = 1 - b2**t
 *   m = b1*m + (1 - b1)*g; v = b2*v + (1 - b2)*(g*g)
 *   x = x - lr*(cg*g + cm*m)/(math.sqrt(v/bc2) + eps)
 * psi = 0.37 moves mu_t a lot over three steps; psi = 0 is a constant mu_t = b1. */
static void test_nadam_steps(void **unused)
{
    static const steps_case c = {
        "nadam",
        {NAN, 0.641, 0.956, 0.019, 0.37},
        {
            {0.07280184821098996, -0.08579856072051845, -0.0704322430091817},
            {0.22825049370768613, 0.04680114227855628, 0.07790902072966562},
            {0.23091282550785727, 0.01645650620507784, 0.2031113489094566},
        },
        {
            {-0.6312227077570001, 0.008956100804, -0.81897684904},
            {0.2918516800101763, 0.27600205068198425, 0.19769522826240016},
        },
    };
    block b;
    check_steps(&c, &b);
}

static void test_nadam_constant_momentum_steps(void **unused)
{
    static const steps_case c = {
        "nadam",
        {NAN, 0.641, 0.956, 0.019, 0},
        {
            {0.08527819904559511, -0.09827416311532043, -0.08214145955827858},
            {0.26218972494566206, 0.027414271271539156, 0.06469228588003238},
            {0.28444721833043757, 0.005687271579880845, 0.18515005729515926},
        },
        {
            {-0.6312227077570001, 0.008956100804, -0.81897684904},
            {0.2918516800101763, 0.27600205068198425, 0.19769522826240016},
        },
    };
    block b;
    check_steps(&c, &b);
}

/* ahead = x + mu*v (printed before the step); v = mu*v - lr*g; x = x + v    (mu = 0.627) */
static void test_nag_lookahead_and_steps(void **unused)
{
    static const double hp[] = {NAN, 0.627};
    static const double want_ahead[STEPS][N] = {
        {0.018, -0.031, -0.019},
        {0.13622920900000002, -0.148671148, -0.03813352},
        {0.6800350740430001, 0.293074785204, 0.08086274296},
    };
    static const double want_x[STEPS][N] = {
        {0.09066700000000001, -0.103324, -0.03076},
        {0.45290920900000003, 0.140313852, 0.03784648},
        {0.656441074043, 0.227650785204, 0.27299874296},
    };
    const gd_optimizer_type *type = &gd_optimizer_nag;
    assert_non_null(type->lookahead);
    block b;
    block_init(&b, type->state_vectors);
    for (long t = 1; t <= STEPS; t++) {
        double ahead[N + 1] = {[N] = SENTINEL};
        type->lookahead(hp, N, STRIDE, b.x, b.state, ahead);
        assert_true(ahead[N] == SENTINEL);
        for (size_t i = 0; i < N; i++)
            assert_same(ahead[i], want_ahead[t - 1][i], "nag lookahead", t, i);
        type->step(hp, RATES[t - 1], t, N, STRIDE, b.x, GRADS[t - 1], b.state);
        for (size_t i = 0; i < N; i++)
            assert_same(b.x[i], want_x[t - 1][i], "nag", t, i);
    }
    assert_sentinels(&b, type->state_vectors);
}

/* The article's runs on f(x) = x^2 + 5x + 10 from x = 5 with its settings, 100 steps,
 * gradient 2x + 5 (taken at the look-ahead point for NAG). `want` is what the article's
 * own functions return (python3 with numpy, copied verbatim, `gradient` replaced by
 * lambda x: 2*x + 5), e.g. gradient_descent(cost_function, 5, 0.1, 100). */
typedef struct article_case {
    const gd_optimizer_type *type;
    double hp[4];
    double want;
} article_case;

static double article_run(const gd_optimizer_type *type, const double *hp)
{
    double x = 5, v[MAX_VECTORS] = {0};
    for (long t = 1; t <= 100; t++) {
        double at = x;
        if (type->lookahead)
            type->lookahead(hp, 1, 1, &x, v, &at);
        const double g = 2 * at + 5;
        type->step(hp, hp[0], t, 1, 1, &x, &g, v);
    }
    return x;
}

static void test_article_runs(void **unused)
{
    static const article_case cases[] = {
        {&gd_optimizer_gd, {0.1}, -2.499999998472223},
        {&gd_optimizer_momentum, {0.1, 0.9}, -2.52138558340887},
        {&gd_optimizer_nag, {0.1, 0.9}, -2.5000002301074815},
        {&gd_optimizer_adagrad, {0.5, 1e-8}, -1.4109185315297406},
        {&gd_optimizer_rmsprop, {0.01, 0.9, 1e-8}, 3.9204370124016052},
        {&gd_optimizer_adam, {0.01, 0.9, 0.999, 1e-8}, 4.023489578279868},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        assert_same(article_run(cases[c].type, cases[c].hp), cases[c].want,
                    cases[c].type->name, 100, 0);
    const double gd = article_run(&gd_optimizer_gd, (const double[]){0.1});
    assert_true(fabs(gd - -2.5) < 1e-6);
}

static void test_registry_order(void **unused)
{
    static const char *const names[] = {"gd",   "momentum", "nag",     "adagrad", "rmsprop",
                                        "adam", "adamw",    "amsgrad", "nadam",   NULL};
    for (size_t i = 0; names[i]; i++) {
        assert_non_null(gd_optimizers[i]);
        assert_string_equal(gd_optimizers[i]->name, names[i]);
    }
    assert_null(gd_optimizers[sizeof names / sizeof names[0] - 1]);
}

static void check_type(const gd_optimizer_type *type)
{
    gd_error err = {0};
    assert_true(type->doc && type->doc[0]);
    assert_non_null(type->step);
    assert_true(type->state_vectors <= MAX_VECTORS);
    const size_t count = gd_param_count(type->params);
    assert_true(count >= 1 && count <= GD_MAX_PARAMS);
    assert_string_equal(type->params[0].key, "lr");
    for (size_t p = 0; p < count; p++) {
        const gd_param_spec *spec = &type->params[p];
        assert_true(spec->doc && spec->doc[0]);
        if (gd_param_check(spec, spec->def, &err) != 0)
            fail_msg("%s: default of %s: %s", type->name, spec->key, err.msg);
        assert_int_equal(gd_param_find(type->params, spec->key), (int)p);
    }
}

static void test_registry_walk(void **unused)
{
    size_t count = 0;
    for (size_t i = 0; gd_optimizers[i]; i++, count++) {
        check_type(gd_optimizers[i]);
        assert_ptr_equal(gd_optimizer_find(gd_optimizers[i]->name), gd_optimizers[i]);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(gd_optimizers[i]->name, gd_optimizers[j]->name);
    }
    assert_int_equal(count, 9);
    assert_null(gd_optimizer_find("sgd"));
    assert_null(gd_optimizer_find(""));
    assert_null(gd_optimizer_find("Adam"));
}

/* A zero gradient on a zero state (the first step at a stationary point) must leave x
 * finite: every denominator carries its eps. */
static void test_zero_gradient_stays_finite(void **unused)
{
    for (size_t i = 0; gd_optimizers[i]; i++) {
        const gd_optimizer_type *type = gd_optimizers[i];
        double hp[GD_MAX_PARAMS], x[N] = {1, -1, 0}, state[MAX_VECTORS * N] = {0};
        static const double zero[N] = {0};
        gd_param_defaults(type->params, hp);
        type->step(hp, hp[0], 1, N, N, x, zero, state);
        for (size_t k = 0; k < N; k++)
            if (!isfinite(x[k]))
                fail_msg("%s: x[%zu] = %g after a zero gradient", type->name, k, x[k]);
    }
}

/* Element-wise: one call on [0, BN) equals calls on [0, SPLIT) and [SPLIT, BN), bit for
 * bit, lookahead included. That is what lets the driver split work over threads. */
enum { BN = 7, BSTRIDE = 9, SPLIT = 3 };

static void step_range(const gd_optimizer_type *type, const double *hp, long t, size_t lo,
                       size_t hi, double *x, double *state)
{
    double at[BN], g[BN];
    memcpy(at, x, sizeof at);
    if (type->lookahead)
        type->lookahead(hp, hi - lo, BSTRIDE, x + lo, state + lo, at + lo);
    for (size_t i = lo; i < hi; i++)
        g[i] = (double)(i + 1) * at[i] - 1.0 + 0.25 * (double)t;
    type->step(hp, hp[0] / (double)t, t, hi - lo, BSTRIDE, x + lo, g + lo, state + lo);
}

static void check_blocks(const gd_optimizer_type *type)
{
    double hp[GD_MAX_PARAMS], whole[BN], split[BN];
    double whole_state[MAX_VECTORS * BSTRIDE] = {0}, split_state[MAX_VECTORS * BSTRIDE] = {0};
    gd_param_defaults(type->params, hp);
    for (size_t i = 0; i < BN; i++)
        whole[i] = split[i] = 0.3 * (double)i - 1.0;
    for (long t = 1; t <= 3; t++) {
        step_range(type, hp, t, 0, BN, whole, whole_state);
        step_range(type, hp, t, 0, SPLIT, split, split_state);
        step_range(type, hp, t, SPLIT, BN, split, split_state);
        for (size_t i = 0; i < BN; i++)
            assert_same(split[i], whole[i], type->name, t, i);
        if (memcmp(whole_state, split_state, sizeof whole_state) != 0)
            fail_msg("%s: state differs after step %ld", type->name, t);
        assert_true(whole[0] != 0.3 * 0 - 1.0); /* it moved */
    }
}

static void test_blocks_equal_whole(void **unused)
{
    for (size_t i = 0; gd_optimizers[i]; i++)
        check_blocks(gd_optimizers[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gd_steps),
        cmocka_unit_test(test_momentum_steps),
        cmocka_unit_test(test_nag_lookahead_and_steps),
        cmocka_unit_test(test_adagrad_steps),
        cmocka_unit_test(test_rmsprop_steps),
        cmocka_unit_test(test_adam_steps),
        cmocka_unit_test(test_adamw_steps),
        cmocka_unit_test(test_amsgrad_steps),
        cmocka_unit_test(test_nadam_steps),
        cmocka_unit_test(test_nadam_constant_momentum_steps),
        cmocka_unit_test(test_amsgrad_uncorrected_steps),
        cmocka_unit_test(test_article_runs),
        cmocka_unit_test(test_registry_order),
        cmocka_unit_test(test_registry_walk),
        cmocka_unit_test(test_zero_gradient_stays_finite),
        cmocka_unit_test(test_blocks_equal_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
