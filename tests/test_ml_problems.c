/* test_ml_problems.c - leastsq, logreg and softmax on generated tables: gradients, optima
 * against solutions computed here, standardize, intercept, the split, bad files, threads.
 *
 * Tables are CSV text made here (gen_table) and handed to setup as an in-memory file set,
 * so nothing touches the disk. The leastsq optimum is checked against the normal
 * equations solved by Gauss-Jordan elimination with partial pivoting (not QR); the logreg
 * and softmax optima by their gradient there (< 1e-10) and a random probe around them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <omp.h>

#include "problem_fixture.h"

#define MAX_TEXT (1 << 20)
#define FEATURES 3

typedef struct table_files {
    char *text;
    const char *names[GD_MAX_PARAMS]; /* the GD_NAME keys' texts: none given */
    gd_problem_file file;
    gd_problem_files set;
} table_files;

/* rows of FEATURES Gaussian features (scaled and shifted: x_j ~ (j + 1) N(0,1) + j) and a
 * target for type t (as fx_table_text); labels of kind: 0 leastsq, 1 logreg, 2 softmax. */
static void gen_table(table_files *tf, const gd_problem_type *t, size_t rows, uint64_t seed)
{
    int kind = strcmp(t->name, "leastsq") == 0 ? 0 : strcmp(t->name, "logreg") == 0 ? 1 : 2;
    gd_rng_key key = gd_rng_key_make(seed, "ml table", NULL, 0, 0);
    tf->text = malloc(MAX_TEXT);
    assert_non_null(tf->text);
    char *at = tf->text;
    at += sprintf(at, "a,b,c,target\n");
    for (size_t i = 0; i < rows; i++) {
        double v[FEATURES];
        for (size_t j = 0; j < FEATURES; j++)
            v[j] = (double)(j + 1) * gd_rng_normal(key, (uint32_t)j, i) + (double)j;
        double z = v[0] - v[1] + 0.5 * v[2] - 0.2 + 1.5 * gd_rng_normal(key, 9, i);
        double y = kind == 0 ? z : kind == 1 ? (double)(z > 0) : (double)((z > -1) + (z > 1));
        at += sprintf(at, "%.17g,%.17g,%.17g,%.17g\n", v[0], v[1], v[2], y);
        assert_true(at - tf->text < MAX_TEXT - 200);
    }
    tf->file = (gd_problem_file){.key = "data", .path = "gen.csv",
                                 .bytes = (const unsigned char *)tf->text,
                                 .len = strlen(tf->text), .hash = "gen"};
    memset(tf->names, 0, sizeof tf->names);
    tf->set = (gd_problem_files){t, 1, &tf->file, tf->names};
}

static void text_files(table_files *tf, const gd_problem_type *t, const char *text)
{
    tf->text = strdup(text);
    tf->file = (gd_problem_file){.key = "data", .path = "bad.csv",
                                 .bytes = (const unsigned char *)tf->text,
                                 .len = strlen(tf->text), .hash = "bad"};
    memset(tf->names, 0, sizeof tf->names);
    tf->set = (gd_problem_files){t, 1, &tf->file, tf->names};
}

/* The table's numbers, parsed here (rows x (FEATURES + 1), row-major). */
static double *parse_table(const table_files *tf, size_t rows)
{
    double *v = malloc(rows * (FEATURES + 1) * sizeof *v);
    const char *at = strchr(tf->text, '\n') + 1;
    for (size_t i = 0; i < rows; i++) {
        assert_int_equal(sscanf(at, "%lf,%lf,%lf,%lf", &v[i * 4], &v[i * 4 + 1],
                                &v[i * 4 + 2], &v[i * 4 + 3]), 4);
        at = strchr(at, '\n') + 1;
    }
    return v;
}

static void setup_on(gd_problem *p, const gd_problem_type *t, const table_files *tf,
                     const double *pp, uint64_t repeat)
{
    gd_error err = {{0}, 0};
    if (t->setup(p, &tf->set, pp, fx_key(t, pp, repeat), &err) != 0)
        fail_msg("%s setup failed: %s", t->name, err.msg);
}

static const gd_problem_type *const types[] = {&gd_problem_leastsq, &gd_problem_logreg,
                                               &gd_problem_softmax};

/* Central differences agree with loss_grad at x0 and at a random point, for every option. */
static void test_gradients(void **state)
{
    for (size_t ti = 0; ti < 3; ti++)
        for (int opt = 0; opt < 4; opt++) {
            const gd_problem_type *t = types[ti];
            table_files tf;
            double pp[GD_MAX_PARAMS];
            gd_problem p;
            gen_table(&tf, t, 300, 3);
            fx_params(t, pp, "standardize", (double)(opt & 1), "intercept",
                      (double)(opt >> 1), "l2", 0.01, "start_spread", 0.5, NULL);
            setup_on(&p, t, &tf, pp, 0);
            double *ga = malloc(p.n * sizeof *ga), *gn = malloc(p.n * sizeof *gn);
            double *work = malloc(p.n * sizeof *work);
            double f = t->loss_grad(&p, p.x0, ga);
            assert_true(f == t->loss(&p, p.x0));
            gd_numeric_loss_grad(&p, p.x0, 1e-6, gn, work);
            double rel = fx_rel_diff(gn, ga, p.n, 1.0);
            if (!(rel < 1e-7))
                fail_msg("%s option %d: gradient off by %g", t->name, opt, rel);
            free(ga);
            free(gn);
            free(work);
            gd_problem_destroy(&p);
            free(tf.text);
        }
}

/* Solves a x = b (n x n, row-major; both overwritten) by Gauss-Jordan, partial pivoting. */
static void gauss_jordan(double *a, double *b, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(a[r * n + c]) > fabs(a[piv * n + c]))
                piv = r;
        for (size_t k = 0; k < n; k++) {
            double tmp = a[c * n + k];
            a[c * n + k] = a[piv * n + k];
            a[piv * n + k] = tmp;
        }
        double tb = b[c];
        b[c] = b[piv];
        b[piv] = tb;
        for (size_t r = 0; r < n; r++) {
            if (r == c)
                continue;
            double m = a[r * n + c] / a[c * n + c];
            for (size_t k = 0; k < n; k++)
                a[r * n + k] -= m * a[c * n + k];
            b[r] -= m * b[c];
        }
    }
    for (size_t c = 0; c < n; c++)
        b[c] /= a[c * n + c];
}

/* leastsq's optimum = the normal equations (X^T X / N + l2 P) w = X^T y / N, on all rows. */
static void test_leastsq_optimum(void **state)
{
    const gd_problem_type *t = &gd_problem_leastsq;
    const size_t rows = 500, d = FEATURES + 1;
    table_files tf;
    double pp[GD_MAX_PARAMS], a[16] = {0}, b[4] = {0};
    gd_problem p;
    gen_table(&tf, t, rows, 5);
    double *v = parse_table(&tf, rows);
    for (int l2i = 0; l2i < 2; l2i++) {
        double l2 = l2i ? 0.05 : 0;
        fx_params(t, pp, "test_fraction", 0.0, "l2", l2, NULL);
        setup_on(&p, t, &tf, pp, 0);
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        for (size_t i = 0; i < rows; i++) {
            double x[4] = {v[i * 4], v[i * 4 + 1], v[i * 4 + 2], 1};
            for (size_t j = 0; j < d; j++) {
                b[j] += x[j] * v[i * 4 + 3] / (double)rows;
                for (size_t k = 0; k < d; k++)
                    a[j * d + k] += x[j] * x[k] / (double)rows;
            }
        }
        for (size_t j = 0; j < FEATURES; j++)
            a[j * d + j] += l2;
        gauss_jordan(a, b, d);
        const gd_array *xo = fx_input(&p, "x_opt");
        assert_non_null(xo);
        double rel = fx_rel_diff(xo->data, b, d, 1.0);
        if (!(rel < 1e-10))
            fail_msg("l2 = %g: QR and normal equations differ by %g", l2, rel);
        assert_true(fabs(p.f_opt - t->loss(&p, b)) <= 1e-12 * p.f_opt);
        gd_problem_destroy(&p);
    }
    free(v);
    free(tf.text);
}

/* logreg and softmax: the gradient vanishes at x_opt and every probe around it is worse. */
static void test_newton_optima(void **state)
{
    for (size_t ti = 1; ti < 3; ti++)
        for (int l2i = 0; l2i < 2; l2i++) {
            const gd_problem_type *t = types[ti];
            table_files tf;
            double pp[GD_MAX_PARAMS];
            gd_problem p;
            gen_table(&tf, t, 400, 11);
            fx_params(t, pp, "l2", l2i ? 0.01 : 0.0, "standardize", 1.0, NULL);
            setup_on(&p, t, &tf, pp, 0);
            const gd_array *xo = fx_input(&p, "x_opt");
            assert_non_null(xo);
            assert_true(p.has_optimum);
            double *g = malloc(p.n * sizeof *g), *probe = malloc(p.n * sizeof *probe);
            assert_true(t->loss_grad(&p, xo->data, g) == p.f_opt);
            if (!(fx_max_abs(g, p.n) < 1e-10))
                fail_msg("%s l2 = %d: gradient %g at the optimum", t->name, l2i,
                         fx_max_abs(g, p.n));
            gd_rng_key key = gd_rng_key_make(1, "probe", NULL, 0, 0);
            for (uint64_t k = 0; k < 50; k++) {
                double step = k < 25 ? 1e-3 : 1e-1;
                for (size_t j = 0; j < p.n; j++)
                    probe[j] = xo->data[j] + step * gd_rng_normal(key, (uint32_t)k, j);
                assert_true(t->loss(&p, probe) > p.f_opt);
            }
            free(g);
            free(probe);
            gd_problem_destroy(&p);
            free(tf.text);
        }
}

/* standardize: the stored statistics are the training columns' mean and population sd;
 * intercept adds one column; test_fraction = 0 keeps every row. */
static void test_standardize_and_intercept(void **state)
{
    const gd_problem_type *t = &gd_problem_leastsq;
    const size_t rows = 200;
    table_files tf;
    double pp[GD_MAX_PARAMS];
    gd_problem p;
    gen_table(&tf, t, rows, 17);
    double *v = parse_table(&tf, rows);
    fx_params(t, pp, "test_fraction", 0.0, "standardize", 1.0, "intercept", 0.0, NULL);
    setup_on(&p, t, &tf, pp, 0);
    assert_int_equal(p.n, FEATURES);
    assert_int_equal(t->dimension(&tf.set, pp), FEATURES);
    assert_null(fx_input(&p, "test_rows"));
    const double *mean = fx_input(&p, "feature_mean")->data;
    const double *scale = fx_input(&p, "feature_scale")->data;
    for (size_t j = 0; j < FEATURES; j++) {
        double m = 0, s = 0;
        for (size_t i = 0; i < rows; i++)
            m += v[i * 4 + j] / (double)rows;
        for (size_t i = 0; i < rows; i++)
            s += (v[i * 4 + j] - m) * (v[i * 4 + j] - m) / (double)rows;
        assert_true(fabs(mean[j] - m) < 1e-12 * (1 + fabs(m)));
        assert_true(fabs(scale[j] - sqrt(s)) < 1e-12 * sqrt(s));
    }
    assert_true(isnan(t->metric(&p, p.x0))); /* no test rows */
    gd_problem_destroy(&p);
    fx_params(t, pp, "standardize", 0.0, "intercept", 1.0, NULL);
    setup_on(&p, t, &tf, pp, 0);
    assert_int_equal(p.n, FEATURES + 1);
    assert_true(fx_input(&p, "feature_mean")->data[0] == 0);
    assert_true(fx_input(&p, "feature_scale")->data[2] == 1);
    gd_problem_destroy(&p);
    free(v);
    free(tf.text);
}

/* The split: round(f N) distinct test rows, the same for every l2 (a model parameter),
 * another for another repeat; the test mse is the mean over exactly those rows. */
static void test_split(void **state)
{
    const gd_problem_type *t = &gd_problem_leastsq;
    const size_t rows = 101;
    table_files tf;
    double pp[GD_MAX_PARAMS];
    gd_problem a, b, c;
    gen_table(&tf, t, rows, 19);
    double *v = parse_table(&tf, rows);
    fx_params(t, pp, "test_fraction", 0.25, NULL);
    setup_on(&a, t, &tf, pp, 0);
    const gd_array *ta = fx_input(&a, "test_rows");
    assert_int_equal(ta->dims[0], 25); /* round(25.25) */
    for (size_t k = 1; k < 25; k++)
        assert_true(ta->data[k] > ta->data[k - 1]);
    double w[4] = {0.5, -1, 0.25, 0.1}, sq = 0;
    for (size_t k = 0; k < 25; k++) {
        const double *r = v + (size_t)ta->data[k] * 4;
        double e = r[0] * w[0] + r[1] * w[1] + r[2] * w[2] + w[3] - r[3];
        sq += e * e;
    }
    assert_true(fabs(t->metric(&a, w) - sq / 25) < 1e-12 * sq);
    fx_params(t, pp, "test_fraction", 0.25, "l2", 3.0, NULL);
    setup_on(&b, t, &tf, pp, 0);
    assert_memory_equal(fx_input(&b, "test_rows")->data, ta->data, 25 * sizeof(double));
    setup_on(&c, t, &tf, pp, 1);
    assert_true(memcmp(fx_input(&c, "test_rows")->data, ta->data, 25 * sizeof(double)) != 0);
    gd_problem_destroy(&a);
    gd_problem_destroy(&b);
    gd_problem_destroy(&c);
    free(v);
    free(tf.text);
}

/* Each bad file: check_files fails with one message naming the file and where. */
static void expect_bad(const gd_problem_type *t, const char *text, const double *pp,
                       const char *words)
{
    table_files tf;
    gd_error err = {{0}, 0};
    text_files(&tf, t, text);
    if (t->check_files(&tf.set, pp, &err) != -1)
        fail_msg("%s accepted %s", t->name, text);
    if (!strstr(err.msg, words) || !strstr(err.msg, "bad.csv"))
        fail_msg("%s: '%s' lacks '%s'", t->name, err.msg, words);
    assert_null(strchr(err.msg, '\n'));
    free(tf.text);
}

static void test_bad_files(void **state)
{
    double pp[GD_MAX_PARAMS];
    fx_params(&gd_problem_logreg, pp, "test_fraction", 0.0, NULL);
    expect_bad(&gd_problem_logreg, "a,y\n1,0\n2,1\n\n3,2\n", pp,
               "bad.csv:5: target y = 2; logreg needs labels 0 or 1");
    expect_bad(&gd_problem_softmax, "a,y\n1,0\n2,1.5\n", pp, "bad.csv:3: target y = 1.5");
    expect_bad(&gd_problem_softmax, "a,y\n1,0\n2,-1\n", pp, "bad.csv:3: target y = -1");
    expect_bad(&gd_problem_leastsq, "a,y\n1,0\n2,x\n", pp, "bad.csv:3:2 (y): 'x'");
    expect_bad(&gd_problem_leastsq, "y\n1\n2\n", pp, "no feature column");
    expect_bad(&gd_problem_leastsq, "a,y\n", pp, "no data row");
    fx_params(&gd_problem_leastsq, pp, "l2", 0.0, "test_fraction", 0.0, NULL);
    expect_bad(&gd_problem_leastsq, "a,b,y\n1,2,1\n2,3,0\n", pp,
               "has 2 rows, 2 for training at test_fraction = 0; this fit needs at least 3");
    expect_bad(&gd_problem_leastsq, "a,b,y\n1,2,1\n2,4,0\n3,6,1\n4,8,0\n", pp,
               "rank deficient");
    fx_params(&gd_problem_logreg, pp, "l2", 0.0, "test_fraction", 0.0, NULL);
    expect_bad(&gd_problem_logreg, "a,y\n-2,0\n-1,0\n1,1\n2,1\n", pp, "separable");
    fx_params(&gd_problem_logreg, pp, "l2", 0.1, "test_fraction", 0.0, NULL);
    table_files tf;
    gd_error err = {{0}, 0};
    text_files(&tf, &gd_problem_logreg, "a,y\n-2,0\n-1,0\n1,1\n2,1\n");
    if (gd_problem_logreg.check_files(&tf.set, pp, &err) != 0) /* l2 > 0: fine */
        fail_msg("separable with l2 = 0.1: %s", err.msg);
    free(tf.text);
}

/* target and features name columns: X holds the named features in their order; a name
 * the table lacks, a feature named twice or the target as a feature are refused. */
static void test_named_columns(void **state)
{
    const gd_problem_type *t = &gd_problem_leastsq;
    table_files tf;
    double pp[GD_MAX_PARAMS];
    gd_problem p;
    gd_error err = {{0}, 0};
    text_files(&tf, t, "a,b,c,target\n1,2,3,4\n2,1,0,1\n3,5,1,2\n4,4,4,0\n5,0,2,9\n");
    const char **names = tf.names;
    names[gd_param_find(t->params, "target")] = "a";
    names[gd_param_find(t->params, "features")] = " c  target ";
    fx_params(t, pp, "test_fraction", 0.0, "intercept", 0.0, "l2", 0.0, NULL);
    assert_int_equal(t->check_files(&tf.set, pp, &err), 0);
    assert_int_equal(t->dimension(&tf.set, pp), 2);
    setup_on(&p, t, &tf, pp, 0);
    double w[2] = {1, 0}, sq = 0; /* predicts a by c: residuals c - a */
    const double c[5] = {3, 0, 1, 4, 2}, a[5] = {1, 2, 3, 4, 5};
    for (size_t i = 0; i < 5; i++)
        sq += (c[i] - a[i]) * (c[i] - a[i]);
    assert_true(fabs(t->loss(&p, w) - sq / 5) < 1e-15);
    gd_problem_destroy(&p);
    const char *bad[][2] = {{"c zz", "features = zz: data = bad.csv has no column named 'zz' "
                                     "(its columns: a, b, c, target)"},
                            {"c b c", "column 'c' is named twice"},
                            {"b a", "column 'a' is the target"}};
    for (size_t k = 0; k < 3; k++) {
        names[gd_param_find(t->params, "features")] = bad[k][0];
        assert_int_equal(t->check_files(&tf.set, pp, &err), -1);
        if (!strstr(err.msg, bad[k][1]))
            fail_msg("'%s' lacks '%s'", err.msg, bad[k][1]);
    }
    free(tf.text);
}

/* Loss and gradient are bit-identical for 1 and 2 threads (many blocks of rows). */
/* softmax's minibatch loss and gradient with K = 20 and 37 classes (more than one pass of
 * columns in softmax.c), bit for bit those of the definition computed here one class at a
 * time in the documented order: z_a = sum over j in order, log-sum-exp shifted by the max,
 * rows summed in batch order, then / m and the penalty. */
#define MANY_ROWS 120
static double softmax_reference(const double *v, size_t k, const double *w, const size_t *rows,
                                size_t m, double l2, double *g)
{
    size_t d = FEATURES + 1, n = d * k;
    double loss = 0, z[64], e[64];
    memset(g, 0, n * sizeof *g);
    for (size_t q = 0; q < m; q++) {
        const double *raw = v + rows[q] * (FEATURES + 1);
        double x[FEATURES + 1] = {raw[0], raw[1], raw[2], 1}, top = -INFINITY, sum = 0;
        size_t y = (size_t)raw[FEATURES];
        for (size_t a = 0; a < k; a++) {
            z[a] = 0;
            for (size_t j = 0; j < d; j++)
                z[a] += x[j] * w[j * k + a];
            top = a ? fmax(top, z[a]) : z[a];
        }
        for (size_t a = 0; a < k; a++)
            sum += (e[a] = exp(z[a] - top));
        loss += (top + log(sum)) - z[y];
        for (size_t a = 0; a < k; a++)
            for (size_t j = 0; j < d; j++)
                g[j * k + a] += x[j] * (e[a] / sum - (a == y));
    }
    double sq = 0;
    for (size_t i = 0; i < n; i++) {
        g[i] = g[i] / (double)m + (i < FEATURES * k ? 2 * l2 * w[i] : 0);
        sq += i < FEATURES * k ? w[i] * w[i] : 0;
    }
    return loss / (double)m + l2 * sq;
}

static void test_softmax_many_classes(void **state)
{
    const size_t classes[] = {20, 37}, rows[] = {5, 119, 0, 64, 7, 7, 33, 101, 58};
    for (size_t c = 0; c < 2; c++) {
        size_t k = classes[c];
        table_files tf;
        double pp[GD_MAX_PARAMS];
        gd_problem p;
        gen_table(&tf, &gd_problem_softmax, MANY_ROWS, 5);
        double *v = parse_table(&tf, MANY_ROWS);
        char *at = strchr(tf.text, '\n') + 1;
        for (size_t i = 0; i < MANY_ROWS; i++) { /* labels i mod k, every class present */
            v[i * 4 + 3] = (double)(i % k);
            at += sprintf(at, "%.17g,%.17g,%.17g,%zu\n", v[i * 4], v[i * 4 + 1], v[i * 4 + 2],
                          i % k);
        }
        tf.file.len = strlen(tf.text);
        fx_params(&gd_problem_softmax, pp, "l2", 0.01, "start_spread", 0.7, "test_fraction", 0.0,
                  "standardize", 0.0, "intercept", 1.0, NULL);
        setup_on(&p, &gd_problem_softmax, &tf, pp, 0);
        assert_int_equal(p.n, 4 * k);
        double *g = malloc(p.n * sizeof *g), *ref = malloc(p.n * sizeof *ref);
        double f = p.type->batch_loss_grad(&p, p.x0, rows, 9, g);
        double f_ref = softmax_reference(v, k, p.x0, rows, 9, 0.01, ref);
        assert_true(f == f_ref);
        for (size_t i = 0; i < p.n; i++)
            if (g[i] != ref[i])
                fail_msg("K = %zu: gradient %zu: %.17g, the definition %.17g", k, i, g[i],
                         ref[i]);
        free(g);
        free(ref);
        free(v);
        gd_problem_destroy(&p);
        free(tf.text);
    }
}

static void test_threads(void **state)
{
    for (size_t ti = 0; ti < 3; ti++) {
        const gd_problem_type *t = types[ti];
        table_files tf;
        double pp[GD_MAX_PARAMS];
        gd_problem p1, p2;
        gen_table(&tf, t, 9000, 23);
        fx_params(t, pp, "start_spread", 1.0, "standardize", 1.0, NULL);
        omp_set_num_threads(1);
        setup_on(&p1, t, &tf, pp, 0);
        double *g1 = malloc(p1.n * sizeof *g1), *g2 = malloc(p1.n * sizeof *g2);
        double f1 = t->loss_grad(&p1, p1.x0, g1);
        omp_set_num_threads(2);
        setup_on(&p2, t, &tf, pp, 0);
        double f2 = t->loss_grad(&p2, p2.x0, g2);
        assert_true(f1 == f2);
        assert_memory_equal(g1, g2, p1.n * sizeof *g1);
        assert_true(p1.f_opt == p2.f_opt);
        free(g1);
        free(g2);
        gd_problem_destroy(&p1);
        gd_problem_destroy(&p2);
        free(tf.text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_leastsq_optimum),
        cmocka_unit_test(test_newton_optima),
        cmocka_unit_test(test_standardize_and_intercept),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_named_columns),
        cmocka_unit_test(test_softmax_many_classes),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
