/* schedule.h - learning-rate schedules, usable with every optimizer.
 *
 * A schedule maps (base lr, step t, budget) to the rate of step t. Each declares its own
 * parameters; the grid accepts the union of every schedule's keys in an optimizer
 * section and hands `rate` the values of this schedule's own keys, in its spec order. */
#ifndef GDSWEEP_SCHEDULE_H
#define GDSWEEP_SCHEDULE_H

#include "gdsweep/param.h"

typedef struct gd_schedule_type {
    const char *name;
    const char *doc;
    const gd_param_spec *params;
    /* Rate of step t (0-based, t < iterations) given the base rate lr0. */
    double (*rate)(const double *sp, double lr0, long t, long iterations);
} gd_schedule_type;

/* NULL-terminated; index 0 is "constant", the default. */
extern const gd_schedule_type *const gd_schedules[];

const gd_schedule_type *gd_schedule_find(const char *name);

/* Index of the schedule in gd_schedules, or -1. */
int gd_schedule_index(const char *name);

/* The schedules' names, NULL-terminated, in gd_schedules order. */
extern const char *const gd_schedule_names[];

/* The optimizer-section key "schedule": a choice over gd_schedule_names, default 0. */
extern const gd_param_spec gd_schedule_spec;

#endif
