/* design_text.c - a sweep's designs as text: the output's attribute and dry-run's table.
 *
 * Both walk the sections' sampled keys in section (file) order, then key (spec) order,
 * which is the order of the design's coordinates. */
#include "grid_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESIGN_LINE_MAX 1024

static const char *const scramble_names[GD_SAMPLER_COUNT] = {
    "random digital shift (XOR of one 32-bit word per coordinate)",
    "random digital shift (each base-p digit plus a random digit, mod p)", "none (Philox)",
    "none", "none"};

/* One section with a design: its kind, label and dims. */
typedef struct design_section {
    const char *kind, *label;
    const gd_dim *dims;
    size_t n;
    const gd_design *design;
} design_section;

/* Section i of the sweep's problem sections followed by its optimizer sections. */
static design_section section_at(const gd_sweep *s, size_t i)
{
    if (i < s->n_problems) {
        const gd_problem_layout *pl = s->problems[i].layout;
        return (design_section){"problem", s->problems[i].label, pl->dims, pl->n_type_dims,
                                pl->design};
    }
    const gd_optimizer_layout *ol = s->optimizers[i - s->n_problems].layout;
    return (design_section){"optimizer", s->optimizers[i - s->n_problems].label, ol->dims,
                            ol->n_dims, ol->design};
}

/* The first design of the sweep, or NULL: every design shares sampler and N. */
static const gd_design *any_design(const gd_sweep *s)
{
    for (size_t i = 0; i < s->n_problems + s->n_optimizers; i++)
        if (section_at(s, i).design)
            return section_at(s, i).design;
    return NULL;
}

/* Appends text to *buf (grown as needed); -1 when out of memory. */
static int append(char **buf, size_t *len, const char *text)
{
    size_t n = strlen(text);
    char *more = realloc(*buf, *len + n + 1);
    if (!more)
        return -1;
    memcpy(more + *len, text, n + 1);
    *buf = more;
    *len += n;
    return 0;
}

char *gd_sweep_designs_text(const gd_sweep *s)
{
    const gd_design *first = any_design(s);
    char line[DESIGN_LINE_MAX], dist[DESIGN_LINE_MAX / 2];
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;
    if (!first)
        return NULL;
    snprintf(line, sizeof line, "sampler\t%s\nsamples\t%llu\nscramble\t%s\n",
             gd_sampler_names[first->sampler], (unsigned long long)first->n,
             scramble_names[first->sampler]);
    rc |= append(&buf, &len, line);
    for (size_t i = 0; i < s->n_problems + s->n_optimizers; i++) {
        design_section d = section_at(s, i);
        for (size_t k = 0; d.design && k < d.n; k++) {
            const gd_sample *sm = d.dims[k].sample;
            if (!sm)
                continue;
            gd_grid_sample_describe(sm, d.dims[k].spec, dist, sizeof dist);
            snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t%zu\n", d.kind, d.label,
                     d.dims[k].spec->key, dist, sm->index);
            rc |= append(&buf, &len, line);
        }
    }
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* One value of a key for the table: a choice's name, else %.6g. */
static void print_value(FILE *out, const gd_param_spec *spec, double v)
{
    if (spec->kind == GD_CHOICE)
        fprintf(out, " %14s", spec->choices[(size_t)v]);
    else
        fprintf(out, " %14.6g", v);
}

static void print_design(FILE *out, const design_section *d, uint64_t points)
{
    char dist[DESIGN_LINE_MAX / 2];
    fprintf(out, "design of [%s %s]: %s, %llu points, scramble: %s\n", d->kind, d->label,
            gd_sampler_names[d->design->sampler], (unsigned long long)d->design->n,
            scramble_names[d->design->sampler]);
    for (size_t k = 0; k < d->n; k++)
        if (d->dims[k].sample) {
            gd_grid_sample_describe(d->dims[k].sample, d->dims[k].spec, dist, sizeof dist);
            fprintf(out, "  %-14s %s\n", d->dims[k].spec->key, dist);
        }
    fprintf(out, "  %-6s", "point");
    for (size_t k = 0; k < d->n; k++)
        if (d->dims[k].sample)
            fprintf(out, " %14s", d->dims[k].spec->key);
    for (uint64_t i = 0; i < points && i < d->design->n; i++) {
        fprintf(out, "\n  %-6llu", (unsigned long long)i);
        for (size_t k = 0; k < d->n; k++)
            if (d->dims[k].sample)
                print_value(out, d->dims[k].spec, gd_grid_sample_value(d->dims[k].sample, i));
    }
    fprintf(out, "\n");
}

void gd_print_designs(FILE *out, const gd_sweep *s, uint64_t points)
{
    for (size_t i = 0; i < s->n_problems + s->n_optimizers; i++) {
        design_section d = section_at(s, i);
        if (d.design)
            print_design(out, &d, points);
    }
}
