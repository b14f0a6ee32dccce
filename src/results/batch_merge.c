/* batch_merge.c - one batch appended to another of the same process (rank 0's compute
 * thread's batches into the coordinator's, see gdsweep/batch.h): what gd_batch_pack and
 * gd_batch_unpack do, without the message buffer and its copies; an instance the batch
 * holds is held again rather than copied (a 4096^2 denoise instance would otherwise cross
 * two 256 MiB buffers). */
#include "gdsweep/batch.h"

#include "gdsweep/run_space.h"

/* Run i of b's records and path, as a history that points into b (no pointer into an
 * array the run has nothing in, which may be NULL). */
static void history_view(const gd_batch *b, size_t i, gd_history *h)
{
    *h = (gd_history){.capacity = b->traj_count[i], .count = b->traj_count[i]};
    for (int k = 0; h->count && k < GD_RECORD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        unsigned char *values = gd_series_batch_values(s, b);
        *gd_series_history_array(s, h) = values + b->traj_start[i] * s->elem_size;
    }
    if (h->count && b->path_count[i]) {
        h->path_dim = b->path_count[i] / h->count;
        h->path = b->path + b->path_start[i];
    }
}

/* Run i's final point in b, NULL when it has none. */
static const double *final_of(const gd_batch *b, size_t i)
{
    return b->final_count[i] ? b->final + b->final_start[i] : NULL;
}

/* Room for all of from in into, so that the appends below cannot fail. */
static int reserve_all(gd_batch *into, const gd_batch *from, gd_error *err)
{
    gd_batch_sizes more = {from->count, from->traj_len, from->path_len, from->final_len,
                           from->n_instances, from->values_len};
    return gd_batch_reserve(into, &more, err);
}

int gd_batch_merge(gd_batch *into, const gd_batch *from, const gd_sweep *s, gd_error *err)
{
    if (reserve_all(into, from, err) < 0)
        return -1;
    for (size_t i = 0; i < from->count; i++) {
        gd_run_desc d;
        gd_history h;
        gd_sweep_decode(s, from->desc[i].id, &d);
        history_view(from, i, &h);
        if (gd_batch_add(into, &d, &from->result[i], &h, final_of(from, i),
                         from->final_count[i], err) < 0)
            return -1;
    }
    for (size_t i = 0; i < from->n_instances; i++)
        if (gd_batch_add_instance_of(into, from, i, err) < 0)
            return -1;
    return 0;
}
