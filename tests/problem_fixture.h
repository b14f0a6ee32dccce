/* problem_fixture.h - helpers shared by the problem tests (test_problems/curvefit/denoise).
 *
 * Include after <cmocka.h>. Everything is static inline so each test uses what it needs. */
#ifndef GDSWEEP_PROBLEM_FIXTURE_H
#define GDSWEEP_PROBLEM_FIXTURE_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "gdsweep/problem.h"

/* pp = the type's defaults, then "key", value pairs until a NULL key. */
static inline void fx_params(const gd_problem_type *t, double *pp, ...)
{
    va_list ap;
    gd_param_defaults(t->params, pp);
    va_start(ap, pp);
    for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *)) {
        int k = gd_param_find(t->params, key);
        assert_true(k >= 0);
        pp[k] = va_arg(ap, double);
    }
    va_end(ap);
}

static inline gd_rng_key fx_key(const gd_problem_type *t, const double *pp, uint64_t repeat)
{
    return gd_problem_data_key(42, t->name, t, pp, repeat);
}

/* Sets up an instance (asserting success) with seed 42 and the given repeat. */
static inline void fx_setup(gd_problem *p, const gd_problem_type *t, const double *pp,
                            uint64_t repeat)
{
    gd_error err = {{0}, 0};
    int rc = t->setup(p, GD_NO_FILES, pp, fx_key(t, pp, repeat), &err);
    if (rc != 0)
        fail_msg("%s setup failed: %s", t->name, err.msg);
    assert_ptr_equal(p->type, t);
}

static inline double fx_max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* max |a - b| / max(scale, max |b|). */
static inline double fx_rel_diff(const double *a, const double *b, size_t n, double scale)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d = fmax(d, fabs(a[i] - b[i]));
    return d / fmax(scale, fx_max_abs(b, n));
}

/* The named input of an instance, or NULL. */
static inline const gd_array *fx_input(const gd_problem *p, const char *name)
{
    for (size_t i = 0; i < p->n_inputs; i++)
        if (strcmp(p->inputs[i].name, name) == 0)
            return &p->inputs[i];
    return NULL;
}

#endif
