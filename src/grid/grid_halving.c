/* grid_halving.c - [sweep] halving = ETA and rungs = B1, B2, ...: successive halving's keys.
 *
 * Both keys or neither. ETA is a whole number >= 2; the rungs are at least two strictly
 * increasing positive iteration budgets. The rungs set every run's budget, so the control
 * key iterations is given nowhere in such a grid. Errors name the file and line (usage). */
#include "grid_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The largest budget of a rung: the control key iterations' bound (2^53). */
#define RUNG_MAX 9007199254740992.0

static const gd_grid_entry *sweep_entry(const gd_grid_raw *raw, const char *key)
{
    const gd_grid_entry *found = NULL, *e;
    for (size_t i = 0; i < raw->n_sections; i++)
        if (raw->sections[i].kind == GD_SECTION_SWEEP &&
            (e = gd_grid_entry_find(&raw->sections[i], key)))
            found = e;
    return found;
}

static int read_eta(gd_sweep *s, const gd_grid_entry *e, gd_error *err)
{
    char *end;
    errno = 0;
    unsigned long long eta = strtoull(e->value, &end, 10);
    if (e->value[0] < '0' || e->value[0] > '9' || *end || errno == ERANGE || eta < 2)
        return gd_grid_fail_at(err, s->path, e->line, "halving '%s'; write a whole number "
                               ">= 2 (the share of runs kept at each rung is 1/halving)",
                               e->value);
    s->halving = eta;
    return 0;
}

/* One budget of the list at *p (advanced past it and its comma). */
static int read_rung(gd_sweep *s, const gd_grid_entry *e, const char **p, gd_error *err)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
    char *end;
    errno = 0;
    double v = strtod(*p, &end);
    long prev = s->n_rungs ? s->rungs[s->n_rungs - 1] : 0;
    if (end == *p || errno == ERANGE || !(v >= 1 && v <= RUNG_MAX) || v != (double)(long)v ||
        (long)v <= prev || s->n_rungs == GD_RUNGS_MAX)
        return gd_grid_fail_at(err, s->path, e->line, "rungs '%s'; write at most %d strictly "
                               "increasing whole iteration budgets >= 1, as 100, 300, 900",
                               e->value, GD_RUNGS_MAX);
    s->rungs[s->n_rungs++] = (long)v;
    while (*end == ' ' || *end == '\t')
        end++;
    *p = *end == ',' ? end + 1 : end;
    return 0;
}

static int read_rungs(gd_sweep *s, const gd_grid_entry *e, gd_error *err)
{
    const char *p = e->value;
    while (*p)
        if (read_rung(s, e, &p, err) < 0)
            return -1;
    if (s->n_rungs < 2)
        return gd_grid_fail_at(err, s->path, e->line, "rungs '%s'; give at least two budgets, "
                               "as 100, 300, 900", e->value);
    s->rung_budget = s->rungs[s->n_rungs - 1];
    return 0;
}

/* The rungs set every budget: an `iterations` key anywhere is refused. */
static int refuse_iterations(const gd_sweep *s, const gd_grid_raw *raw, gd_error *err)
{
    for (size_t i = 0; i < raw->n_sections; i++) {
        const gd_grid_entry *e = gd_grid_entry_find(&raw->sections[i], "iterations");
        if (e)
            return gd_grid_fail_at(err, s->path, e->line, "iterations with [sweep] halving; "
                                   "remove it: the rungs are the budgets (the last rung is "
                                   "the full budget)");
    }
    return 0;
}

int gd_grid_halving_read(gd_sweep *s, const gd_grid_raw *raw, gd_error *err)
{
    const gd_grid_entry *eta = sweep_entry(raw, "halving"), *rungs = sweep_entry(raw, "rungs");
    if (!eta && !rungs)
        return 0;
    if (!eta || !rungs)
        return gd_grid_fail_at(err, s->path, (eta ? eta : rungs)->line, "%s without %s; "
                               "successive halving takes both, as halving = 3 and rungs = "
                               "100, 300, 900", eta ? "halving" : "rungs",
                               eta ? "rungs" : "halving");
    if (read_eta(s, eta, err) < 0 || read_rungs(s, rungs, err) < 0)
        return -1;
    return refuse_iterations(s, raw, err);
}
