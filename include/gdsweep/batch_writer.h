/* batch_writer.h - a thread that commits one result batch to the store while the caller
 * computes on (gdsweep/committer.h decides when).
 *
 * While a batch is in flight the caller makes no store call but gd_store_is_committed's
 * reads (atomic bitmap reads, no HDF5) and gd_store_syncing, asked only once the writer
 * has finished (committer.c): the store is the writer's until gd_batch_writer_wait, so
 * one thread at a time calls HDF5 (which need not be a thread-safe build; Debian's is).
 * The batch handed over is the writer's too until then. */
#ifndef GDSWEEP_BATCH_WRITER_H
#define GDSWEEP_BATCH_WRITER_H

#include <pthread.h>
#include <stdatomic.h>

#include "gdsweep/batch.h"
#include "gdsweep/error.h"
#include "gdsweep/store.h"

typedef struct gd_batch_writer {
    gd_store *st;
    const gd_batch *batch; /* in flight, or NULL */
    pthread_t thread;
    atomic_int done;       /* the thread has returned: waiting will not block */
    int rc;                /* gd_store_write_batch's result */
    gd_error err;
} gd_batch_writer;

/* Starts committing b to st on a thread (on this one when no thread can be made: then the
 * commit is over on return). 0, or -1 with err when it was done here and failed. */
int gd_batch_writer_start(gd_batch_writer *w, gd_store *st, const gd_batch *b,
                          gd_error *err);

/* 1 while a batch is in flight (started and not waited for). */
int gd_batch_writer_busy(const gd_batch_writer *w);

/* 1 when the batch in flight is committed or failed, so that waiting returns at once. */
int gd_batch_writer_finished(const gd_batch_writer *w);

/* Waits for the batch in flight: 0 (committed, or none in flight), or -1 with the
 * store's error in err. */
int gd_batch_writer_wait(gd_batch_writer *w, gd_error *err);

#endif
