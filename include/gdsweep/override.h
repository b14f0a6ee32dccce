/* override.h - command-line overrides LABEL.KEY=VALUE, folded into the grid's text.
 *
 * `gdsweep grid.ini adam.lr='logspace(-4, -1, 7)' sweep.repeats=5` sweeps the grid file
 * with those keys set. The overrides are not a second source of settings: they are folded
 * into the grid text (each overridden key's line replaced in place by "KEY = VALUE", a
 * key the section lacks added after its last key, docs/GRID.md "Overrides"), and that
 * text is what is parsed, stored in the output and hashed, so the run equals the grid
 * written out that way, bit for bit, and --resume and merge compare it like any grid.
 * Errors name the argument ("argument 2 'adam.lr=abc': ..."), exit 2. */
#ifndef GDSWEEP_OVERRIDE_H
#define GDSWEEP_OVERRIDE_H

#include <stddef.h>

#include "gdsweep/grid.h"

/* The most overrides one command line may give. */
#define GD_OVERRIDES_MAX 64

/* One override as given: "LABEL.KEY=VALUE", and its position in argv (named in errors). */
typedef struct gd_override {
    const char *text;
    int arg;
} gd_override;

/* 1 when an operand is an override: it has a '=' before any '/' (a grid file whose name
 * holds '=' is given as ./NAME). */
int gd_override_is(const char *operand);

/* The grid text with the overrides folded in, and where each of its lines came from. */
typedef struct gd_folded {
    char *text;     /* NUL-terminated */
    size_t len;
    int *origin;    /* [n_lines + 1]; origin[k] of line k (from 1): the grid file's line
                       (> 0), or -(i + 1) for a line written by override i */
    size_t n_lines;
} gd_folded;

/* Folds ov[0..n) into text[0..len) (the grid file at path, read as the grid loader
 * reads it). Returns 0, or -1 with err: the grid's own syntax errors as the loader
 * gives them, an override's (its form, an unknown label, a key given twice) naming the
 * argument. *out is zeroed on failure; free it with gd_folded_free. */
int gd_override_fold(const char *path, const char *text, size_t len, const gd_override *ov,
                     size_t n, gd_folded *out, gd_error *err);
void gd_folded_free(gd_folded *f);

/* gd_sweep_load with overrides: reads path, folds ov[0..n) in and parses the result (with
 * n = 0, gd_sweep_load itself). A message about a line an override wrote names the
 * argument instead ("argument 3 'adam.lr=-1': lr = -1 is out of range ..."); one about
 * another line names the grid file's own line number. On error *s is left freed. */
int gd_sweep_load_overridden(gd_sweep *s, const char *path, const gd_override *ov, size_t n,
                             int allow_huge, gd_error *err);

/* For an error that a later step located in the folded text (gd_sweep_read_files: "PATH:
 * LINE: ..."): names the argument or the file's line instead, as gd_sweep_load_overridden
 * does (the grid file is read and folded again). Leaves err as it is when n is 0 or the
 * line is the file's own. */
void gd_override_locate_error(gd_error *err, const char *path, const gd_override *ov,
                              size_t n);

#endif
