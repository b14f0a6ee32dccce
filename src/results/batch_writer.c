/* batch_writer.c - one batch committed on a thread of its own (see gdsweep/batch_writer.h). */
#include "gdsweep/batch_writer.h"

#include <string.h>

static void *write_one(void *arg)
{
    gd_batch_writer *w = arg;
    w->rc = gd_store_write_batch(w->st, w->batch, &w->err);
    atomic_store(&w->done, 1);
    return NULL;
}

int gd_batch_writer_start(gd_batch_writer *w, gd_store *st, const gd_batch *b, gd_error *err)
{
    w->st = st;
    w->batch = b;
    w->rc = 0;
    memset(&w->err, 0, sizeof w->err);
    atomic_store(&w->done, 0);
    if (pthread_create(&w->thread, NULL, write_one, w) == 0)
        return 0;
    w->batch = NULL; /* no thread: written here, over on return */
    return gd_store_write_batch(st, b, err);
}

int gd_batch_writer_busy(const gd_batch_writer *w)
{
    return w->batch != NULL;
}

int gd_batch_writer_finished(const gd_batch_writer *w)
{
    return w->batch == NULL || atomic_load(&w->done);
}

int gd_batch_writer_wait(gd_batch_writer *w, gd_error *err)
{
    if (!w->batch)
        return 0;
    pthread_join(w->thread, NULL);
    w->batch = NULL;
    if (w->rc == 0)
        return 0;
    if (err)
        *err = w->err;
    return -1;
}
