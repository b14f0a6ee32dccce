/* param.c - checking values against hyperparameter specs (see gdsweep/param.h). */
#include "gdsweep/param.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t gd_param_count(const gd_param_spec *specs)
{
    size_t n = 0;
    while (specs && specs[n].key)
        n++;
    return n;
}

int gd_param_find(const gd_param_spec *specs, const char *key)
{
    for (size_t i = 0; specs && specs[i].key; i++)
        if (strcmp(specs[i].key, key) == 0)
            return (int)i;
    return -1;
}

int gd_param_choice(const gd_param_spec *spec, const char *name)
{
    for (size_t i = 0; spec->choices && spec->choices[i]; i++)
        if (strcmp(spec->choices[i], name) == 0)
            return (int)i;
    return -1;
}

static void bound_text(double v, char *buf, size_t size)
{
    if (isinf(v))
        snprintf(buf, size, "%sinf", v < 0 ? "-" : "");
    else
        snprintf(buf, size, "%.17g", v);
}

void gd_param_range_text(const gd_param_spec *spec, char *buf, size_t size)
{
    if (spec->kind == GD_CHOICE) {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; spec->choices[i] && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "|" : "",
                                     spec->choices[i]);
        return;
    }
    if (gd_param_is_text(spec->kind)) {
        snprintf(buf, size, spec->kind == GD_PATH ? "a file name" : "a name");
        return;
    }
    char lo[32], hi[32];
    bound_text(spec->lo, lo, sizeof lo);
    bound_text(spec->hi, hi, sizeof hi);
    snprintf(buf, size, "%c%s, %s%c", spec->lo_open || isinf(spec->lo) ? '(' : '[', lo, hi,
             spec->hi_open || isinf(spec->hi) ? ')' : ']');
}

/* Finite values only: NaN or Inf is never a valid setting, whatever the bounds. */
static int in_range(const gd_param_spec *spec, double v)
{
    if (!isfinite(v))
        return 0;
    if (spec->lo_open ? !(v > spec->lo) : !(v >= spec->lo))
        return 0;
    if (spec->hi_open ? !(v < spec->hi) : !(v <= spec->hi))
        return 0;
    return 1;
}

static int choice_ok(const gd_param_spec *spec, double v)
{
    size_t n = 0;
    while (spec->choices[n])
        n++;
    return v >= 0 && v < (double)n && v == floor(v);
}

/* A name's index in the sweep's table (which the grid fills as it reads names). */
static int name_index_ok(double v)
{
    return v >= 0 && v <= (double)UINT32_MAX && v == floor(v);
}

/* The range text is formatted only on failure: loading a 10^7-value list checks each. */
int gd_param_check(const gd_param_spec *spec, double v, gd_error *err)
{
    int ok = spec->kind == GD_CHOICE ? choice_ok(spec, v)
             : gd_param_is_text(spec->kind) ? name_index_ok(v)
             : in_range(spec, v) && (spec->kind != GD_INT || v == floor(v));
    if (ok)
        return 0;
    char range[256];
    gd_param_range_text(spec, range, sizeof range);
    if (spec->kind == GD_CHOICE)
        return gd_fail(err, "%s must be one of %s", spec->key, range);
    if (gd_param_is_text(spec->kind))
        return gd_fail(err, "%s must be %s", spec->key, range);
    if (spec->kind == GD_INT && isfinite(v) && v != floor(v))
        return gd_fail(err, "%s = %.17g must be a whole number in %s", spec->key, v, range);
    return gd_fail(err, "%s = %.17g is out of range: must be in %s", spec->key, v, range);
}

void gd_param_defaults(const gd_param_spec *specs, double *values)
{
    for (size_t i = 0; specs && specs[i].key; i++)
        values[i] = specs[i].def;
}
