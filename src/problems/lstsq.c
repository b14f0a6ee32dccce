/* lstsq.c - linear least squares by streamed Householder QR (polynomial fits, designs).
 *
 * The system A c = y (rows from a callback; the Vandermonde matrix V[i][k] = x_i^(degree-k)
 * for a polynomial fit) is never formed whole. A work
 * matrix T holds the current triangular factor R (n x n) with Q^T y beside it in its top n
 * rows, and the next chunk of CHUNK data rows below. Each chunk is folded in with n
 * Householder reflections that touch only R's diagonal row and the chunk rows (R is
 * already triangular), so the total cost is ~2 m n^2 flops and memory is O(n * CHUNK).
 * Orthogonal transformations keep the accuracy of QR (no normal equations, whose
 * condition number is the square of V's). Finally R c = Q^T y is solved by back
 * substitution. The order of operations is fixed, so the result is reproducible. */
#include "lstsq.h"

#include <math.h>
#include <stdlib.h>

#define CHUNK 256

typedef struct qr_work {
    double *t; /* column-major, ld rows, n + 1 columns (the last one is y) */
    size_t n, ld;
    double *row; /* n scratch values: one row from the callback */
} qr_work;

static double *col(const qr_work *w, size_t k)
{
    return w->t + k * w->ld;
}

/* Loads system rows start .. start + rows - 1 into T rows n .. n + rows - 1. */
static void load_chunk(qr_work *w, gd_lstsq_row_fn row_of, const void *ctx, size_t start,
                       size_t rows)
{
    for (size_t i = 0; i < rows; i++) {
        row_of(ctx, start + i, w->row, &col(w, w->n)[w->n + i]);
        for (size_t k = 0; k < w->n; k++)
            col(w, k)[w->n + i] = w->row[k];
    }
}

/* Euclidean norm of (a, v[0..len)) with scaling against overflow. */
static double scaled_norm(double a, const double *v, size_t len)
{
    double scale = fabs(a);
    for (size_t i = 0; i < len; i++)
        scale = fmax(scale, fabs(v[i]));
    if (scale == 0)
        return 0;
    double s = (a / scale) * (a / scale);
    for (size_t i = 0; i < len; i++)
        s += (v[i] / scale) * (v[i] / scale);
    return scale * sqrt(s);
}

/* Reflection zeroing column k's chunk rows against R's diagonal entry T[k][k]. */
static void reflect_column(qr_work *w, size_t k, size_t rows)
{
    double *ck = col(w, k), *vk = ck + w->n;
    double alpha = ck[k];
    double norm = scaled_norm(alpha, vk, rows);
    if (norm == 0)
        return;
    double beta = alpha >= 0 ? -norm : norm;
    double v0 = alpha - beta, tau = (beta - alpha) / beta;
    for (size_t i = 0; i < rows; i++)
        vk[i] /= v0;
    for (size_t j = k + 1; j <= w->n; j++) {
        double *cj = col(w, j), *vj = cj + w->n;
        double s = cj[k];
        for (size_t i = 0; i < rows; i++)
            s += vk[i] * vj[i];
        s *= tau;
        cj[k] -= s;
        for (size_t i = 0; i < rows; i++)
            vj[i] -= s * vk[i];
    }
    ck[k] = beta;
}

/* 1 when R's column k is within tol (relative) of the span of the columns before it:
 * |R_kk| <= tol |R e_k| (R e_k has the norm of the system's column k: Q is orthogonal). */
static int dependent(const qr_work *w, size_t k, double tol)
{
    const double *ck = col(w, k);
    return fabs(ck[k]) <= tol * scaled_norm(0, ck, k + 1);
}

static int back_substitute(const qr_work *w, double *coef, double tol, const char *hint,
                           gd_error *err)
{
    for (size_t k = w->n; k-- > 0;) {
        double s = col(w, w->n)[k];
        for (size_t j = k + 1; j < w->n; j++)
            s -= col(w, j)[k] * coef[j];
        double d = col(w, k)[k];
        if (d == 0 || !isfinite(d) || dependent(w, k, tol))
            return gd_fail(err, "the least-squares system is rank deficient (%s)", hint);
        coef[k] = s / d;
    }
    return 0;
}

int gd_lstsq_solve(gd_lstsq_row_fn row_of, const void *ctx, size_t m, size_t n,
                   double *coef, double tol, const char *hint, gd_error *err)
{
    qr_work w = {NULL, n, n + CHUNK, NULL};
    w.t = calloc(w.ld * (w.n + 1) + n, sizeof *w.t);
    if (!w.t)
        return gd_fail_runtime(err, "out of memory in the least-squares fit");
    w.row = w.t + w.ld * (w.n + 1);
    for (size_t start = 0; start < m; start += CHUNK) {
        size_t rows = m - start < CHUNK ? m - start : CHUNK;
        load_chunk(&w, row_of, ctx, start, rows);
        for (size_t k = 0; k < w.n; k++)
            reflect_column(&w, k, rows);
    }
    int rc = back_substitute(&w, coef, tol, hint, err);
    free(w.t);
    return rc;
}

typedef struct poly_points {
    const double *x, *y;
    size_t n;
} poly_points;

/* Row i of the Vandermonde system: x_i^(degree-k), highest power first. */
static void vandermonde_row(const void *ctx, size_t i, double *row, double *y)
{
    const poly_points *pts = ctx;
    double pw = 1;
    for (size_t k = pts->n; k-- > 0;) {
        row[k] = pw;
        pw *= pts->x[i];
    }
    *y = pts->y[i];
}

int gd_polyfit_lstsq(const double *x, const double *y, size_t m, size_t degree,
                     double *coef, gd_error *err)
{
    poly_points pts = {x, y, degree + 1};
    return gd_lstsq_solve(vandermonde_row, &pts, m, degree + 1, coef, 0,
                          "points too close together for this degree", err);
}
