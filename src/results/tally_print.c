/* tally_print.c - the table of best runs, for a terminal or as CSV (see gdsweep/tally.h).
 *
 * Each line is first laid out as text fields (one function for both forms, so the
 * terminal and the CSV show the same values), then printed padded or comma-separated.
 * CSV fields need no quoting: labels are letters, digits, '_', '-' and '.', choices are
 * registry names, and lists inside a field are separated by blanks. The swept values of
 * a best run come from decoding its id and filling a runs-table row, so they are named
 * and written as in the file. Lines go setting by setting (the problem values that
 * define it), each optimizer with its rank there. Printing allocates nothing beyond the
 * stack. */
#include "gdsweep/tally.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 512
/* problem .. gap, metrics, steps to target, params, final x */
#define FIXED_FIELDS 13
#define MAX_FIELDS (FIXED_FIELDS + 16 + 3)
/* Significant digits on a terminal; 0: exact. */
#define TERMINAL_DIGITS 6

typedef struct table_line {
    size_t n;
    char field[MAX_FIELDS][FIELD_MAX];
    char left[MAX_FIELDS];  /* 1: text, aligned left on a terminal */
} table_line;

typedef struct head {
    const char *terminal, *csv; /* terminal NULL: a CSV-only field */
    int left;     /* text, aligned left */
} head;

static const head fixed_heads[FIXED_FIELDS] = {
    {"problem", "problem", 1},     {"settings", "settings", 1}, {"optimizer", "optimizer", 1},
    {"rank", "rank", 0},           {NULL, "ranked_by", 1},      {"runs", "runs", 0},
    {"conv", "converged", 0},      {"budget", "max_iter", 0},   {"div", "diverged", 0},
    {"best run", "best_run", 0},   {"steps", "steps", 0},       {"final loss", "loss_final", 0},
    {"gap", "gap", 0},
};
static const head params_head = {"params", "params", 1}, x_head = {"final x", "final_x", 1};

/* ---- numbers and swept values --------------------------------------------------------- */

/* v with `digits` significant digits, or the fewest that read back to v (digits 0). */
static void format_number(double v, int digits, char *buf, size_t size)
{
    if (digits > 0) {
        snprintf(buf, size, "%.*g", digits, v);
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static size_t index_of(const void *const *reg, const void *item)
{
    for (size_t i = 0; reg[i]; i++)
        if (reg[i] == item)
            return i;
    return SIZE_MAX;
}

typedef struct swept_list {
    size_t n;
    size_t col[3 * GD_MAX_PARAMS + GD_CONTROL_COUNT + 2];
    const char *file[3 * GD_MAX_PARAMS + GD_CONTROL_COUNT + 2]; /* a file key's name (its
                                                                  * column holds an index) */
} swept_list;

static void push_file(swept_list *l, size_t col, int swept, const char *file)
{
    if (col != SIZE_MAX && swept && l->n < sizeof l->col / sizeof l->col[0]) {
        l->file[l->n] = file;
        l->col[l->n++] = col;
    }
}

static void push(swept_list *l, size_t col, int swept)
{
    push_file(l, col, swept, NULL);
}

static size_t named(const gd_columns *c, const char *name)
{
    int i = gd_columns_find(c, name);
    return i < 0 ? SIZE_MAX : (size_t)i;
}

/* Columns of the problem keys d's problem section sweeps: its problem setting (a file
 * key by its file's name). */
static void problem_swept(const gd_tally *t, const gd_run_desc *d, swept_list *l)
{
    const gd_columns *c = &t->cols;
    const gd_problem_type *type = t->sweep->problems[d->problem].type;
    size_t ti = index_of((const void *const *)c->reg.problems, type);
    size_t n_keys = gd_param_count(type->params);
    for (size_t k = 0; ti != SIZE_MAX && k < n_keys; k++)
        push_file(l, c->problem_col[ti * GD_MAX_PARAMS + k],
                  gd_space_key_swept(t->sweep, d, GD_KEYS_PROBLEM, k),
                  gd_param_is_text(type->params[k].kind)
                      ? gd_sweep_file_name(t->sweep, d->problem_params[k])
                      : NULL);
}

/* Columns of the control keys d's problem section sweeps, and the repeat. */
static void control_swept(const gd_tally *t, const gd_run_desc *d, swept_list *l)
{
    const gd_columns *c = &t->cols;
    for (size_t k = 0; k < GD_CONTROL_COUNT; k++)
        push(l, c->control_col[k], gd_space_key_swept(t->sweep, d, GD_KEYS_CONTROL, k));
    push(l, named(c, "repeat"), t->sweep->repeats > 1);
}

/* Columns of the keys d's optimizer section sweeps: its keys, the schedule, and the keys
 * of d's schedule (other schedules' keys do not apply to this run). */
static void optimizer_swept(const gd_tally *t, const gd_run_desc *d, swept_list *l)
{
    const gd_columns *c = &t->cols;
    const gd_sweep *s = t->sweep;
    const gd_optimizer_type *type = s->optimizers[d->optimizer].type;
    size_t ti = index_of((const void *const *)c->reg.optimizers, type);
    for (size_t k = 0; ti != SIZE_MAX && k < GD_MAX_PARAMS; k++)
        push(l, c->optimizer_col[ti * GD_MAX_PARAMS + k],
             gd_space_key_swept(s, d, GD_KEYS_OPTIMIZER, k));
    push(l, named(c, "schedule"), gd_space_key_swept(s, d, GD_KEYS_SCHEDULE, 0));
    size_t si = index_of((const void *const *)c->reg.schedules, d->schedule);
    for (size_t j = 0; si != SIZE_MAX && j < GD_MAX_PARAMS; j++)
        push(l, c->schedule_col[si * GD_MAX_PARAMS + j],
             gd_space_key_swept(s, d, GD_KEYS_SCHEDULE_PARAM, j));
}

static void append(char *buf, size_t size, size_t *used, const char *text)
{
    int n = snprintf(buf + *used, size - *used, "%s", text);
    if (n < 0 || (size_t)n >= size - *used) {
        if (size >= 4)
            memcpy(buf + size - 4, "...", 4);
        *used = size - 1;
        return;
    }
    *used += (size_t)n;
}

void gd_tally_swept(const gd_tally *t, uint64_t id, int problem, int digits, char *buf,
                    size_t size)
{
    gd_run_desc d;
    gd_run_result zero;
    gd_row_storage nowhere;
    swept_list l = {0};
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    if (id >= t->sweep->n_runs)
        return;
    memset(&zero, 0, sizeof zero);
    memset(&nowhere, 0, sizeof nowhere);
    gd_sweep_decode(t->sweep, id, &d);
    gd_columns_fill_row(&t->cols, t->sweep, &d, &zero, &nowhere, t->row);
    if (problem) {
        problem_swept(t, &d, &l);
    } else {
        control_swept(t, &d, &l);
        optimizer_swept(t, &d, &l);
    }
    for (size_t i = 0; i < l.n && used + 1 < size; i++) {
        char value[FIELD_MAX];
        if (l.file[i])
            snprintf(value, sizeof value, "%s", l.file[i]);
        else if (t->cols.col[l.col[i]].type == GD_COL_STR)
            gd_columns_text(&t->cols, l.col[i], t->row, value, sizeof value);
        else
            format_number(gd_columns_number(&t->cols, l.col[i], t->row), digits, value,
                          sizeof value);
        append(buf, size, &used, i ? " " : "");
        append(buf, size, &used, t->cols.col[l.col[i]].name);
        append(buf, size, &used, "=");
        append(buf, size, &used, value);
    }
}

/* ---- metric columns ----------------------------------------------------------------- */

static int type_used(const gd_sweep *s, const gd_problem_type *pt)
{
    for (size_t p = 0; p < s->n_problems; p++)
        if (s->problems[p].type == pt)
            return 1;
    return 0;
}

static const char *used_metric(const gd_tally *t, size_t ti)
{
    const gd_problem_type *pt = t->cols.reg.problems[ti];
    return pt->metric_name && type_used(t->sweep, pt) ? pt->metric_name : NULL;
}

/* Registry type ti heads a metric column: the first type the sweep uses with that
 * metric name. */
static int heads_metric(const gd_tally *t, size_t ti)
{
    const char *name = used_metric(t, ti);
    for (size_t j = 0; name && j < ti; j++)
        if (used_metric(t, j) && strcmp(used_metric(t, j), name) == 0)
            return 0;
    return name != NULL;
}

/* ---- lines ------------------------------------------------------------------------- */

static char *next_field(table_line *line, int left)
{
    size_t i = line->n < MAX_FIELDS ? line->n++ : MAX_FIELDS - 1;
    line->left[i] = (char)left;
    line->field[i][0] = '\0';
    return line->field[i];
}

static void add_text(table_line *line, const char *text)
{
    snprintf(next_field(line, 1), FIELD_MAX, "%s", text);
}

static void add_count(table_line *line, uint64_t v)
{
    snprintf(next_field(line, 0), FIELD_MAX, "%llu", (unsigned long long)v);
}

/* A count or id, or "-" (terminal) / "" (CSV) when there is none. */
static void add_whole(table_line *line, uint64_t v, int present, int csv)
{
    if (present)
        add_count(line, v);
    else
        snprintf(next_field(line, 0), FIELD_MAX, "%s", csv ? "" : "-");
}

/* A number, or "-" (terminal) / "" (CSV) when unknown or absent. */
static void add_number(table_line *line, double v, int present, int csv)
{
    char *f = next_field(line, 0);
    if (present && !isnan(v))
        format_number(v, csv ? 0 : TERMINAL_DIGITS, f, FIELD_MAX);
    else if (!csv)
        snprintf(f, FIELD_MAX, "-");
}

/* A column heading, aligned as its column. */
static void add_head(table_line *line, const char *text, int left)
{
    snprintf(next_field(line, left), FIELD_MAX, "%s", text);
}

static void header_line(const gd_tally *t, int csv, table_line *line)
{
    char target[64];
    line->n = 0;
    for (size_t i = 0; i < FIXED_FIELDS; i++)
        if (csv || fixed_heads[i].terminal)
            add_head(line, csv ? fixed_heads[i].csv : fixed_heads[i].terminal,
                     fixed_heads[i].left);
    for (size_t ti = 0; ti < t->cols.n_problem_types; ti++)
        if (heads_metric(t, ti))
            add_head(line, used_metric(t, ti), 0);
    const char *column = gd_target_column_name(GD_TARGET_STEPS, t->ranking.target);
    snprintf(target, sizeof target, "to 1e-%zu", t->ranking.target + 1);
    add_head(line, csv ? column : target, 0);
    add_text(line, csv ? params_head.csv : params_head.terminal);
    add_text(line, csv ? x_head.csv : x_head.terminal);
}

static void final_x(const gd_tally_cell *c, int csv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; c->has_best && k < c->best_dim; k++) {
        char v[64];
        format_number(c->best_x[k], csv ? 0 : TERMINAL_DIGITS, v, sizeof v);
        append(buf, size, &used, k ? (csv ? " " : ", ") : "");
        append(buf, size, &used, v);
    }
}

/* The first run id of group g of section p (its setting's first instance). */
static uint64_t group_first_run(const gd_tally *t, size_t p, size_t g)
{
    return gd_space_group_first(t->sweep, p, GD_SPACE_SETTING, g - t->first_group[p]);
}

/* The problem setting of group g of section p: "lambda=0.5", "" when the section sweeps
 * no problem key, "(all N settings)" when it has too many to tally apart. */
static void settings_text(const gd_tally *t, size_t p, size_t g, int csv, char *buf)
{
    uint64_t settings = gd_space_groups(t->sweep, p, GD_SPACE_SETTING);
    if (gd_tally_section_groups(t, p) == 1 && settings > 1)
        snprintf(buf, FIELD_MAX, "(all %llu settings)", (unsigned long long)settings);
    else
        gd_tally_swept(t, group_first_run(t, p, g), 1, csv ? 0 : TERMINAL_DIGITS, buf,
                       FIELD_MAX);
}

static void add_metrics(const gd_tally *t, const gd_tally_cell *c, size_t p, int csv,
                        table_line *line)
{
    const gd_problem_type *pt = t->sweep->problems[p].type;
    for (size_t ti = 0; ti < t->cols.n_problem_types; ti++)
        if (heads_metric(t, ti))
            add_number(line, c->best_metric,
                       c->has_best && pt->metric_name &&
                           strcmp(pt->metric_name, used_metric(t, ti)) == 0,
                       csv);
}

static void cell_line(const gd_tally *t, size_t p, size_t g, size_t o, int csv,
                      table_line *line)
{
    const gd_tally_cell *c = gd_tally_at(t, g, o);
    int best = c->has_best;
    char ranked_by[256];
    line->n = 0;
    add_text(line, t->sweep->problems[p].label);
    settings_text(t, p, g, csv, next_field(line, 1));
    add_text(line, t->sweep->optimizers[o].label);
    add_whole(line, gd_tally_rank(t, g, o), best, csv);
    if (csv) {
        const gd_ranking *rule = gd_tally_ranking_of(t, p);
        gd_ranking_describe(rule, ranked_by, sizeof ranked_by);
        add_text(line, rule->column[0] ? ranked_by : "default");
    }
    add_count(line, c->runs);
    add_count(line, c->converged);
    add_count(line, c->max_iter);
    add_count(line, c->diverged);
    add_whole(line, c->best.id, best, csv);
    add_whole(line, (uint64_t)c->best.steps, best, csv);
    add_number(line, c->best.loss, best, csv);
    add_number(line, c->best.gap, best, csv);
    add_metrics(t, c, p, csv, line);
    add_whole(line, (uint64_t)c->fewest_to, c->fewest_to >= 0, csv);
    char *params = next_field(line, 1);
    if (best)
        gd_tally_swept(t, c->best.id, 0, csv ? 0 : TERMINAL_DIGITS, params, FIELD_MAX);
    else if (!csv)
        snprintf(params, FIELD_MAX, "(all diverged)");
    final_x(c, csv, next_field(line, 1), FIELD_MAX);
}

/* ---- printing ------------------------------------------------------------------------ */

static void print_csv_line(FILE *out, const table_line *line)
{
    for (size_t i = 0; i < line->n; i++)
        fprintf(out, "%s%s", i ? "," : "", line->field[i]);
    fputc('\n', out);
}

static void print_padded(FILE *out, const table_line *line, const size_t *width)
{
    size_t last = line->n;
    while (last > 0 && line->field[last - 1][0] == '\0')
        last--;
    for (size_t i = 0; i < last; i++) {
        int w = (int)width[i], left = line->left[i];
        if (i + 1 == last && left)
            w = 0;
        fprintf(out, i ? "  %*s" : "%*s", left ? -w : w, line->field[i]);
    }
    fputc('\n', out);
}

static void widen(size_t *width, const table_line *line)
{
    for (size_t i = 0; i < line->n; i++) {
        size_t n = strlen(line->field[i]);
        width[i] = n > width[i] ? n : width[i];
    }
}

typedef struct printer {
    FILE *out;
    int csv, measuring;
    size_t lines, max_lines;  /* printed so far, and the most to print */
    size_t width[MAX_FIELDS];
    table_line line;
} printer;

static void emit(printer *pr)
{
    if (pr->lines++ >= pr->max_lines)
        return;
    if (pr->measuring)
        widen(pr->width, &pr->line);
    else if (pr->csv)
        print_csv_line(pr->out, &pr->line);
    else
        print_padded(pr->out, &pr->line, pr->width);
}

/* Every (setting, optimizer) line with runs, section by section, setting by setting. */
static void emit_cells(const gd_tally *t, printer *pr)
{
    const gd_sweep *s = t->sweep;
    for (size_t p = 0; p < s->n_problems; p++)
        for (size_t g = t->first_group[p]; g < t->first_group[p] + gd_tally_section_groups(t, p);
             g++)
            for (size_t o = 0; o < s->n_optimizers; o++)
                if (gd_tally_at(t, g, o)->runs) {
                    cell_line(t, p, g, o, pr->csv, &pr->line);
                    emit(pr);
                }
}

static int all_ranked_by_column(const gd_tally *t)
{
    for (size_t p = 0; p < t->sweep->n_problems; p++)
        if (!t->by_column[p])
            return 0;
    return 1;
}

/* The header and a line per cell with runs; the terminal form first measures every line
 * for the column widths. Lines are built twice rather than kept: this keeps them off the
 * heap whatever the number of settings. */
static void print_table(const gd_tally *t, FILE *out, int csv)
{
    printer pr = {.out = out, .csv = csv};
    char ranked_by[256];
    gd_ranking_describe(&t->ranking, ranked_by, sizeof ranked_by);
    pr.max_lines = csv ? SIZE_MAX : GD_TALLY_LINES_MAX + 1;
    if (!csv)
        fprintf(out, "best run per optimizer within each problem setting, ranked by %s%s; "
                "ties: fewer steps, then lower run id\n", ranked_by,
                t->ranking.column[0] && !all_ranked_by_column(t)
                    ? " (problems where it has no value: the default rule)" : "");
    for (pr.measuring = !csv; pr.measuring >= 0; pr.measuring--) {
        pr.lines = 0;
        header_line(t, csv, &pr.line);
        emit(&pr);
        emit_cells(t, &pr);
    }
    if (pr.lines > pr.max_lines)
        fprintf(out, "... %zu more lines: `gdsweep summary FILE --csv` lists them all\n",
                pr.lines - pr.max_lines);
}

void gd_tally_print(const gd_tally *t, FILE *out)
{
    print_table(t, out, 0);
}

void gd_tally_print_csv(const gd_tally *t, FILE *out)
{
    print_table(t, out, 1);
}
