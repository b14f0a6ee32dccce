/* param.h - hyperparameter specifications shared by optimizers, schedules and problems.
 *
 * Every tunable value is described once by a gd_param_spec in a const table; the grid
 * validator, `gdsweep --list`, the HDF5 column list and the tests all walk those tables.
 * Values travel as doubles: integers are whole doubles, choices are the index of the
 * chosen name in `choices`, file names (GD_PATH) and other names (GD_NAME: a column of a
 * data file, a dataset in it, a plugin's name) the index of the text in the sweep's table
 * of names (gd_sweep_file_name; 0: none given, the type's default). */
#ifndef GDSWEEP_PARAM_H
#define GDSWEEP_PARAM_H

#include <stdbool.h>
#include <stddef.h>

#include "gdsweep/error.h"

/* Upper bound on the parameters of one optimizer, schedule or problem type. */
#define GD_MAX_PARAMS 16

typedef enum { GD_REAL = 0, GD_INT, GD_CHOICE, GD_PATH, GD_NAME } gd_param_kind;

/* 1 for the kinds whose values are texts, kept in the sweep's table of names. */
static inline int gd_param_is_text(gd_param_kind kind)
{
    return kind == GD_PATH || kind == GD_NAME;
}

/* The value of a GD_PATH or GD_NAME key that names nothing (its only default). */
#define GD_PATH_NONE 0.0

typedef struct gd_param_spec {
    const char *key;             /* NULL terminates a spec table */
    gd_param_kind kind;
    double def;                  /* default value (choice: index) */
    double lo, hi;               /* valid range (ignored for GD_CHOICE and GD_PATH) */
    bool lo_open, hi_open;       /* true: bound excluded */
    const char *const *choices;  /* GD_CHOICE: NULL-terminated names */
    const char *doc;             /* one line for --list */
} gd_param_spec;

/* Number of entries before the NULL-key terminator. */
size_t gd_param_count(const gd_param_spec *specs);

/* Index of key in specs, or -1. */
int gd_param_find(const gd_param_spec *specs, const char *key);

/* Checks v against the spec's kind and range. On failure writes
 * "<key> = <v> is out of range: must be in [lo, hi)" into err (no location prefix)
 * and returns -1. */
int gd_param_check(const gd_param_spec *spec, double v, gd_error *err);

/* Index of name in spec->choices, or -1. */
int gd_param_choice(const gd_param_spec *spec, const char *name);

/* Writes the valid range as text, e.g. "(0, inf)" or "[0, 1)" or "analytic|numeric" or
 * "a file name" or "a name". */
void gd_param_range_text(const gd_param_spec *spec, char *buf, size_t size);

/* Fills values[] with every spec's default. */
void gd_param_defaults(const gd_param_spec *specs, double *values);

#endif
