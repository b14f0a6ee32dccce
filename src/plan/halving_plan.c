/* halving_plan.c - how many runs each rung of a halving sweep computes, and the line that
 * says what that saves (halving.h). The counts depend only on the sizes of the groups,
 * never on results: the sweep and --dry-run print the same line. */
#include "gdsweep/halving.h"

#include "gdsweep/run_space.h"

void gd_halving_plan(const gd_sweep *s, uint64_t *per_rung)
{
    for (size_t r = 0; r < s->n_rungs; r++)
        per_rung[r] = 0;
    for (uint64_t id = 0; id < s->n_runs;) {
        uint64_t end = gd_space_group_end(s, id, GD_SPACE_PAIR), n = end - id;
        for (size_t r = 0; r < s->n_rungs; r++, n = gd_halving_keep(n, s->halving))
            per_rung[r] += n;
        id = end;
    }
}

void gd_halving_print(FILE *out, const gd_sweep *s, const uint64_t *per_rung)
{
    double spent = 0, replayed = 0, full = (double)s->n_runs * (double)s->rungs[s->n_rungs - 1];
    fprintf(out, "halving %llu: runs per rung", (unsigned long long)s->halving);
    for (size_t r = 0; r < s->n_rungs; r++) {
        fprintf(out, "%s %llu", r ? "," : "", (unsigned long long)per_rung[r]);
        spent += (double)per_rung[r] * (double)s->rungs[r];
        replayed += r ? (double)per_rung[r] * (double)s->rungs[r - 1] : 0;
    }
    fprintf(out, " (budgets");
    for (size_t r = 0; r < s->n_rungs; r++)
        fprintf(out, "%s %ld", r ? "," : "", s->rungs[r]);
    fprintf(out, "); iteration budget %.0f (%.0f of it replays earlier rungs) of the full "
            "grid's %.0f: %.1f%% saved\n", spent, replayed, full,
            full > 0 ? 100.0 * (1.0 - spent / full) : 0.0);
}

void gd_halving_print_plan(FILE *out, const gd_sweep *s)
{
    uint64_t per_rung[GD_RUNGS_MAX];
    if (s->n_runs > GD_HALVING_PLAN_MAX) {
        fprintf(out, "halving %llu: runs per rung not counted (over %.0e runs)\n",
                (unsigned long long)s->halving, (double)GD_HALVING_PLAN_MAX);
        return;
    }
    gd_halving_plan(s, per_rung);
    gd_halving_print(out, s, per_rung);
}
