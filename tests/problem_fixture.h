/* problem_fixture.h - helpers shared by the problem tests (test_problems/curvefit/denoise).
 *
 * Include after <cmocka.h>. Everything is static inline so each test uses what it needs. */
#ifndef GDSWEEP_PROBLEM_FIXTURE_H
#define GDSWEEP_PROBLEM_FIXTURE_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gdsweep/problem.h"

/* The types that need a data file (their walk gets fx_files's table). */
static inline int fx_needs_file(const gd_problem_type *t)
{
    static const char *const names[] = {"leastsq", "logreg", "softmax", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcmp(t->name, names[i]) == 0)
            return 1;
    return 0;
}

#define FX_ROWS 40
#define FX_TEXT_MAX (FX_ROWS * 4 * 28 + 64)

/* A generated CSV table for t: FX_ROWS rows of 3 Gaussian features a, b, c (Philox, seed
 * 7) and a target: a noisy linear response (leastsq), a noisy 0/1 label (logreg) or a
 * label 0..2 (softmax); neither separable nor degenerate. */
static inline const char *fx_table_text(const gd_problem_type *t)
{
    static char text[3][FX_TEXT_MAX];
    int kind = strcmp(t->name, "leastsq") == 0 ? 0 : strcmp(t->name, "logreg") == 0 ? 1 : 2;
    char *at = text[kind];
    gd_rng_key key = gd_rng_key_make(7, "fixture table", NULL, 0, 0);
    at += sprintf(at, "a,b,c,target\n");
    for (size_t i = 0; i < FX_ROWS; i++) {
        double v[3], noise = gd_rng_normal(key, 3, i);
        for (size_t j = 0; j < 3; j++)
            v[j] = gd_rng_normal(key, (uint32_t)j, i);
        double z = v[0] - 2 * v[1] + 0.5 * v[2] + 0.3 + noise;
        double y = kind == 0 ? z : kind == 1 ? (double)(z > 0) : (double)((z > -1) + (z > 1));
        at += sprintf(at, "%.17g,%.17g,%.17g,%.17g\n", v[0], v[1], v[2], y);
    }
    return text[kind];
}

/* The files of t's walk instance: fx_table_text as the file of key data ("fixture.csv");
 * GD_NO_FILES for a type that needs none. Static: valid for the program's life. */
static inline const gd_problem_files *fx_files(const gd_problem_type *t)
{
    static gd_problem_file file[3];
    static gd_problem_files set[3];
    static const char *const no_names[GD_MAX_PARAMS] = {0};
    if (!fx_needs_file(t))
        return GD_NO_FILES;
    int kind = strcmp(t->name, "leastsq") == 0 ? 0 : strcmp(t->name, "logreg") == 0 ? 1 : 2;
    const char *text = fx_table_text(t);
    file[kind] = (gd_problem_file){.key = "data", .path = "fixture.csv",
                                   .bytes = (const unsigned char *)text, .len = strlen(text),
                                   .hash = "fixture"};
    set[kind] = (gd_problem_files){t, 1, &file[kind], no_names};
    return &set[kind];
}

/* pp = the type's defaults (with data = 1, a file given, for a type that needs one),
 * then "key", value pairs until a NULL key. */
static inline void fx_params(const gd_problem_type *t, double *pp, ...)
{
    va_list ap;
    gd_param_defaults(t->params, pp);
    if (fx_needs_file(t))
        pp[gd_param_find(t->params, "data")] = 1;
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
    int rc = t->setup(p, fx_files(t), pp, fx_key(t, pp, repeat), &err);
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
