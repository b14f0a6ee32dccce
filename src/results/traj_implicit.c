/* traj_implicit.c - which per-record series a file leaves out, and their rebuilt values. */
#include "gdsweep/traj_implicit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gdsweep/problem.h"
#include "gdsweep/run_space.h"
#include "gdsweep/series.h"

/* Member names of the per-record series, in table order (their dataset names less
 * GD_H5_TRAJ_PREFIX). */
#define SERIES_NAME(member, ctype, elem) #member,
static const char *const series_names[GD_RECORD_SERIES_COUNT] = {
    GD_RECORD_SERIES(SERIES_NAME)};
#undef SERIES_NAME

/* 1 when some run of problem section p may be stochastic: an online type, or a type with
 * minibatches whose section gives batch_size a value other than 0 (full batch). */
static int section_stochastic(const gd_sweep *s, size_t p)
{
    const gd_problem_type *t = s->problems[p].type;
    return t->online_loss_grad ||
           (t->batch_loss_grad &&
            !gd_space_key_all_default(s, GD_KEYS_CONTROL, p, GD_CONTROL_BATCH_SIZE));
}

/* 1 when every run of optimizer section o steps with its `lr` (the optimizer's first key)
 * unchanged: the constant schedule throughout. */
static int section_constant_rate(const gd_sweep *s, size_t o)
{
    const gd_optimizer_type *t = s->optimizers[o].type;
    return t->params && t->params[0].key && strcmp(t->params[0].key, "lr") == 0 &&
           gd_space_key_all_default(s, GD_KEYS_SCHEDULE, o, 0);
}

unsigned gd_traj_implicit_of_sweep(const gd_sweep *s)
{
    unsigned mask = GD_TRAJ_BIT(GD_SERIES_iteration);
    int constant = 1, stochastic = 0;
    for (size_t o = 0; o < s->n_optimizers; o++)
        constant &= section_constant_rate(s, o);
    for (size_t p = 0; p < s->n_problems; p++)
        stochastic |= section_stochastic(s, p);
    if (constant)
        mask |= GD_TRAJ_BIT(GD_SERIES_lr);
    if (!stochastic)
        mask |= GD_TRAJ_BIT(GD_SERIES_batch_loss);
    return mask;
}

int gd_traj_stored_count(unsigned mask)
{
    int n = 0;
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++)
        n += !(mask & GD_TRAJ_BIT(i));
    return n;
}

int gd_traj_implicit_text(unsigned mask, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return -1;
    buf[0] = '\0';
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++) {
        if (!(mask & GD_TRAJ_BIT(i)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", series_names[i]);
        if (n < 0 || (size_t)n >= size - used)
            return -1;
        used += (size_t)n;
    }
    return 0;
}

/* The series whose member name is text[0 .. len), or -1. */
static int series_named(const char *text, size_t len)
{
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++)
        if (strlen(series_names[i]) == len && strncmp(series_names[i], text, len) == 0)
            return i;
    return -1;
}

int gd_traj_implicit_parse(const char *text, unsigned *mask)
{
    *mask = 0;
    while (*text) {
        size_t len = strcspn(text, ",");
        int i = series_named(text, len);
        if (i < 0)
            return -1;
        *mask |= GD_TRAJ_BIT(i);
        text += len;
        if (*text == ',' && *++text == '\0')
            return -1; /* a trailing comma */
    }
    return 0;
}

void gd_traj_rebuild(int series, size_t count, long record_every, long last_iteration,
                     double lr, double *out)
{
    for (size_t j = 0; j < count; j++) {
        int last = j + 1 == count;
        switch (series) {
        case GD_SERIES_iteration:
            out[j] = last ? (double)last_iteration : (double)j * (double)record_every;
            break;
        case GD_SERIES_lr:
            out[j] = last ? NAN : lr;
            break;
        default:
            out[j] = NAN;
        }
    }
}
