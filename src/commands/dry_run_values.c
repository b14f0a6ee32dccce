/* dry_run_values.c - `gdsweep --dry-run -v`: every section's keys with the values runs use.
 *
 * Per section, each key the grid sets or sweeps, with its values in run order: numbers in
 * their shortest form that reads back exactly, choices and names as words; a list longer
 * than LIST_HEAD + LIST_TAIL values shows its first and last values and its count. Keys
 * left at their default are not listed (`gdsweep --list` has the defaults). Then the
 * grid's warnings (gd_sweep_print_warnings) go to the warnings stream. */
#include "gdsweep/report.h"

#include <math.h>
#include <stdlib.h>

#define LIST_HEAD 6
#define LIST_TAIL 3

/* The shortest %g form of v that strtod reads back as v; whole numbers below 10^17 in
 * digits (10, not 1e+01). */
static void shortest(double v, char *buf, size_t size)
{
    int digits = 1;
    for (; digits < 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    int before_point = v != 0 ? (int)floor(log10(fabs(v))) + 1 : 1;
    if (before_point > digits && before_point <= 17)
        digits = before_point;
    snprintf(buf, size, "%.*g", digits, v);
}

static void print_value(FILE *out, const gd_sweep *s, const gd_param_spec *spec, double v)
{
    char number[40];
    if (spec->kind == GD_CHOICE)
        fputs(spec->choices[(size_t)v], out);
    else if (gd_param_is_text(spec->kind))
        fputs(v == GD_PATH_NONE ? "(none)" : gd_sweep_file_name(s, v), out);
    else {
        shortest(v, number, sizeof number);
        fputs(number, out);
    }
}

static void print_key(FILE *out, const gd_sweep *s, const gd_space_key *k)
{
    if (k->sampled[0]) {
        fprintf(out, "  %s = %s   (sampled: one coordinate of the section's design, above)\n",
                k->spec->key, k->sampled);
        return;
    }
    fprintf(out, "  %s = ", k->spec->key);
    for (size_t i = 0; i < k->count; i++) {
        if (k->count > LIST_HEAD + LIST_TAIL && i == LIST_HEAD) {
            fputs(", ...", out);
            i = k->count - LIST_TAIL;
        }
        fputs(i ? ", " : "", out);
        print_value(out, s, k->spec, k->values[i]);
    }
    fprintf(out, k->count > 1 ? "   (%zu values)\n" : "\n", k->count);
}

/* The keys of a section that the grid sets or sweeps. */
static void print_keys(FILE *out, const gd_sweep *s, int optimizer, size_t section)
{
    gd_space_key k;
    for (size_t i = 0; gd_space_section_key(s, optimizer, section, i, &k); i++)
        if (k.line || k.count > 1)
            print_key(out, s, &k);
}

void gd_print_dry_run_values(FILE *out, FILE *warnings, const gd_sweep *s)
{
    fprintf(out, "\nvalues of the keys the grid sets (the others take their defaults):\n"
            "[sweep] seed = %llu, repeats = %llu, record_every = %ld\n",
            (unsigned long long)s->seed, (unsigned long long)s->repeats, s->record_every);
    for (size_t p = 0; p < s->n_problems; p++) {
        fprintf(out, "[problem %s] type = %s\n", s->problems[p].label,
                s->problems[p].type->name);
        print_keys(out, s, 0, p);
    }
    for (size_t o = 0; o < s->n_optimizers; o++) {
        fprintf(out, "[optimizer %s] type = %s\n", s->optimizers[o].label,
                s->optimizers[o].type->name);
        print_keys(out, s, 1, o);
    }
    /* A section's further description (a sampled design's ranges and first points)
     * belongs with its keys above. */
    gd_sweep_print_warnings(warnings, s);
}
