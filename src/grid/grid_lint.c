/* grid_lint.c - warnings about a valid grid that likely means something else (run_space.h).
 *
 * Two mistakes pass every check of the grid: logspace(1e-3, 1e-1, 3), which is
 * 10^0.001 .. 10^0.1 (logspace takes exponents), and a schedule key given to an optimizer
 * section whose schedules ignore it (decay_steps with schedule = constant). The first
 * needs the text as written, so the grid text is read raw again; the second the
 * section's schedule values. Nothing here fails: a warning is one line on out. */
#include "grid_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const section_kinds[] = {"sweep", "problem", "optimizer"};

/* ---- logspace endpoints that look like values ------------------------------------------ */

typedef struct item_walk {
    FILE *out;
    const gd_grid_section *sec;
    const gd_grid_entry *e;
    size_t warned;
} item_walk;

/* "logspace(a, b, n)" into a, b and n's text; 0 when item is something else. */
static int logspace_args(const char *item, size_t len, double *a, double *b, char *n,
                         size_t n_size)
{
    static const char head[] = "logspace(";
    if (len < sizeof head || strncmp(item, head, sizeof head - 1) != 0 || item[len - 1] != ')')
        return 0;
    char args[256];
    size_t args_len = len - sizeof head;
    if (args_len >= sizeof args)
        return 0;
    memcpy(args, item + sizeof head - 1, args_len);
    args[args_len] = '\0';
    char *end;
    *a = strtod(args, &end);
    if (*end != ',')
        return 0;
    *b = strtod(end + 1, &end);
    if (*end != ',')
        return 0;
    snprintf(n, n_size, "%s", end + 1 + strspn(end + 1, " \t"));
    return 1;
}

static int looks_like_a_value(double x)
{
    return x != 0 && fabs(x) < 1;
}

static int check_item(const char *item, size_t len, void *ctx)
{
    item_walk *w = ctx;
    double a, b;
    char n[64], meant[160] = "";
    if (!logspace_args(item, len, &a, &b, n, sizeof n) || !looks_like_a_value(a) ||
        !looks_like_a_value(b))
        return 0;
    if (a > 0 && b > 0)
        snprintf(meant, sizeof meant, "; did you mean logspace(%.6g, %.6g, %s)?", log10(a),
                 log10(b), n);
    fprintf(w->out, "gdsweep: warning: [%s%s%s] %s: %.*s is 10^%.6g .. 10^%.6g = %.6g .. "
            "%.6g, not %.6g .. %.6g: logspace takes exponents: logspace(-3, -1, 3) = "
            "0.001, 0.01, 0.1%s\n", section_kinds[w->sec->kind], w->sec->label[0] ? " " : "",
            w->sec->label, w->e->key, (int)len, item, a, b, pow(10, a), pow(10, b), a, b,
            meant);
    w->warned++;
    return 0;
}

static size_t logspace_warnings(FILE *out, const gd_sweep *s)
{
    gd_grid_raw raw;
    gd_error ignored;
    if (gd_grid_read(&raw, s->path, s->text, s->text_len, &ignored) != 0)
        return 0;
    item_walk w = {.out = out};
    for (size_t i = 0; i < raw.n_sections; i++)
        for (size_t j = 0; j < raw.sections[i].n_entries; j++) {
            w.sec = &raw.sections[i];
            w.e = &w.sec->entries[j];
            gd_grid_split(w.e->value, w.e->key, check_item, &w, &ignored);
        }
    gd_grid_raw_free(&raw);
    return w.warned;
}

/* ---- schedule keys that the section's schedules ignore --------------------------------- */

/* How many of the schedules in `schedules` read key; the first that does not, in *idle. */
static size_t readers(const gd_dim *schedules, const char *key, const char **idle)
{
    size_t n = 0;
    *idle = NULL;
    for (size_t i = 0; i < gd_grid_dim_listed(schedules); i++) { /* sampled: its choices */
        const gd_schedule_type *t = gd_schedules[(size_t)schedules->values[i]];
        if (gd_param_find(t->params, key) >= 0)
            n++;
        else if (!*idle)
            *idle = t->name;
    }
    return n;
}

static size_t schedule_key_warnings(FILE *out, const gd_sweep *s, size_t o)
{
    const gd_optimizer_section *os = &s->optimizers[o];
    const gd_optimizer_layout *ol = os->layout;
    const gd_dim *schedules = &ol->dims[ol->n_opt_dims];
    size_t warned = 0;
    for (size_t k = ol->n_opt_dims + 1; k < ol->n_dims; k++) {
        const gd_dim *d = &ol->dims[k];
        const char *idle;
        size_t n = readers(schedules, d->spec->key, &idle);
        if (!d->line || (n && (!idle || d->count < 2)))
            continue;
        if (!n)
            fprintf(out, "gdsweep: warning: [optimizer %s] %s is ignored: no schedule of the "
                    "section reads it (schedule = %s%s); set a schedule that does (gdsweep "
                    "--list) or remove it\n", os->label, d->spec->key, idle,
                    schedules->count > 1 ? ", ..." : "");
        else
            fprintf(out, "gdsweep: warning: [optimizer %s] %s lists %zu values, which "
                    "multiply the runs of schedule %s, which ignores it (identical runs); "
                    "put that schedule in an optimizer section of its own\n", os->label,
                    d->spec->key, d->count, idle);
        warned++;
    }
    return warned;
}

size_t gd_sweep_print_warnings(FILE *out, const gd_sweep *s)
{
    size_t warned = logspace_warnings(out, s);
    for (size_t o = 0; o < s->n_optimizers; o++)
        warned += schedule_key_warnings(out, s, o);
    return warned;
}
