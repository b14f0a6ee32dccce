/* grid_link.c - cross-section checks and run counts of a built sweep.
 *
 * Resolves `problems =` into the applies matrix, counts the runs of each problem
 * section in the documented order (grid.h), refuses counts past 2^64-1 and, without
 * allow_huge, past GD_HUGE_GRID, then runs the problem types' check() and the
 * numeric-gradient dimension limit on the corners of the problem-type values (each key's
 * smallest and largest), which stands for every combination (check_problem): the cost
 * follows the grid's text, never its run count. */
#include "grid_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values per key that check_problem looks at: 2 for numbers, the choices for a choice. */
#define CORNER_VALUES_MAX 64

/* Problem labels sorted, so that each `problems =` label is found in log time (a linear
 * search per label was quadratic in the grid's text). */
typedef struct labelled {
    const char *label;
    size_t problem;
} labelled;

static int by_label(const void *a, const void *b)
{
    return strcmp(((const labelled *)a)->label, ((const labelled *)b)->label);
}

static labelled *sorted_problems(const gd_sweep *s)
{
    labelled *all = malloc(s->n_problems * sizeof *all);
    for (size_t p = 0; all && p < s->n_problems; p++)
        all[p] = (labelled){s->problems[p].label, p};
    if (all)
        qsort(all, s->n_problems, sizeof *all, by_label);
    return all;
}

static int find_problem(const gd_sweep *s, const labelled *sorted, const char *label)
{
    labelled key = {label, 0};
    const labelled *hit = bsearch(&key, sorted, s->n_problems, sizeof key, by_label);
    return hit ? (int)hit->problem : -1;
}

static int unknown_label(const gd_sweep *s, int line, const char *label, gd_error *err)
{
    char known[512];
    size_t used = 0;
    known[0] = '\0';
    for (size_t p = 0; p < s->n_problems && used < sizeof known; p++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", p ? ", " : "",
                                 s->problems[p].label);
    return gd_grid_fail_at(err, s->path, line, "problems: no [problem %s] section; use the "
                           "labels of problem sections: %s", label, known);
}

/* Sets row o of the applies matrix from the optimizer's `problems =`. */
static int resolve_optimizer(gd_sweep *s, size_t o, const gd_grid_section *sec,
                             const labelled *sorted, gd_error *err)
{
    const gd_optimizer_section *os = &s->optimizers[o];
    int any = 0;
    for (size_t p = 0; p < s->n_problems; p++)
        if (!os->problems) {
            s->layout->applies[p * s->n_optimizers + o] = 1;
            any = 1;
        }
    for (size_t i = 0; i < os->n_problems; i++) {
        int p = find_problem(s, sorted, os->problems[i]);
        if (p < 0)
            return unknown_label(s, gd_grid_entry_find(sec, "problems")->line,
                                 os->problems[i], err);
        s->layout->applies[(size_t)p * s->n_optimizers + o] = 1;
        any = 1;
    }
    if (!any)
        return gd_grid_fail_at(err, s->path, os->line, "[optimizer %s] applies to no "
                               "problem; fix its problems = list", os->label);
    return 0;
}

static int resolve_applies(gd_sweep *s, const gd_grid_raw *raw, gd_error *err)
{
    labelled *sorted = sorted_problems(s);
    if (!sorted || !(s->layout->applies = calloc(s->n_problems * s->n_optimizers, 1))) {
        free(sorted);
        return gd_fail_runtime(err, "out of memory");
    }
    size_t o = 0;
    int rc = 0;
    for (size_t i = 0; i < raw->n_sections && rc == 0; i++)
        if (raw->sections[i].kind == GD_SECTION_OPTIMIZER)
            rc = resolve_optimizer(s, o++, &raw->sections[i], sorted, err);
    free(sorted);
    if (rc < 0)
        return -1;
    for (size_t p = 0; p < s->n_problems; p++) {
        const unsigned char *row = s->layout->applies + p * s->n_optimizers;
        if (!memchr(row, 1, s->n_optimizers))
            return gd_grid_fail_at(err, s->path, s->problems[p].line, "no optimizer applies "
                                   "to [problem %s]; list it in some optimizer's problems =",
                                   s->problems[p].label);
    }
    return 0;
}

static int too_large(const gd_sweep *s, int line, gd_error *err)
{
    return gd_grid_fail_at(err, s->path, line, "grid too large: more than 2^64-1 runs; "
                           "use fewer values");
}

/* type_combos, control_combos, optimizer_span and n_runs of one problem section. */
static int count_problem(const gd_sweep *s, size_t p, gd_error *err)
{
    gd_problem_section *ps = &s->problems[p];
    gd_problem_layout *pl = ps->layout;
    uint64_t span = 0, n;
    for (size_t o = 0; o < s->n_optimizers; o++)
        if (s->layout->applies[p * s->n_optimizers + o] &&
            gd_grid_add(span, s->optimizers[o].layout->combos, &span) < 0)
            return too_large(s, ps->line, err);
    pl->optimizer_span = span;
    if (gd_grid_combos(pl->dims, pl->n_type_dims, &pl->type_combos) < 0 ||
        gd_grid_combos(pl->dims + pl->n_type_dims, GD_CONTROL_COUNT, &pl->control_combos) < 0 ||
        gd_grid_mul(pl->type_combos, s->repeats, &n) < 0 ||
        gd_grid_mul(n, pl->control_combos, &n) < 0 || gd_grid_mul(n, span, &pl->n_runs) < 0)
        return too_large(s, ps->line, err);
    return 0;
}

static int count_runs(gd_sweep *s, int allow_huge, gd_error *err)
{
    for (size_t o = 0; o < s->n_optimizers; o++) {
        gd_optimizer_section *os = &s->optimizers[o];
        gd_optimizer_layout *ol = os->layout;
        if (gd_grid_combos(ol->dims, ol->n_dims, &ol->combos) < 0)
            return too_large(s, os->line, err);
    }
    uint64_t runs = 0, instances = 0;
    int huge_line = 0; /* the problem section whose runs pass GD_HUGE_GRID */
    for (size_t p = 0; p < s->n_problems; p++) {
        gd_problem_section *ps = &s->problems[p];
        gd_problem_layout *pl = ps->layout;
        if (count_problem(s, p, err) < 0)
            return -1;
        pl->first_run = runs;
        pl->first_instance = instances;
        if (gd_grid_add(runs, pl->n_runs, &runs) < 0)
            return too_large(s, ps->line, err);
        if (runs > GD_HUGE_GRID && !huge_line)
            huge_line = ps->line;
        instances += pl->type_combos * s->repeats; /* <= n_runs: cannot overflow */
    }
    s->n_runs = runs;
    s->n_instances = instances;
    if (runs > GD_HUGE_GRID && !allow_huge)
        return gd_grid_fail_at(err, s->path, huge_line, "the grid has %llu runs, more than "
                               "%llu (counted to this section); use fewer values or pass "
                               "--allow-huge if you mean it", (unsigned long long)runs,
                               (unsigned long long)GD_HUGE_GRID);
    return 0;
}

/* "key = value, ..." for one combination of problem-type values. */
static void values_text(const gd_sweep *s, const gd_problem_section *ps, const double *pp,
                        char *buf, size_t size)
{
    const gd_problem_layout *pl = ps->layout;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < pl->n_type_dims && used < size; i++) {
        const gd_param_spec *spec = pl->dims[i].spec;
        const char *sep = i ? ", " : "";
        if (spec->kind == GD_CHOICE)
            used += (size_t)snprintf(buf + used, size - used, "%s%s = %s", sep, spec->key,
                                     spec->choices[(size_t)pp[i]]);
        else if (gd_param_is_text(spec->kind))
            used += (size_t)snprintf(buf + used, size - used, "%s%s = %s", sep, spec->key,
                                     gd_sweep_file_name(s, pp[i]));
        else
            used += (size_t)snprintf(buf + used, size - used, "%s%s = %.12g", sep, spec->key,
                                     pp[i]);
    }
}

static int uses_numeric(const gd_problem_section *ps)
{
    const gd_problem_layout *pl = ps->layout;
    const gd_dim *grad = &pl->dims[pl->n_type_dims + GD_CONTROL_GRADIENT];
    for (size_t i = 0; i < grad->count; i++)
        if (grad->values[i] == 1)
            return 1;
    return 0;
}

int gd_grid_check_numeric_dimension(const gd_sweep *s, const gd_problem_section *ps,
                                    const gd_problem_files *files, const double *pp,
                                    gd_error *err)
{
    const gd_problem_type *t = ps->type;
    if (!t->dimension || !uses_numeric(ps) ||
        (files == GD_NO_FILES && gd_problem_names_a_file(t, pp)))
        return 0;
    size_t n = t->dimension(files, pp);
    if (n <= GD_NUMERIC_GRAD_MAX_DIM)
        return 0;
    char values[512];
    const gd_dim *grad = &ps->layout->dims[ps->layout->n_type_dims + GD_CONTROL_GRADIENT];
    values_text(s, ps, pp, values, sizeof values);
    return gd_grid_fail_at(err, s->path, grad->line ? grad->line : ps->line,
                           "[problem %s]: dimension %zu is more than %d with gradient = "
                           "numeric (with %s); use gradient = analytic", ps->label, n,
                           GD_NUMERIC_GRAD_MAX_DIM, values);
}

/* One combination of problem-type values: the type's own check, then the dimension
 * limit when some run of the section uses the numeric gradient. */
static int check_combo(const gd_sweep *s, const gd_problem_section *ps, const double *pp,
                       gd_error *err)
{
    const gd_problem_type *t = ps->type;
    char values[512];
    if (t->check && t->check(pp, err) < 0) {
        values_text(s, ps, pp, values, sizeof values);
        gd_error_prefix(err, "[problem %s]", ps->label);
        gd_error_append(err, "change these values: %s", values);
        return gd_grid_locate(err, s->path, ps->line);
    }
    return gd_grid_check_numeric_dimension(s, ps, GD_NO_FILES, pp, err);
}

/* The values of one key that the checks look at. */
typedef struct corner_values {
    double v[CORNER_VALUES_MAX];
    size_t n;
} corner_values;

static void add_corner_value(corner_values *c, double v)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] == v)
            return;
    if (c->n < CORNER_VALUES_MAX)
        c->v[c->n++] = v;
}

/* A number key's smallest and largest values; a choice key's distinct choices (at most
 * CORNER_VALUES_MAX: every choice list is shorter). One pass over the key's values (a
 * sampled key's bounds or choices: its values lie between them). */
static void corner_values_of(const gd_dim *dim, corner_values *c)
{
    double lo = dim->values[0], hi = dim->values[0];
    c->n = 0;
    for (size_t i = 0; i < gd_grid_dim_listed(dim); i++) {
        double v = dim->values[i];
        if (dim->spec->kind == GD_CHOICE)
            add_corner_value(c, v);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (dim->spec->kind != GD_CHOICE) {
        add_corner_value(c, lo);
        add_corner_value(c, hi);
    }
}

/* Checks the corners of the section's values: every combination of each number key's
 * smallest and largest value (and each choice key's choices), like an odometer (last key
 * fastest). A check accepts an interval of each key's values when the others are fixed
 * (the contract in problem.h, which the dimension limit meets too: dimensions grow with
 * their keys), so a combination that fails implies a corner that fails, and checking
 * the corners checks all type_combos combinations. Cost: one pass over the values plus
 * at most 2^GD_MAX_PARAMS cheap calls, whatever the run count. */
static int check_problem(const gd_sweep *s, const gd_problem_section *ps, gd_error *err)
{
    const gd_problem_layout *pl = ps->layout;
    int numeric = uses_numeric(ps);
    if (!ps->type->check && !(numeric && ps->type->dimension))
        return 0;
    corner_values corners[GD_MAX_PARAMS];
    size_t digit[GD_MAX_PARAMS] = {0};
    double pp[GD_MAX_PARAMS] = {0};
    for (size_t i = 0; i < pl->n_type_dims; i++) {
        corner_values_of(&pl->dims[i], &corners[i]);
        pp[i] = corners[i].v[0];
    }
    for (;;) {
        if (check_combo(s, ps, pp, err) < 0)
            return -1;
        size_t i = pl->n_type_dims;
        while (i-- > 0) {
            digit[i] = digit[i] + 1 == corners[i].n ? 0 : digit[i] + 1;
            pp[i] = corners[i].v[digit[i]];
            if (digit[i] != 0)
                break;
        }
        if (i == (size_t)-1)
            return 0;
    }
}

int gd_grid_link(gd_sweep *s, const gd_grid_raw *raw, int allow_huge, gd_error *err)
{
    if (resolve_applies(s, raw, err) < 0 || count_runs(s, allow_huge, err) < 0)
        return -1;
    for (size_t p = 0; p < s->n_problems; p++)
        if (check_problem(s, &s->problems[p], err) < 0 ||
            gd_grid_check_control(s, &s->problems[p], err) < 0)
            return -1;
    return 0;
}
