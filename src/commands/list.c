/* list.c - `gdsweep --list`: walks the registries and prints every type and key. */
#include "gdsweep/report.h"

#include "gdsweep/optimizer.h"
#include "gdsweep/problem.h"
#include "gdsweep/schedule.h"

static void print_default(FILE *out, const gd_param_spec *p)
{
    if (p->kind == GD_CHOICE)
        fprintf(out, "%-12s", p->choices[(int)p->def]);
    else if (gd_param_is_text(p->kind))
        fprintf(out, "%-12s", "(none)");
    else
        fprintf(out, "%-12.6g", p->def);
}

/* model: bit k set when params[k] only defines the model (problems; marked "[model]"). */
static void print_params(FILE *out, const gd_param_spec *params, unsigned model)
{
    for (const gd_param_spec *p = params; p && p->key; p++) {
        char range[256];
        gd_param_range_text(p, range, sizeof range);
        fprintf(out, "    %-14s ", p->key);
        print_default(out, p);
        fprintf(out, " %-22s %s%s\n", range, model >> (p - params) & 1u ? "[model] " : "",
                p->doc);
    }
}

static void print_type(FILE *out, const char *name, const char *doc, const gd_param_spec *ps,
                       unsigned model)
{
    fprintf(out, "  %s - %s\n", name, doc);
    print_params(out, ps, model);
}

void gd_print_list(FILE *out)
{
    fputs("Keys are shown as: key  default  valid range  meaning.\n\noptimizers "
          "([optimizer LABEL] sections, type = NAME):\n", out);
    for (const gd_optimizer_type *const *o = gd_optimizers; *o; o++)
        print_type(out, (*o)->name, (*o)->doc, (*o)->params, 0);
    fputs("\nschedules (optimizer key `schedule = NAME`; their keys go in the optimizer "
          "section):\n", out);
    for (const gd_schedule_type *const *s = gd_schedules; *s; s++)
        print_type(out, (*s)->name, (*s)->doc, (*s)->params, 0);
    fputs("\nproblems ([problem LABEL] sections, type = NAME; an instance's data are drawn from "
          "its\nparameters except those marked [model], so every model value meets the same "
          "data):\n", out);
    for (const gd_problem_type *const *p = gd_problems; *p; p++)
        print_type(out, (*p)->name, (*p)->doc, (*p)->params, (*p)->model_params);
    fputs("\nrun control (any [problem] section, or [sweep] as the default for all):\n", out);
    print_params(out, gd_control_params, 0);
}
