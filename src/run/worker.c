/* worker.c - runs by id on one process: instance reuse, buffers, one run into a batch. */
#include "gdsweep/worker.h"

#include "worker_internal.h"

#include "gdsweep/crash_watch.h"
#include "gdsweep/plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gd_worker_init(gd_worker *w, const gd_sweep *s, int rank)
{
    memset(w, 0, sizeof *w);
    w->sweep = s;
    w->rank = rank;
}

int gd_worker_use_instance(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_error *err)
{
    if (w->has_instance && w->instance_id == d->instance)
        return 0;
    gd_problem_destroy(&w->instance);
    w->has_instance = 0;
    if (gd_sweep_setup_instance(w->sweep, d, &w->instance, err) != 0 ||
        gd_batch_add_instance(b, d, &w->instance, err) != 0) {
        gd_error_prefix(err, "run %llu (problem %s)", (unsigned long long)d->id,
                        w->sweep->problems[d->problem].label);
        err->exit_code = GD_EXIT_RUNTIME; /* the grid passed its checks: a run-time failure */
        return -1;
    }
    w->instance_id = d->instance;
    w->instance_key = d->key;
    w->has_instance = 1;
    return 0;
}

/* Runs d into w's workspace, its records into h, in place in b (gd_batch_history_in_place);
 * 0, or -1 with err when its instance cannot be set up. A run whose final point is saved
 * iterates in the batch's final slot (*x), so that point is not copied (nor held twice: a
 * 4096^2 image is 128 MiB); else *x is the workspace's x. */
static int run_desc(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_history *h,
                    gd_run_result *r, double **x, gd_error *err)
{
    const gd_optimizer_type *opt = w->sweep->optimizers[d->optimizer].type;
    if (gd_worker_use_instance(w, d, b, err) != 0)
        return -1;
    size_t records = gd_history_records(d->control.iterations, w->sweep->record_every);
    if (gd_workspace_reserve(&w->ws, w->instance.n, opt->state_vectors, err) != 0 ||
        gd_workspace_reserve_rows(&w->ws, &w->instance, &d->control, err) != 0 ||
        gd_batch_history_in_place(b, h, records, err) != 0)
        return -1;
    gd_workspace ws = w->ws;
    if (d->control.save_final && !(ws.x = gd_batch_final_slot(b, w->instance.n, err)))
        return -1; /* reserves the final values only: h's room stays where it is */
    gd_run_execute(&w->instance, opt, d, w->sweep->record_every, &ws, h, r);
    *x = ws.x;
    return 0;
}

/* run_desc, watched for crashes when the problem is a plugin (crash_watch.h). */
static int run_watched(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_history *h,
                       gd_run_result *r, double **x, gd_error *err)
{
    const gd_problem_section *ps = &w->sweep->problems[d->problem];
    if (!gd_problem_is_plugin(ps->type))
        return run_desc(w, d, b, h, r, x, err);
    gd_crash_watch_begin(d->id, ps->label, ps->type->name, gd_plugin_library_of(ps->type));
    int rc = run_desc(w, d, b, h, r, x, err);
    gd_crash_watch_end();
    return rc;
}

void gd_worker_decode(gd_worker *w, uint64_t id, gd_run_desc *d)
{
    gd_sweep_decode(w->sweep, id, d);
    d->key = w->has_instance && w->instance_id == d->instance
                 ? w->instance_key /* a function of the instance: kept with it */
                 : gd_sweep_instance_key(w->sweep, d);
}

int gd_worker_append(gd_worker *w, const gd_run_desc *d, gd_run_result *r,
                     const gd_history *h, const double *x, size_t n, gd_batch *b,
                     gd_error *err)
{
    if (r->status == GD_STATUS_ABANDONED)
        return 1;
    r->rank = w->rank;
    return gd_batch_add(b, d, r, h, x, d->control.save_final ? n : 0, err);
}

int gd_worker_run_alone(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_error *err)
{
    gd_run_result r;
    gd_history h; /* in the batch's room: nothing to free */
    double *x;
    if (run_watched(w, d, b, &h, &r, &x, err) != 0)
        return -1;
    return gd_worker_append(w, d, &r, &h, x, w->instance.n, b, err);
}

int gd_worker_run(gd_worker *w, uint64_t id, gd_batch *b, gd_error *err)
{
    gd_run_desc d;
    gd_worker_decode(w, id, &d);
    return gd_worker_run_alone(w, &d, b, err);
}

void gd_worker_free(gd_worker *w)
{
    gd_problem_destroy(&w->instance);
    gd_workspace_free(&w->ws);
    gd_workspace_free(&w->lanes_ws);
    free(w->pending);
    memset(w, 0, sizeof *w);
}
