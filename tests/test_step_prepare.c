/* test_step_prepare.c - the optimizer's per-step hook (prepare_step, step_prepared).
 *
 * The driver prepares a step's constants once per iteration and applies the step in blocks
 * or fused-kernel tiles (gd_step_apply with consts); that must give the bits of calling
 * the self-contained `step` on the whole vector, for every optimizer, over many steps,
 * whatever the blocks and whatever step the constants held before. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/optimizer.h"
#include "gdsweep/step_call.h"

enum { N = 37, STEPS = 60, VECTORS = 3 };

typedef struct trial {
    double x[N], state[VECTORS * N];
} trial;

static double grad_at(long t, size_t i)
{
    return sin(0.7 * (double)t + 1.3 * (double)i) * (1 + (double)(i % 5));
}

static void trial_init(trial *r)
{
    for (size_t i = 0; i < N; i++)
        r->x[i] = 0.1 * (double)i - 1.7;
    memset(r->state, 0, sizeof r->state);
}

static void defaults(const gd_optimizer_type *o, double *hp)
{
    gd_param_defaults(o->params, hp);
    hp[0] = 0.03;
}

/* Steps t = 1..STEPS: whole-vector `step`, or prepared constants applied in blocks of
 * `block` coordinates. */
static void run_steps(const gd_optimizer_type *o, trial *r, int prepared, size_t block)
{
    double hp[GD_MAX_PARAMS], g[N];
    defaults(o, hp);
    gd_step_consts k = {0};
    for (long t = 1; t <= STEPS; t++) {
        for (size_t i = 0; i < N; i++)
            g[i] = grad_at(t, i);
        double lr = hp[0] / sqrt((double)t);
        if (!prepared) {
            o->step(hp, lr, t, N, N, r->x, g, r->state);
            continue;
        }
        gd_optimizer_prepare(o, hp, t, &k);
        gd_step_call call = {o, hp, lr, t, N, r->state, &k};
        for (size_t off = 0; off < N; off += block)
            gd_step_apply(&call, r->x, g, off, off + block < N ? block : N - off);
    }
}

static void test_prepared_equals_step_for_every_optimizer(void **unused)
{
    static const size_t blocks[] = {1, 4, 16, N};
    for (size_t o = 0; gd_optimizers[o]; o++) {
        const gd_optimizer_type *type = gd_optimizers[o];
        assert_true(!type->prepare_step == !type->step_prepared);
        trial whole, parts;
        trial_init(&whole);
        run_steps(type, &whole, 0, N);
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            trial_init(&parts);
            run_steps(type, &parts, 1, blocks[b]);
            if (memcmp(&whole, &parts, sizeof whole) != 0)
                fail_msg("%s: prepared steps in blocks of %zu differ", type->name, blocks[b]);
        }
    }
}

/* The Adam family prepares constants (the memo they replace was per thread). */
static void test_adam_family_prepares(void **unused)
{
    const gd_optimizer_type *family[] = {&gd_optimizer_adam, &gd_optimizer_adamw,
                                         &gd_optimizer_amsgrad, &gd_optimizer_nadam};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(family[i]->prepare_step);
        assert_non_null(family[i]->step_prepared);
    }
}

/* Constants prepared after any earlier step (or a repeat of the same one, or other
 * hyperparameters) equal those prepared from a zeroed struct: what a run carries from
 * t - 1 to t (NAdam's product of momenta) never changes the bits. */
static void test_constants_do_not_depend_on_history(void **unused)
{
    double hp[GD_MAX_PARAMS], other[GD_MAX_PARAMS];
    for (size_t o = 0; gd_optimizers[o]; o++) {
        const gd_optimizer_type *type = gd_optimizers[o];
        defaults(type, hp);
        defaults(type, other);
        other[1] = 0.5;
        static const long before[] = {0, 1, 9, 10, 11, 25};
        for (size_t b = 0; b < sizeof before / sizeof *before; b++) {
            gd_step_consts fresh = {0}, carried = {0};
            if (before[b] > 0)
                gd_optimizer_prepare(type, b % 2 ? other : hp, before[b], &carried);
            for (long t = 1; t <= 10; t++)
                gd_optimizer_prepare(type, hp, t, &carried);
            gd_optimizer_prepare(type, hp, 10, &fresh);
            if (memcmp(&fresh, &carried, sizeof fresh) != 0)
                fail_msg("%s: constants of step 10 after step %ld differ", type->name,
                         before[b]);
        }
    }
}

/* The constants are used: stale ones (step 1's at step 5) change Adam's update. */
static void test_stale_constants_change_the_step(void **unused)
{
    double hp[GD_MAX_PARAMS], g[N];
    defaults(&gd_optimizer_adam, hp);
    for (size_t i = 0; i < N; i++)
        g[i] = grad_at(5, i);
    trial a, b;
    trial_init(&a);
    trial_init(&b);
    gd_step_consts k1 = {0}, k5 = {0};
    gd_optimizer_prepare(&gd_optimizer_adam, hp, 1, &k1);
    gd_optimizer_prepare(&gd_optimizer_adam, hp, 5, &k5);
    gd_step_call stale = {&gd_optimizer_adam, hp, 0.1, 5, N, a.state, &k1};
    gd_step_call right = {&gd_optimizer_adam, hp, 0.1, 5, N, b.state, &k5};
    gd_step_apply(&stale, a.x, g, 0, N);
    gd_step_apply(&right, b.x, g, 0, N);
    assert_true(memcmp(a.x, b.x, sizeof a.x) != 0);
    trial c;
    trial_init(&c);
    gd_optimizer_adam.step(hp, 0.1, 5, N, N, c.x, g, c.state);
    assert_memory_equal(b.x, c.x, sizeof c.x);
}

/* Adam's bias corrections are 1 - pow(beta, t) bit for bit, however the kept values
 * (bias_power.c) were filled: bases alternating between calls, steps out of order, steps
 * past the kept range. */
static void test_bias_corrections_are_pow_bits(void **unused)
{
    const double betas[][2] = {{0.9, 0.999}, {0.5, 0.75}, {0.9, 0.999}, {0.0, 0.3}};
    const long steps[] = {1, 2, 100, 3, 1024, 1025, 5000, 7, 1};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < sizeof steps / sizeof *steps; j++) {
            double hp[4] = {0.01, betas[i][0], betas[i][1], 1e-8};
            double want[2] = {1 - pow(hp[1], (double)steps[j]), 1 - pow(hp[2], (double)steps[j])};
            gd_step_consts k;
            memset(&k, 0, sizeof k);
            gd_optimizer_adam.prepare_step(hp, steps[j], &k);
            assert_memory_equal(k.v, want, sizeof want);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepared_equals_step_for_every_optimizer),
        cmocka_unit_test(test_adam_family_prepares),
        cmocka_unit_test(test_constants_do_not_depend_on_history),
        cmocka_unit_test(test_stale_constants_change_the_step),
        cmocka_unit_test(test_bias_corrections_are_pow_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
