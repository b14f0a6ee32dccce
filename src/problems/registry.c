/* registry.c - the list of problem types, in --list order, and lookup by name. */
#include "gdsweep/problem.h"

#include <string.h>

const gd_problem_type *const gd_problems[] = {
    &gd_problem_quadratic,
    &gd_problem_curvefit,
    &gd_problem_denoise,
    &gd_problem_rosenbrock,
    &gd_problem_leastsq,
    &gd_problem_logreg,
    &gd_problem_softmax,
    NULL,
};

const gd_problem_type *gd_problem_find(const char *name)
{
    for (size_t i = 0; gd_problems[i]; i++)
        if (strcmp(gd_problems[i]->name, name) == 0)
            return gd_problems[i];
    return NULL;
}
