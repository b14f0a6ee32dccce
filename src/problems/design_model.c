/* design_model.c - the loss of a model on a design: a mean of row losses over the batch's
 * rows plus the l2 penalty, summed by blocks (design.h, gd_design_model). */
#include "design.h"

gd_design_model *gd_design_model_new(gd_problem *p, const gd_problem_type *t,
                                     const gd_design_source *src, const double *pp,
                                     gd_rng_key key, size_t classes,
                                     gd_design_block_fn block_sums, int with_optimum,
                                     double **w_opt, gd_error *err)
{
    gd_design shape;
    double *parts, *sums;
    gd_design_shape(src, pp, &shape);
    size_t n = shape.d * classes;
    const gd_array_req extra[] = {
        {&parts, gd_design_blocks(shape.rows, GD_DESIGN_BLOCK) * (n + 1)},
        {&sums, n + 1},
        {w_opt, with_optimum ? n : 0},
    };
    gd_design_model *m = gd_design_instance(p, t, src, pp, key, classes, sizeof *m, extra, 3,
                                            err);
    if (!m)
        return NULL;
    m->classes = classes;
    m->block_sums = block_sums;
    m->parts = parts;
    m->sums = sums;
    return m;
}

void gd_design_model_optimum(gd_problem *p, const double *w_opt)
{
    p->has_optimum = 1;
    p->f_opt = gd_design_loss(p, w_opt);
    gd_problem_add_input(p, "x_opt", p->n, 0, w_opt);
}

/* The loss over the m rows `rows` (NULL: every training row), gradient into g unless
 * NULL: the block sums in block order over m, plus the penalty. */
static double evaluate(const gd_problem *p, const double *w, const size_t *rows, size_t m,
                       double *g)
{
    const gd_design_model *model = p->data;
    gd_design_call c = {model, w, rows, g != NULL};
    double count = (double)m;
    gd_design_reduce(m, GD_DESIGN_BLOCK, model->block_sums, &c, p->n + 1, g ? p->n + 1 : 1,
                     model->parts, model->sums);
    for (size_t j = 0; g && j < p->n; j++)
        g[j] = model->sums[1 + j] / count;
    return model->sums[0] / count + gd_design_penalty(&model->d, w, model->classes, g);
}

double gd_design_loss(const gd_problem *p, const double *w)
{
    return evaluate(p, w, NULL, gd_design_samples(p), NULL);
}

double gd_design_loss_grad(const gd_problem *p, const double *w, double *g)
{
    return evaluate(p, w, NULL, gd_design_samples(p), g);
}

double gd_design_batch_loss_grad(const gd_problem *p, const double *w, const size_t *rows,
                                 size_t m, double *g)
{
    return evaluate(p, w, rows, m, g);
}
