/* bias_power.c - 1 - b^t of Adam's bias corrections, pow()'s own values kept per thread.
 *
 * Every run of a sweep with the same beta asks for the same 1 - pow(b, t), t = 1, 2, ...;
 * a tiny run spent a sixth of its loop in the two pow() calls. Each thread keeps, for each
 * of two slots (beta1, beta2), the values of the last base it saw for t up to
 * GD_BIAS_POWER_CAP, each computed by the same expression the first time: the bits are those
 * of calling pow() every step. adam_family.h reads a kept value inline
 * (gd_bias_power_kept); this file fills them. */
#include "adam_family.h"

_Thread_local gd_power_table gd_bias_tables[ADAM_POWER_SLOTS];

static double one_minus_pow(double b, long t)
{
    return 1 - pow(b, (double)t);
}

double gd_bias_power(int slot, double b, long t)
{
    gd_power_table *p = &gd_bias_tables[slot];
    if (t < 1 || t > GD_BIAS_POWER_CAP)
        return one_minus_pow(b, t);
    if (memcmp(&p->base, &b, sizeof b) != 0) {
        p->base = b;
        p->filled = 0;
    }
    while (p->filled < t) {
        p->v[p->filled] = one_minus_pow(b, p->filled + 1);
        p->filled++;
    }
    return p->v[t - 1];
}
