/* series.c - the table of the result record's series (see gdsweep/series.h). */
#include "gdsweep/series.h"

#include "gdsweep/batch.h"
#include "gdsweep/format.h"
#include "gdsweep/run.h"

#define RECORD_ROW(member, ctype, element)                                                  \
    {GD_H5_TRAJ_PREFIX #member, element, sizeof(ctype), GD_SERIES_PER_RECORD,                \
     offsetof(gd_batch, member), offsetof(gd_history, member)},

const gd_series gd_series_table[GD_SERIES_COUNT] = {
    GD_RECORD_SERIES(RECORD_ROW)
    {GD_H5_PATH, GD_SERIES_FLOAT64, sizeof(double), GD_SERIES_PER_PATH_VALUE,
     offsetof(gd_batch, path), offsetof(gd_history, path)},
    {GD_H5_FINAL, GD_SERIES_FLOAT64, sizeof(double), GD_SERIES_PER_FINAL_VALUE,
     offsetof(gd_batch, final), GD_SERIES_ABSENT},
};

size_t gd_series_record_bytes(void)
{
    size_t bytes = 0;
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++)
        bytes += gd_series_table[i].elem_size;
    return bytes;
}

void **gd_series_batch_array(const gd_series *s, void *batch)
{
    return (void **)((char *)batch + s->batch_offset);
}

void *gd_series_batch_values(const gd_series *s, const void *batch)
{
    return *(void *const *)((const char *)batch + s->batch_offset);
}

void *gd_series_history_values(const gd_series *s, const void *history)
{
    if (s->history_offset == GD_SERIES_ABSENT)
        return NULL;
    return *(void *const *)((const char *)history + s->history_offset);
}

void **gd_series_history_array(const gd_series *s, void *history)
{
    if (s->history_offset == GD_SERIES_ABSENT)
        return NULL;
    return (void **)((char *)history + s->history_offset);
}

size_t gd_series_batch_len(const gd_series *s, const void *batch)
{
    const gd_batch *b = batch;
    switch (s->extent) {
    case GD_SERIES_PER_RECORD:
        return b->traj_len;
    case GD_SERIES_PER_PATH_VALUE:
        return b->path_len;
    case GD_SERIES_PER_FINAL_VALUE:
        return b->final_len;
    }
    return 0;
}
