/* list.c - `gdsweep --list`: walks the registries and prints every type and key. */
#include "gdsweep/report.h"

#include "gdsweep/optimizer.h"
#include "gdsweep/problem.h"
#include "gdsweep/schedule.h"

static void print_default(FILE *out, const gd_param_spec *p)
{
    if (p->kind == GD_CHOICE)
        fprintf(out, "%-12s", p->choices[(int)p->def]);
    else
        fprintf(out, "%-12.6g", p->def);
}

static void print_params(FILE *out, const gd_param_spec *params)
{
    for (const gd_param_spec *p = params; p && p->key; p++) {
        char range[256];
        gd_param_range_text(p, range, sizeof range);
        fprintf(out, "    %-14s ", p->key);
        print_default(out, p);
        fprintf(out, " %-22s %s\n", range, p->doc);
    }
}

static void print_type(FILE *out, const char *name, const char *doc, const gd_param_spec *ps)
{
    fprintf(out, "  %s - %s\n", name, doc);
    print_params(out, ps);
}

void gd_print_list(FILE *out)
{
    fputs("Keys are shown as: key  default  valid range  meaning.\n\noptimizers "
          "([optimizer LABEL] sections, type = NAME):\n", out);
    for (const gd_optimizer_type *const *o = gd_optimizers; *o; o++)
        print_type(out, (*o)->name, (*o)->doc, (*o)->params);
    fputs("\nschedules (optimizer key `schedule = NAME`; their keys go in the optimizer "
          "section):\n", out);
    for (const gd_schedule_type *const *s = gd_schedules; *s; s++)
        print_type(out, (*s)->name, (*s)->doc, (*s)->params);
    fputs("\nproblems ([problem LABEL] sections, type = NAME):\n", out);
    for (const gd_problem_type *const *p = gd_problems; *p; p++)
        print_type(out, (*p)->name, (*p)->doc, (*p)->params);
    fputs("\nrun control (any [problem] section, or [sweep] as the default for all):\n", out);
    print_params(out, gd_control_params);
}
