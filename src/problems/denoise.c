/* denoise.c - total-variation image denoising (the article's example, made exact).
 *
 * Clean image u*[i][j] = sin(5 xs[j]) cos(5 ys[i]), xs = ys = linspace(-1, 1, size) (row i
 * is y, like np.meshgrid), or the h x w image of the file `image` (image_file.h: values in
 * [0, 1]); noisy f = u* + noise * N(0,1) (stream 0, element i*w + j, the same field for
 * every file: file keys are not part of the RNG key); the start point is f (x0 is the
 * noisy image itself, one array, stored as the input "noisy"). Energy (smoothed
 * isotropic TV, see seed NOTES.md):
 *   E(u) = sum (u - f)^2 + lambda * sum_ij s_ij,  s = sqrt(dx^2 + dy^2 + tv_eps^2),
 * with forward differences dx = u[i][j+1] - u[i][j], dy = u[i+1][j] - u[i][j], zero on the
 * last column / row (Neumann). With flux p = (dx, dy) / s the exact gradient is
 *   dE/du[i][j] = 2 (u - f) + lambda (px[i][j-1] - px[i][j] + py[i-1][j] - py[i][j]),
 * terms outside the image being zero (that is 2 (u - f) - lambda div p).
 *
 * One fused pass: row i's fluxes need rows i and i+1 of u; its gradient also needs the
 * fluxes py of row i-1, which are carried from the previous row (recomputed once at the
 * top of each row block). Rows are cut into fixed blocks of ROWS rows, independent of the
 * thread count; each block has its own row buffers in d->scratch and writes only its own
 * rows of g and of d->rows (per-row energy), so threads never share a write. The per-row
 * sums are then added serially in row order: bit-identical for any OMP_NUM_THREADS.
 * Because of the scratch buffers one instance must not be evaluated by two threads at
 * once. Metric: PSNR against the clean image, peak = max(clean) - min(clean) for the
 * synthetic image, 1 for a file; none (NaN) for a file with noise = 0.
 *
 * step_loss_grad fuses the optimizer's step into that pass (one read of x, g and f and
 * one write of x and g per iteration, instead of three passes). Row i's gradient needs
 * the stepped rows i-1 to i+1, and blocks run in parallel, so first every block steps its
 * first and last rows (the only rows a neighbour reads); then each block evaluates row by
 * row as before, stepping each tile of an inner row i + 1 just before the same columns of
 * row i are evaluated (they need it), so the step's memory traffic and the evaluation's
 * divides and square roots interleave. The squared gradient norm is summed per row (fixed
 * lanes) and then in row order. */
#include "problem_impl.h"

#include "gdsweep/step_call.h"
#include "image_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 32               /* rows per block */
#define PARALLEL_MIN 65536    /* fewer pixels than this: no thread team */

enum { DN_SIZE, DN_NOISE, DN_LAMBDA, DN_TV_EPS, DN_IMAGE };

typedef struct denoise {
    size_t h, w, n_blocks; /* image: h rows of w pixels */
    double lambda, eps2, peak;
    const double *clean, *noisy;
    double *rows;    /* per-row partial sums */
    double *grad_sq; /* per-row sums of squares of the gradient (fused pass) */
    double *scratch; /* per block: px (1 + w, px[0] = 0 is "column -1"), py, py_up (w) */
} denoise;

static const gd_param_spec denoise_params[] = {
    [DN_SIZE] = {.key = "size", .kind = GD_INT, .def = 100, .lo = 2, .hi = 65536,
                 .doc = "side of the synthetic image in pixels (n = size^2; not with image)"},
    [DN_NOISE] = {.key = "noise", .kind = GD_REAL, .def = 0.5, GD_SPEC_NONNEG,
                  .doc = "standard deviation of the Gaussian noise"},
    [DN_LAMBDA] = {.key = "lambda", .kind = GD_REAL, .def = 0.1, GD_SPEC_NONNEG,
                   .doc = "weight of the total-variation term"},
    [DN_TV_EPS] = {.key = "tv_eps", .kind = GD_REAL, .def = 0.1, GD_SPEC_POSITIVE,
                   .doc = "smoothing of |grad u| in the TV term"},
    [DN_IMAGE] = {.key = "image", .kind = GD_PATH, .def = GD_PATH_NONE,
                  .doc = "PNG image to denoise (gray, or colour as luminance; in [0, 1])"},
    {.key = NULL},
};

static int denoise_draws(const double *pp)
{
    return pp[DN_NOISE] > 0;
}

/* Rows and columns: the image file's, else size x size. */
static int image_shape(const gd_problem_file *image, const double *pp, size_t *h, size_t *w,
                       gd_error *err)
{
    if (image)
        return gd_image_size(image, h, w, err);
    *h = *w = (size_t)pp[DN_SIZE];
    return 0;
}

static size_t denoise_dimension(const gd_problem_files *files, const double *pp)
{
    size_t h, w;
    gd_error unused;
    if (image_shape(gd_problem_files_find(files, "image"), pp, &h, &w, &unused) < 0)
        return 0;
    return h * w;
}

/* Nanoseconds per iteration (loss, gradient and a typical optimizer step), measured on
 * the development machine with gd and adam; the scheduler only needs the ratios. */
static double denoise_cost(const gd_problem_files *files, const double *pp)
{
    return 5.5 * (double)denoise_dimension(files, pp) + 50;
}

#define LANES 4
#define TILE 128 /* columns per tile: its slices of u, f, g and the fluxes stay in L1 */

/* Per block: px (1 + w, px[0] = 0 is "column -1"), py, py_up (w each). */
static size_t scratch_stride(size_t w)
{
    return 3 * w + 1;
}

/* Four doubles, one per lane: element-wise IEEE arithmetic, the same bits whatever
 * instructions the compiler lowers it to (AVX2, or two SSE2 halves). LOAD4 / STORE4 move
 * four consecutive doubles from / to any double address. */
typedef double v4d __attribute__((vector_size(LANES * sizeof(double))));
typedef double v4d_any __attribute__((vector_size(LANES * sizeof(double)), aligned(8),
                                      may_alias));
#define LOAD4(p) (*(const v4d_any *)(p))
#define STORE4(p, v) (*(v4d_any *)(p) = (v))

static double lanes_total(const double s[LANES])
{
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Flux of one pixel into *px, *py; returns its energy r^2 + lambda s (r = u - f). */
static inline double pixel(double dx, double dy, double r, double lam, double eps2,
                           double *px, double *py)
{
    double q = dx * dx + dy * dy + eps2, inv = 1 / sqrt(q);
    *px = dx * inv;
    *py = dy * inv;
    return r * r + lam * (q * inv);
}

/* One row's slices: u (ur), the next row (un: the row itself on the last row, so dy = 0,
 * Neumann), f (fr), and the gradient (gr, NULL when only the energy is wanted). */
typedef struct row_view {
    const double *ur, *un, *fr;
    double *gr;
} row_view;

/* Fluxes of columns [j0, j1) (j0 a multiple of LANES) into px, py; their energies are
 * added to the lanes se, column j to lane j % LANES in column order, so the sums do not
 * depend on how rows are cut into tiles. Four columns per step, `pixel` lane by lane; the
 * last column of the image (dx = 0) and a tail of fewer than four go one by one. */
__attribute__((target_clones("avx2", "default")))
static void tile_energy(const denoise *d, const row_view *r, size_t j0, size_t j1,
                        double *restrict px, double *restrict py, double se[LANES])
{
    size_t m = d->w, end = j1 < m ? j1 : m - 1, j = j0, k = 0;
    const double *ur = r->ur, *un = r->un, *fr = r->fr;
    double lam = d->lambda, eps2 = d->eps2;
    v4d acc = LOAD4(se);
    for (; j + LANES <= end; j += LANES) {
        v4d u = LOAD4(ur + j), dx = LOAD4(ur + j + 1) - u, dy = LOAD4(un + j) - u;
        v4d res = u - LOAD4(fr + j), q = dx * dx + dy * dy + eps2;
        v4d root = {sqrt(q[0]), sqrt(q[1]), sqrt(q[2]), sqrt(q[3])}, inv = 1 / root;
        STORE4(px + j, dx * inv);
        STORE4(py + j, dy * inv);
        acc += res * res + lam * (q * inv);
    }
    STORE4(se, acc);
    for (; j < end; j++, k++) /* each lane gets at most one more column */
        se[k] += pixel(ur[j + 1] - ur[j], un[j] - ur[j], ur[j] - fr[j], lam, eps2, px + j,
                       py + j);
    if (j1 == m)
        se[k] += pixel(0, un[m - 1] - ur[m - 1], ur[m - 1] - fr[m - 1], lam, eps2, px + m - 1,
                       py + m - 1);
}

/* Gradient of one pixel from the fluxes around it. */
static inline double pixel_grad(double u, double f, double lam, double px_left, double px,
                                double py_up, double py)
{
    return 2 * (u - f) + lam * ((px_left - px) + (py_up - py));
}

/* Gradient of columns [j0, j1) from the fluxes of this row (px, py) and the row above
 * (py_up); px[-1] is 0. Its squares are added to the lanes sg like the energies. */
__attribute__((target_clones("avx2", "default")))
static void tile_grad(const denoise *d, const row_view *r, size_t j0, size_t j1,
                      const double *restrict px, const double *restrict py,
                      const double *restrict py_up, double sg[LANES])
{
    const double *ur = r->ur, *fr = r->fr;
    double *restrict gr = r->gr;
    double lam = d->lambda;
    size_t j = j0, k = 0;
    v4d acc = LOAD4(sg);
    for (; j + LANES <= j1; j += LANES) {
        v4d flux = (LOAD4(px + j - 1) - LOAD4(px + j)) + (LOAD4(py_up + j) - LOAD4(py + j));
        v4d g = 2 * (LOAD4(ur + j) - LOAD4(fr + j)) + lam * flux;
        STORE4(gr + j, g);
        acc += g * g;
    }
    STORE4(sg, acc);
    for (; j < j1; j++, k++) {
        gr[j] = pixel_grad(ur[j], fr[j], lam, px[j - 1], px[j], py_up[j], py[j]);
        sg[k] += gr[j] * gr[j];
    }
}

/* A block's row buffers. */
typedef struct row_bufs {
    double *px, *py, *py_up;
} row_bufs;

/* The fused pass's step: the optimizer's (NULL: no step, at the start point) and the x it
 * updates in place, the same array the evaluation reads as u. */
typedef struct stepping {
    const gd_step_call *call;
    double *x;
} stepping;

/* Row i, tile by tile: its fluxes into px, py and, when g, its gradient from them and
 * py_up; returns its energy and *grad_sq its gradient's sum of squares. With next, each
 * tile of row i + 1 is stepped first (a tile of row i reads the same columns of row i + 1;
 * row i itself was stepped before). */
static double row_pass(const denoise *d, const double *u, double *g, size_t i,
                       const row_bufs *w, const stepping *next, double *grad_sq)
{
    size_t m = d->w;
    row_view r = {u + i * m, i + 1 < d->h ? u + (i + 1) * m : u + i * m, d->noisy + i * m,
                  g ? g + i * m : NULL};
    double se[LANES] = {0, 0, 0, 0}, sg[LANES] = {0, 0, 0, 0};
    for (size_t j0 = 0; j0 < m; j0 += TILE) {
        size_t j1 = j0 + TILE < m ? j0 + TILE : m;
        if (next && next->call)
            gd_step_apply(next->call, next->x, g, (i + 1) * m + j0, j1 - j0);
        tile_energy(d, &r, j0, j1, w->px, w->py, se);
        if (g)
            tile_grad(d, &r, j0, j1, w->px, w->py, w->py_up, sg);
    }
    *grad_sq = lanes_total(sg);
    return lanes_total(se);
}

/* Rows [i0, i1) of block b: the first, and the end of the rows before the next block. */
static size_t block_first(size_t b) { return b * ROWS; }
static size_t block_end(const denoise *d, size_t b)
{
    return (b + 1) * ROWS < d->h ? (b + 1) * ROWS : d->h;
}

/* Steps rows [i, i + count) of x with the old gradient g. */
static void step_rows(const denoise *d, const stepping *st, const double *g, size_t i,
                      size_t count)
{
    if (st->call && count > 0)
        gd_step_apply(st->call, st->x, g, i * d->w, count * d->w);
}

/* Energy (and gradient when g) of the rows of block b. In the fused pass (st), each inner
 * row of the block is stepped tile by tile while the row above it is evaluated (the
 * block's first and last rows were stepped before). */
static void block_pass(const denoise *d, const stepping *st, const double *u, double *g,
                       size_t b)
{
    size_t m = d->w, i0 = block_first(b), i1 = block_end(d, b);
    double *px = d->scratch + b * scratch_stride(m) + 1, unused;
    row_bufs w = {px, px + m, px + 2 * m};
    if (g && i0 > 0) {
        row_bufs up = {w.px, w.py_up, NULL};
        row_pass(d, u, NULL, i0 - 1, &up, NULL, &unused);
    } else if (g) {
        memset(w.py_up, 0, m * sizeof *w.py_up);
    }
    for (size_t i = i0; i < i1; i++) {
        const stepping *next = st && i + 2 < i1 ? st : NULL;
        d->rows[i] = row_pass(d, u, g, i, &w, next, &d->grad_sq[i]);
        double *t = w.py_up;
        w.py_up = w.py;
        w.py = t;
    }
}

/* The rows a neighbouring block reads: the first and the last row of block b. */
static void step_block_edges(const denoise *d, const stepping *st, const double *g, size_t b)
{
    size_t i0 = block_first(b), i1 = block_end(d, b);
    step_rows(d, st, g, i0, 1);
    if (i1 - 1 > i0)
        step_rows(d, st, g, i1 - 1, 1);
}

static double evaluate(const gd_problem *p, const stepping *st, const double *u, double *g)
{
    const denoise *d = p->data;
#pragma omp parallel for schedule(static) if (d->h * d->w >= PARALLEL_MIN)
    for (size_t b = 0; b < d->n_blocks; b++)
        block_pass(d, st, u, g, b);
    return gd_ordered_sum(d->rows, d->h, 1);
}

static double denoise_loss(const gd_problem *p, const double *u)
{
    return evaluate(p, NULL, u, NULL);
}

static double denoise_loss_grad(const gd_problem *p, const double *u, double *g)
{
    return evaluate(p, NULL, u, g);
}

static double denoise_step_loss_grad(const gd_problem *p, const gd_step_call *step, double *u,
                                     double *g, double *grad_sq)
{
    const denoise *d = p->data;
    stepping st = {step, u};
    if (step) {
#pragma omp parallel for schedule(static) if (d->h * d->w >= PARALLEL_MIN)
        for (size_t b = 0; b < d->n_blocks; b++)
            step_block_edges(d, &st, g, b);
    }
    double f = evaluate(p, &st, u, g);
    *grad_sq = gd_ordered_sum(d->grad_sq, d->h, 1);
    return f;
}

static double row_sq_error(const denoise *d, const double *u, size_t i)
{
    const double *ur = u + i * d->w, *cr = d->clean + i * d->w;
    double acc = 0;
#pragma omp simd reduction(+ : acc)
    for (size_t j = 0; j < d->w; j++)
        acc += (ur[j] - cr[j]) * (ur[j] - cr[j]);
    return acc;
}

static double denoise_psnr(const gd_problem *p, const double *u)
{
    const denoise *d = p->data;
    if (isnan(d->peak))
        return NAN;
#pragma omp parallel for schedule(static) if (d->h * d->w >= PARALLEL_MIN)
    for (size_t i = 0; i < d->h; i++)
        d->rows[i] = row_sq_error(d, u, i);
    double mse = gd_ordered_sum(d->rows, d->h, 1) / ((double)d->h * (double)d->w);
    return 10 * log10(d->peak * d->peak / mse);
}

/* Fills noisy (and clean, when synthetic) for the rows of block b (same blocks as the
 * kernel, so pages are first touched by the thread that later reads them). */
static void make_block(const denoise *d, double *clean, double *noisy, double noise,
                       gd_rng_key key, size_t b, int synthetic)
{
    size_t w = d->w, i1 = block_end(d, b);
    d->scratch[b * scratch_stride(w)] = 0; /* px[-1] */
    for (size_t i = block_first(b); i < i1; i++) {
        double cy = synthetic ? cos(5 * gd_linspace_at(-1, 1, d->h, i)) : 0;
        for (size_t j = 0; j < w; j++) {
            size_t k = i * w + j;
            if (synthetic)
                clean[k] = sin(5 * gd_linspace_at(-1, 1, w, j)) * cy;
            noisy[k] = clean[k] + noise * gd_rng_normal(key, 0, k);
        }
    }
}

static double peak_to_peak(const double *v, size_t n)
{
    double lo = v[0], hi = v[0];
    for (size_t k = 1; k < n; k++) {
        lo = fmin(lo, v[k]);
        hi = fmax(hi, v[k]);
    }
    return hi - lo;
}

/* PSNR's peak: the synthetic image's range; 1 for an image file (values in [0, 1]), and
 * no PSNR (NaN) when a file is denoised as it is (noise = 0: no clean image to compare). */
static double psnr_peak(const double *clean, size_t n, int synthetic, double noise)
{
    if (synthetic)
        return peak_to_peak(clean, n);
    return noise > 0 ? 1.0 : NAN;
}

static int denoise_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                         gd_rng_key key, gd_error *err)
{
    const gd_problem_file *image = gd_problem_files_find(files, "image");
    size_t h, w;
    if (image_shape(image, pp, &h, &w, err) < 0)
        return -1;
    size_t n = h * w, nb = (h + ROWS - 1) / ROWS;
    double *clean, *rows, *grad_sq, *scratch;
    const gd_array_req reqs[] = {{&clean, n}, {&rows, h}, {&grad_sq, h},
                                 {&scratch, nb * scratch_stride(w)}};
    denoise *d = gd_problem_alloc(p, &gd_problem_denoise, n, sizeof *d, reqs, 4, err);
    if (!d)
        return -1;
    double *noisy = p->x0; /* the start point is the noisy image: one array for both */
    *d = (denoise){h, w, nb, pp[DN_LAMBDA], pp[DN_TV_EPS] * pp[DN_TV_EPS], 0, clean, noisy,
                   rows, grad_sq, scratch};
    if (image && gd_image_read(image, clean, err) < 0) {
        gd_problem_destroy(p);
        return -1;
    }
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
    for (size_t b = 0; b < nb; b++)
        make_block(d, clean, noisy, pp[DN_NOISE], key, b, !image);
    d->peak = psnr_peak(clean, n, !image, pp[DN_NOISE]);
    (image ? gd_problem_add_file_input : gd_problem_add_input)(p, "clean", h, w, clean);
    gd_problem_add_input(p, "noisy", h, w, noisy);
    return 0;
}

/* The image file decodes whole, and is at least 2 x 2 (checked once per file set, before
 * anything runs). */
static int denoise_check_files(const gd_problem_files *files, const double *pp, gd_error *err)
{
    const gd_problem_file *image = gd_problem_files_find(files, "image");
    size_t h, w;
    if (!image)
        return 0;
    if (gd_image_size(image, &h, &w, err) < 0)
        return -1;
    if (h < 2 || w < 2)
        return gd_fail(err, "image = %s is %zux%zu pixels; give an image of at least 2x2",
                       image->path, w, h);
    double *values = malloc(h * w * sizeof *values);
    if (!values)
        return gd_fail_runtime(err, "image = %s: out of memory for %zux%zu pixels",
                               image->path, w, h);
    int rc = gd_image_read(image, values, err);
    free(values);
    return rc;
}

const gd_problem_type gd_problem_denoise = {
    .name = "denoise",
    .doc = "total-variation denoising of a noisy image (the article's sin(5x)cos(5y), or a "
           "PNG file): sum (u - f)^2 + lambda * sum sqrt(|grad u|^2 + tv_eps^2) (n = pixels)",
    .params = denoise_params,
    .metric_name = "psnr",
    .metric_mode = "max",
    .stores_inputs = 1,
    .model_params = 1u << DN_LAMBDA | 1u << DN_TV_EPS,
    .check = NULL,
    .check_files = denoise_check_files,
    .draws = denoise_draws,
    .repeat_hint = "noise > 0 draws a noisy image per repeat",
    .dimension = denoise_dimension,
    .cost = denoise_cost,
    .setup = denoise_setup,
    .destroy = gd_problem_release,
    .loss = denoise_loss,
    .loss_grad = denoise_loss_grad,
    .step_loss_grad = denoise_step_loss_grad,
    .metric = denoise_psnr,
};
