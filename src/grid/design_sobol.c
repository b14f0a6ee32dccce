/* design_sobol.c - Sobol points from the Joe-Kuo direction numbers, point k from k alone.
 *
 * Dimension 1 has every m_i = 1 (van der Corput in base 2); dimensions 2 to
 * GD_DESIGN_DIMS_MAX take (s, a, m_1..m_s) from Joe and Kuo's new-joe-kuo-6.21201 table
 * (S. Joe, F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional
 * projections", SIAM J. Sci. Comput. 30, 2008), transcribed below. For i > s,
 *   m_i = 2 a_1 m_{i-1} ^ 4 a_2 m_{i-2} ^ ... ^ 2^(s-1) a_(s-1) m_(i-s+1) ^ 2^s m_(i-s) ^ m_(i-s)
 * (a_1 the highest of the s-1 bits of a), and v_i = m_i << (32 - i). Point k in Gray-code
 * order XORs v_(b+1) for every set bit b of k ^ (k >> 1): the order of
 * scipy.stats.qmc.Sobol, whose 30-bit points equal these for k < 2^30. */
#include "design.h"

typedef struct joe_kuo {
    unsigned char s, a;
    unsigned char m[7];
} joe_kuo;

/* Dimensions 2..32 of new-joe-kuo-6.21201 (d s a m_i). */
static const joe_kuo joe_kuo_table[GD_DESIGN_DIMS_MAX - 1] = {
    {1, 0, {1}},                          /* 2 */
    {2, 1, {1, 3}},                       /* 3 */
    {3, 1, {1, 3, 1}},                    /* 4 */
    {3, 2, {1, 1, 1}},                    /* 5 */
    {4, 1, {1, 1, 3, 3}},                 /* 6 */
    {4, 4, {1, 3, 5, 13}},                /* 7 */
    {5, 2, {1, 1, 5, 5, 17}},             /* 8 */
    {5, 4, {1, 1, 5, 5, 5}},              /* 9 */
    {5, 7, {1, 1, 7, 11, 19}},            /* 10 */
    {5, 11, {1, 1, 5, 1, 1}},             /* 11 */
    {5, 13, {1, 1, 1, 3, 11}},            /* 12 */
    {5, 14, {1, 3, 5, 5, 31}},            /* 13 */
    {6, 1, {1, 3, 3, 9, 7, 49}},          /* 14 */
    {6, 13, {1, 1, 1, 15, 21, 21}},       /* 15 */
    {6, 16, {1, 3, 1, 13, 27, 49}},       /* 16 */
    {6, 19, {1, 1, 1, 15, 7, 5}},         /* 17 */
    {6, 22, {1, 3, 1, 15, 13, 25}},       /* 18 */
    {6, 25, {1, 1, 5, 5, 19, 61}},        /* 19 */
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},   /* 20 */
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},    /* 21 */
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},     /* 22 */
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},      /* 23 */
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},   /* 24 */
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},    /* 25 */
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},   /* 26 */
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},     /* 27 */
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},     /* 28 */
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},    /* 29 */
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},    /* 30 */
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},    /* 31 */
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},    /* 32 */
};

/* m_i for i > s from the recurrence (m[0] is m_1). */
static uint32_t next_m(const joe_kuo *p, const uint32_t *m, unsigned i)
{
    unsigned s = p->s;
    uint32_t x = m[i - s] ^ (m[i - s] << s);
    for (unsigned k = 1; k < s; k++)
        if (p->a >> (s - 1 - k) & 1)
            x ^= m[i - k] << k;
    return x;
}

void gd_sobol_directions(size_t j, uint32_t v[GD_SOBOL_BITS])
{
    uint32_t m[GD_SOBOL_BITS];
    for (unsigned i = 0; i < GD_SOBOL_BITS; i++) {
        if (j == 0)
            m[i] = 1;
        else if (i < joe_kuo_table[j - 1].s)
            m[i] = joe_kuo_table[j - 1].m[i];
        else
            m[i] = next_m(&joe_kuo_table[j - 1], m, i);
        v[i] = m[i] << (GD_SOBOL_BITS - 1 - i);
    }
}

uint32_t gd_sobol_point(const uint32_t v[GD_SOBOL_BITS], uint64_t k)
{
    uint64_t gray = k ^ (k >> 1);
    uint32_t x = 0;
    for (unsigned b = 0; gray && b < GD_SOBOL_BITS; b++, gray >>= 1)
        if (gray & 1)
            x ^= v[b];
    return x;
}
