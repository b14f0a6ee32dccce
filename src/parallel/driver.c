/* driver.c - the serial sweep: the coordinator on an in-process transport, whose one
 * worker runs the selected runs range by range (gd_worker_run_range: lockstep blocks
 * inside a range) on the caller's thread, straight into the coordinator's pending batch
 * (no copy, no thread).
 *
 * A stop request (a signal) ends the loop before the next run, or the next block of a
 * range; an abandoned run (grace period over) is not recorded. What was computed is committed before returning. A batch
 * the disk cannot take ends the loop; the message says how to resume. */
#include "gdsweep/driver.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/coordinator.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/worker.h"

/* The one in-process worker: its chunk and where it stands. */
typedef struct in_process {
    gd_worker worker;
    uint64_t next, end;        /* the chunk still to run: [next, end) */
    int asked;                 /* a REQUEST is unanswered */
    int finished;              /* a count-0 chunk came, or it stopped */
    int done_sent;
} in_process;

/* The worker's next message: a request when it has no chunk, else the results of one
 * range of runs (a signal or an abandoned run makes it a STOP, whose finished runs are in
 * the batch all the same), then DONE once finished. */
static int in_process_receive(void *ctx, gd_batch *into, gd_message *msg, gd_error *err)
{
    in_process *p = ctx;
    msg->worker = 0;
    if (p->finished || p->next == p->end) {
        if (p->finished ? p->done_sent : p->asked)
            return 0;
        msg->kind = p->finished ? GD_MSG_DONE : GD_MSG_REQUEST;
        p->done_sent |= p->finished;
        p->asked = !p->finished;
        return 1;
    }
    uint64_t ran = 0;
    int rc = gd_interrupt_stop()
                 ? 1
                 : gd_worker_run_range(&p->worker, p->next, p->end - p->next, into, &ran, err);
    if (rc < 0)
        return -1;
    p->next += ran;
    p->finished = rc > 0;
    msg->kind = rc > 0 ? GD_MSG_STOP : GD_MSG_RESULT;
    msg->runs = ran;
    return 1;
}

static void in_process_send_chunk(void *ctx, int worker, uint64_t first, uint64_t count)
{
    in_process *p = ctx;
    (void)worker;
    p->asked = 0;
    p->finished = count == 0;
    p->next = first;
    p->end = first + count;
}

/* Never idle for long: the worker runs when asked. */
static void in_process_nap(void *ctx, long nanoseconds) { (void)ctx, (void)nanoseconds; }

/* One process: the caller prints the error and exits. */
static void in_process_abort(void *ctx, const gd_error *err) { (void)ctx, (void)err; }

static const gd_transport_ops in_process_ops = {
    in_process_receive, in_process_send_chunk, in_process_nap, in_process_abort};

int gd_drive_serial(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                    gd_drive_stats *stats, gd_error *err)
{
    in_process p;
    memset(&p, 0, sizeof p);
    memset(stats, 0, sizeof *stats);
    gd_worker_init(&p.worker, sel->sweep, 0);
    gd_transport t = {&in_process_ops, &p, 1};
    gd_coordination job = {sel, st, tally, quiet, 0, 1};
    int rc = gd_coordinate(&job, &t, stats, err);
    gd_worker_free(&p.worker);
    return rc;
}
