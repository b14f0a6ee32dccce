/* local_worker.c - rank 0's compute thread and its mailbox (see local_worker.h). */
#include "gdsweep/local_worker.h"

#include <string.h>
#include <time.h>

#include <omp.h>

#include "gdsweep/committer.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/progress.h"

static void lock(gd_local_worker *lw) { pthread_mutex_lock(&lw->mu); }
static void unlock(gd_local_worker *lw) { pthread_mutex_unlock(&lw->mu); }

/* Thread: asks for a chunk and waits for it; returns its count (0: stop). No prefetch:
 * the main thread answers within ~0.1 ms, and a chunk queued early would be sized for
 * the work left then, which unbalances the end of the sweep. */
static uint64_t next_chunk(gd_local_worker *lw, uint64_t *first)
{
    double t0 = gd_now_seconds();
    lock(lw);
    lw->wants_chunk = 1;
    pthread_cond_broadcast(&lw->cv); /* wakes the main thread's nap */
    while (!lw->has_chunk)
        pthread_cond_wait(&lw->cv, &lw->mu);
    lw->has_chunk = 0;
    *first = lw->chunk_first;
    uint64_t count = lw->chunk_count;
    lw->waiting += gd_now_seconds() - t0;
    lw->runs += count;
    lw->chunks += count > 0;
    unlock(lw);
    return count;
}

/* Thread: hands the filled batch over, waiting while the previous one is unwritten. */
static void hand_over(gd_local_worker *lw)
{
    if (lw->filling->count == 0)
        return;
    double t0 = gd_now_seconds();
    lock(lw);
    while (lw->ready)
        pthread_cond_wait(&lw->cv, &lw->mu);
    lw->waiting += gd_now_seconds() - t0;
    lw->ready = lw->filling;
    lw->filling = lw->filling == &lw->slots[0] ? &lw->slots[1] : &lw->slots[0];
    pthread_cond_broadcast(&lw->cv);
    unlock(lw);
}

/* Returns 0, 1 when a stop request or an abandoned run ended the chunk early, -1. */
static int run_chunk(gd_local_worker *lw, uint64_t first, uint64_t count)
{
    int rc = 0;
    uint64_t end = first + count, ran = 0;
    for (uint64_t id = first; id < end && rc == 0; id += ran) {
        rc = gd_interrupt_stop() ? 1
                                 : gd_worker_run_range(&lw->worker, id, end - id, lw->filling,
                                                       &ran, &lw->err);
        if (rc == 0 && gd_batch_is_full(lw->filling))
            hand_over(lw);
    }
    hand_over(lw);
    return rc;
}

static void *thread_main(void *arg)
{
    gd_local_worker *lw = arg;
    uint64_t first, count;
    int rc = 0;
    omp_set_num_threads(lw->threads); /* OpenMP settings are per thread: take main's */
    while (rc == 0 && (count = next_chunk(lw, &first)) > 0)
        rc = run_chunk(lw, first, count);
    lock(lw);
    lw->failed = rc < 0;
    lw->exited = 1;
    pthread_cond_broadcast(&lw->cv);
    unlock(lw);
    return NULL;
}

int gd_local_worker_start(gd_local_worker *lw, const gd_sweep *s, int rank, gd_error *err)
{
    memset(lw, 0, sizeof *lw);
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_mutex_init(&lw->mu, NULL);
    pthread_cond_init(&lw->cv, &monotonic);
    pthread_condattr_destroy(&monotonic);
    gd_worker_init(&lw->worker, s, rank);
    lw->filling = &lw->slots[0];
    lw->threads = omp_get_max_threads();
    if (pthread_create(&lw->thread, NULL, thread_main, lw) != 0)
        return gd_fail_runtime(err, "cannot start rank 0's compute thread");
    return 0;
}

int gd_local_worker_wants_chunk(gd_local_worker *lw)
{
    lock(lw);
    int wants = lw->wants_chunk && !lw->has_chunk;
    unlock(lw);
    return wants;
}

void gd_local_worker_give_chunk(gd_local_worker *lw, uint64_t first, uint64_t count)
{
    lock(lw);
    lw->wants_chunk = 0;
    lw->chunk_first = first;
    lw->chunk_count = count;
    lw->has_chunk = 1;
    pthread_cond_broadcast(&lw->cv);
    unlock(lw);
}

gd_batch *gd_local_worker_take_batch(gd_local_worker *lw)
{
    lock(lw);
    gd_batch *b = lw->ready;
    unlock(lw);
    return b;
}

void gd_local_worker_release_batch(gd_local_worker *lw)
{
    lock(lw);
    gd_batch_clear(lw->ready);
    lw->ready = NULL;
    pthread_cond_broadcast(&lw->cv);
    unlock(lw);
}

/* Under the lock: the thread waits for a chunk, or has handed over a batch. */
static int mailbox_event(const gd_local_worker *lw)
{
    return (lw->wants_chunk && !lw->has_chunk) || lw->ready != NULL;
}

void gd_local_worker_nap(gd_local_worker *lw, long nanoseconds)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += nanoseconds;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    lock(lw);
    int exited = lw->exited;
    while (!mailbox_event(lw) && lw->exited == exited &&
           pthread_cond_timedwait(&lw->cv, &lw->mu, &until) == 0)
        ; /* woken by an event (the loop sees it) or spuriously (wait on) */
    unlock(lw);
}

int gd_local_worker_failed(gd_local_worker *lw, gd_error *err)
{
    lock(lw);
    int failed = lw->failed;
    if (failed && err)
        *err = lw->err;
    unlock(lw);
    return failed;
}

int gd_local_worker_exited(gd_local_worker *lw)
{
    lock(lw);
    int done = lw->exited && !lw->ready;
    unlock(lw);
    return done;
}

int gd_local_worker_join(gd_local_worker *lw, gd_error *err)
{
    pthread_join(lw->thread, NULL);
    int failed = lw->failed;
    if (failed && err)
        *err = lw->err;
    gd_worker_free(&lw->worker);
    gd_batch_free(&lw->slots[0]);
    gd_batch_free(&lw->slots[1]);
    pthread_mutex_destroy(&lw->mu);
    pthread_cond_destroy(&lw->cv);
    return failed ? -1 : 0;
}
