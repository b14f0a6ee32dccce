/* halving_rule.c - which runs of a group go on to the next rung (halving.h). */
#include "gdsweep/halving.h"

#include <math.h>
#include <stdlib.h>

uint64_t gd_halving_keep(uint64_t n, uint64_t eta)
{
    return n / eta + (n % eta != 0);
}

/* Runs ahead first, then lower loss (NaN last), then lower id. */
static int compare_runs(const void *pa, const void *pb)
{
    const gd_halving_run *a = pa, *b = pb;
    if (a->ahead != b->ahead)
        return a->ahead ? -1 : 1;
    int na = isnan(a->loss), nb = isnan(b->loss);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->loss != b->loss)
        return a->loss < b->loss ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

size_t gd_halving_choose(gd_halving_run *runs, size_t n, uint64_t eta)
{
    qsort(runs, n, sizeof *runs, compare_runs);
    size_t keep = (size_t)gd_halving_keep(n, eta), ahead = 0;
    while (ahead < n && runs[ahead].ahead)
        ahead++;
    return ahead > keep ? ahead : keep;
}
