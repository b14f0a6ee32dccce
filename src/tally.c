/* tally.c - per (problem, optimizer) counts and best run, and the end-of-sweep table. */
#include "gdsweep/tally.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int gd_tally_init(gd_tally *t, const gd_sweep *s, gd_error *err)
{
    t->sweep = s;
    t->cells = calloc(s->n_problems * s->n_optimizers + 1, sizeof *t->cells);
    return t->cells ? 0 : gd_fail_runtime(err, "out of memory for the result tally");
}

static int better(const gd_tally_cell *c, uint64_t id, double loss)
{
    if (!c->has_best)
        return 1;
    if (loss != c->best_loss)
        return loss < c->best_loss;
    return id < c->best_id;
}

static void add_run(gd_tally_cell *c, const gd_batch *b, size_t i)
{
    const gd_run_result *r = &b->result[i];
    c->runs++;
    if (r->status == GD_STATUS_CONVERGED)
        c->converged++;
    else if (r->status == GD_STATUS_DIVERGED)
        c->diverged++;
    else
        c->max_iter++;
    if (r->status == GD_STATUS_DIVERGED || !better(c, b->desc[i].id, r->loss_final))
        return;
    c->has_best = 1;
    c->best_id = b->desc[i].id;
    c->best_steps = r->iterations;
    c->best_loss = r->loss_final;
    c->best_gap = r->gap;
    c->best_metric = r->metric;
    c->best_dim = b->final_count[i] <= GD_PATH_MAX_DIM ? b->final_count[i] : 0;
    if (c->best_dim)
        memcpy(c->best_x, b->final + b->final_start[i], c->best_dim * sizeof *c->best_x);
}

void gd_tally_add_batch(gd_tally *t, const gd_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        const gd_run_desc *d = &b->desc[i];
        add_run(&t->cells[d->problem * t->sweep->n_optimizers + d->optimizer], b, i);
    }
}

void gd_tally_status_totals(const gd_tally *t, uint64_t totals[3])
{
    totals[0] = totals[1] = totals[2] = 0;
    for (size_t i = 0; i < t->sweep->n_problems * t->sweep->n_optimizers; i++) {
        totals[0] += t->cells[i].diverged;
        totals[1] += t->cells[i].max_iter;
        totals[2] += t->cells[i].converged;
    }
}

static void print_number(FILE *out, double v)
{
    if (isnan(v))
        fprintf(out, " %11s", "-");
    else
        fprintf(out, " %11.5g", v);
}

static void print_best(FILE *out, const gd_tally_cell *c)
{
    if (!c->has_best) {
        fprintf(out, " %8s %6s %11s %11s %11s  (all diverged)\n", "-", "-", "-", "-", "-");
        return;
    }
    fprintf(out, " %8llu %6ld", (unsigned long long)c->best_id, c->best_steps);
    print_number(out, c->best_loss);
    print_number(out, c->best_gap);
    print_number(out, c->best_metric);
    fputs("  ", out);
    for (size_t k = 0; k < c->best_dim; k++)
        fprintf(out, "%s%.6g", k ? ", " : "", c->best_x[k]);
    fputc('\n', out);
}

void gd_tally_print(const gd_tally *t, FILE *out)
{
    const gd_sweep *s = t->sweep;
    fprintf(out, "%-12s %-12s %6s %5s %6s %5s %8s %6s %11s %11s %11s  %s\n", "problem",
            "optimizer", "runs", "conv", "budget", "div", "best run", "steps", "final loss",
            "gap", "psnr", "final x");
    for (size_t p = 0; p < s->n_problems; p++)
        for (size_t o = 0; o < s->n_optimizers; o++) {
            const gd_tally_cell *c = &t->cells[p * s->n_optimizers + o];
            if (!c->runs)
                continue;
            fprintf(out, "%-12.12s %-12.12s %6llu %5llu %6llu %5llu", s->problems[p].label,
                    s->optimizers[o].label, (unsigned long long)c->runs,
                    (unsigned long long)c->converged, (unsigned long long)c->max_iter,
                    (unsigned long long)c->diverged);
            print_best(out, c);
        }
}

void gd_tally_free(gd_tally *t)
{
    free(t->cells);
    t->cells = NULL;
}
