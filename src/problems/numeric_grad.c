/* numeric_grad.c - the article's central-difference gradient for any problem.
 *
 * g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one coordinate at a time in a
 * scratch copy of x; each coordinate is restored to its exact original value before the
 * next one moves, so x itself is never touched and nothing is allocated. */
#include "gdsweep/problem.h"

#include "gdsweep/small_copy.h"

double gd_numeric_loss_grad(const gd_problem *p, const double *x, double eps, double *g,
                            double *work)
{
    double (*f)(const gd_problem *, const double *) = p->type->loss;
    gd_copy_values(work, x, p->n);
    for (size_t i = 0; i < p->n; i++) {
        double xi = work[i];
        work[i] = xi + eps;
        double fp = f(p, work);
        work[i] = xi - eps;
        double fm = f(p, work);
        work[i] = xi;
        g[i] = (fp - fm) / (2 * eps);
    }
    return f(p, x);
}
