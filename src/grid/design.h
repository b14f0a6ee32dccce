/* design.h - sampled designs: point k of an N-point design in [0, 1)^d, computed from k.
 *
 * Private to src/grid/. A design is a sampler (Sobol, Halton or Philox random), scrambled
 * or not, over d dimensions; gd_design_unit(design, k, j) is coordinate j of point k, a
 * pure function of (design, k, j) with no state and no sequential generation:
 *   sobol   Joe-Kuo new-joe-kuo-6.21201 direction numbers (design_sobol.c), 32 bits,
 *           Gray-code order (point k XORs the direction numbers of the bits of k ^ k>>1,
 *           scipy.stats.qmc.Sobol's order); O(log k) per coordinate. Scrambled: a random
 *           digital shift (XOR with one 32-bit word per dimension).
 *   halton  radical inverse of k in the j-th prime with L_j digits, the most with
 *           prime^L_j <= 2^53 (design_halton.c); O(log k). Scrambled: a random digital
 *           shift (digit l of dimension j plus shift[j][l], modulo the prime).
 *   random  gd_rng_uniform(key, j, k) (Philox, rng.c).
 * The random words (the shifts, the random points) come from the key
 * gd_rng_key_make(seed, "design/<problem|optimizer>/<label>", NULL, 0, 0); shift words of
 * dimension j are stream GD_DESIGN_SHIFT_STREAM + j. The formulas are in docs/GRID.md. */
#ifndef GDSWEEP_DESIGN_H
#define GDSWEEP_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/error.h"
#include "gdsweep/rng.h"

/* Dimensions of one design (keys sampled in one section), and its largest point count. */
#define GD_DESIGN_DIMS_MAX 32
#define GD_DESIGN_POINTS_MAX (1ULL << 32)
#define GD_SOBOL_BITS 32
#define GD_HALTON_DIGITS_MAX 53
#define GD_DESIGN_SHIFT_STREAM 256u

typedef enum gd_sampler {
    GD_SAMPLER_SOBOL, GD_SAMPLER_HALTON, GD_SAMPLER_RANDOM,
    GD_SAMPLER_SOBOL_UNSCRAMBLED, GD_SAMPLER_HALTON_UNSCRAMBLED, GD_SAMPLER_COUNT
} gd_sampler;

/* The names of [sweep] sampler, in gd_sampler order, NULL-terminated. */
extern const char *const gd_sampler_names[];

typedef struct gd_design {
    gd_sampler sampler;
    uint64_t n;          /* points */
    size_t dims;
    gd_rng_key key;
    uint32_t sobol[GD_DESIGN_DIMS_MAX][GD_SOBOL_BITS]; /* direction numbers v_1..v_32 */
    uint32_t sobol_shift[GD_DESIGN_DIMS_MAX];          /* 0 when unscrambled */
    unsigned char halton_digits[GD_DESIGN_DIMS_MAX];   /* L_j */
    unsigned char halton_shift[GD_DESIGN_DIMS_MAX][GD_HALTON_DIGITS_MAX];
} gd_design;

/* Sets up *d: `dims` (1..GD_DESIGN_DIMS_MAX) dimensions, n points, keyed by (seed,
 * what, e.g. "design/optimizer/adam"). Cannot fail for arguments in range. */
void gd_design_init(gd_design *d, gd_sampler sampler, uint64_t n, size_t dims, uint64_t seed,
                    const char *what);

/* Coordinate j of point k, in [0, 1). */
double gd_design_unit(const gd_design *d, uint64_t k, size_t j);

/* design_sobol.c: the direction numbers v_1..v_32 of Sobol dimension j (0-based). */
void gd_sobol_directions(size_t j, uint32_t v[GD_SOBOL_BITS]);
/* Sobol's 32-bit integer coordinate of point k, from its direction numbers. */
uint32_t gd_sobol_point(const uint32_t v[GD_SOBOL_BITS], uint64_t k);

/* design_halton.c: the j-th prime (0-based: 2, 3, 5, ...), its digit count L_j, and the
 * coordinate of point k with digit shifts (NULL: none). */
unsigned gd_halton_base(size_t j);
unsigned gd_halton_digits(unsigned base);
double gd_halton_point(unsigned base, unsigned digits, const unsigned char *shift, uint64_t k);

#endif
