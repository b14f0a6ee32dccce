/* schedules.c - the learning-rate schedules and their registry (see gdsweep/schedule.h).
 *
 * Keys that several schedules use are one spec object: the grid takes the union of the
 * keys by name, so a key must have one default, range and doc. The shared specs sit in
 * one array and each schedule's table is a tail of it (exponential and step: gamma,
 * decay_steps; inverse_time: decay_steps). */
#include "gdsweep/schedule.h"

#include <math.h>
#include <string.h>

static const double pi = 3.14159265358979323846;

static const gd_param_spec decay_params[] = {
    {"gamma", GD_REAL, 0.5, 0, 1, true, false, NULL, "rate factor per decay_steps steps"},
    {"decay_steps", GD_REAL, 50, 0, INFINITY, true, false, NULL, "steps per unit of decay"},
    {0},
};

static const gd_param_spec no_params[] = {{0}};

static const gd_param_spec cosine_params[] = {
    {"lr_min", GD_REAL, 0, 0, INFINITY, false, false, NULL, "rate at the end of the cosine"},
    {0},
};

static double constant_rate(const double *sp, double lr0, long t, long iterations)
{
    return lr0;
}

/* The article's "adaptive" rate: initial_lr / (1 + i / 50), i from 0. */
static double inverse_time_rate(const double *sp, double lr0, long t, long iterations)
{
    return lr0 / (1.0 + (double)t / sp[0]);
}

/* Reddi, Kale & Kumar's alpha / sqrt(t), their t = ours + 1. */
static double inverse_sqrt_rate(const double *sp, double lr0, long t, long iterations)
{
    return lr0 / sqrt(1.0 + (double)t);
}

static double exponential_rate(const double *sp, double lr0, long t, long iterations)
{
    return lr0 * pow(sp[0], (double)t / sp[1]);
}

static double step_rate(const double *sp, double lr0, long t, long iterations)
{
    return lr0 * pow(sp[0], floor((double)t / sp[1]));
}

static double cosine_rate(const double *sp, double lr0, long t, long iterations)
{
    const double lr_min = sp[0];
    return lr_min + 0.5 * (lr0 - lr_min) * (1 + cos(pi * (double)t / (double)iterations));
}

static const gd_schedule_type constant_schedule = {
    .name = "constant",
    .doc = "the base rate at every step",
    .params = no_params,
    .rate = constant_rate,
};

static const gd_schedule_type inverse_time_schedule = {
    .name = "inverse_time",
    .doc = "lr / (1 + t/decay_steps), the article's decaying rate",
    .params = decay_params + 1,
    .rate = inverse_time_rate,
};

static const gd_schedule_type inverse_sqrt_schedule = {
    .name = "inverse_sqrt",
    .doc = "lr / sqrt(1 + t), the step size alpha/sqrt(t) of Reddi, Kale & Kumar",
    .params = no_params,
    .rate = inverse_sqrt_rate,
};

static const gd_schedule_type exponential_schedule = {
    .name = "exponential",
    .doc = "lr * gamma^(t/decay_steps)",
    .params = decay_params,
    .rate = exponential_rate,
};

static const gd_schedule_type step_schedule = {
    .name = "step",
    .doc = "lr * gamma^floor(t/decay_steps)",
    .params = decay_params,
    .rate = step_rate,
};

static const gd_schedule_type cosine_schedule = {
    .name = "cosine",
    .doc = "half a cosine from lr at t = 0 down to lr_min at the end of the budget",
    .params = cosine_params,
    .rate = cosine_rate,
};

/* Same order as gd_schedules (tests check that the names agree). */
const char *const gd_schedule_names[] = {
    "constant", "inverse_time", "exponential", "step", "cosine", "inverse_sqrt", NULL,
};

const gd_schedule_type *const gd_schedules[] = {
    &constant_schedule, &inverse_time_schedule, &exponential_schedule, &step_schedule,
    &cosine_schedule, &inverse_sqrt_schedule, NULL,
};

const gd_param_spec gd_schedule_spec = {
    .key = "schedule",
    .kind = GD_CHOICE,
    .def = 0,
    .choices = gd_schedule_names,
    .doc = "learning-rate schedule",
};

int gd_schedule_index(const char *name)
{
    for (int i = 0; gd_schedules[i]; i++)
        if (strcmp(gd_schedules[i]->name, name) == 0)
            return i;
    return -1;
}

const gd_schedule_type *gd_schedule_find(const char *name)
{
    const int i = gd_schedule_index(name);
    return i < 0 ? NULL : gd_schedules[i];
}
