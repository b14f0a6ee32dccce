/* design.c - a design's set-up (direction numbers, seeded shifts) and its point k.
 *
 * The one place that dispatches on the sampler (design.h). Set-up draws the scramble's
 * shifts once from the design's key; gd_design_unit is then pure arithmetic. */
#include "design.h"

#include <string.h>

const char *const gd_sampler_names[] = {"sobol", "halton", "random", "sobol-unscrambled",
                                        "halton-unscrambled", NULL};

static int scrambled(gd_sampler s)
{
    return s == GD_SAMPLER_SOBOL || s == GD_SAMPLER_HALTON;
}

/* Shift word l of dimension j, uniform on [0, range). */
static unsigned shift_word(const gd_design *d, size_t j, unsigned l, double range)
{
    double u = gd_rng_uniform(d->key, GD_DESIGN_SHIFT_STREAM + (uint32_t)j, l);
    double w = u * range;
    return w >= range ? (unsigned)(range - 1) : (unsigned)w;
}

static void init_dimension(gd_design *d, size_t j)
{
    unsigned base = gd_halton_base(j);
    d->halton_digits[j] = (unsigned char)gd_halton_digits(base);
    gd_sobol_directions(j, d->sobol[j]);
    if (!scrambled(d->sampler))
        return;
    d->sobol_shift[j] = shift_word(d, j, 0, 4294967296.0);
    for (unsigned l = 0; l < d->halton_digits[j]; l++)
        d->halton_shift[j][l] = (unsigned char)shift_word(d, j, l, base);
}

void gd_design_init(gd_design *d, gd_sampler sampler, uint64_t n, size_t dims, uint64_t seed,
                    const char *what)
{
    memset(d, 0, sizeof *d);
    d->sampler = sampler;
    d->n = n;
    d->dims = dims;
    d->key = gd_rng_key_make(seed, what, NULL, 0, 0);
    for (size_t j = 0; j < dims; j++)
        init_dimension(d, j);
}

double gd_design_unit(const gd_design *d, uint64_t k, size_t j)
{
    switch (d->sampler) {
    case GD_SAMPLER_SOBOL:
    case GD_SAMPLER_SOBOL_UNSCRAMBLED:
        return (double)(gd_sobol_point(d->sobol[j], k) ^ d->sobol_shift[j]) * 0x1p-32;
    case GD_SAMPLER_HALTON:
    case GD_SAMPLER_HALTON_UNSCRAMBLED:
        return gd_halton_point(gd_halton_base(j), d->halton_digits[j],
                               scrambled(d->sampler) ? d->halton_shift[j] : NULL, k);
    default:
        return gd_rng_uniform(d->key, (uint32_t)j, k);
    }
}
