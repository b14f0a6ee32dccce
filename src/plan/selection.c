/* selection.c - the runs of this job: its shard, less what is committed (selection.h). */
#include "gdsweep/selection.h"

#include <math.h>

#include "gdsweep/halving.h"

#define SHARD_GROUP_MAX 1024
#define SHARD_GROUPS_PER_SHARD 8

uint64_t gd_shard_group(uint64_t n_runs, uint64_t shards)
{
    uint64_t g = n_runs / (shards * SHARD_GROUPS_PER_SHARD);
    return g < 1 ? 1 : g > SHARD_GROUP_MAX ? SHARD_GROUP_MAX : g;
}

uint64_t gd_shard_of(uint64_t id, uint64_t group, uint64_t shards)
{
    return id / group % shards;
}

int gd_shard_attrs_ok(double index, double count)
{
    return count >= 1 && count <= GD_SHARDS_MAX && count == floor(count) && index >= 0 &&
           index < count && index == floor(index);
}

int gd_selection_skip(void *ctx, uint64_t id)
{
    const gd_selection *sel = ctx;
    if (sel->halving)
        return gd_halving_skip(sel->halving, id);
    if (sel->shards > 1 && gd_shard_of(id, sel->group, sel->shards) != sel->shard)
        return 1;
    return sel->store && gd_store_is_committed(sel->store, id);
}

void gd_selection_init(gd_selection *sel, const gd_sweep *s, const gd_store *st,
                       uint64_t shard, uint64_t shards)
{
    sel->sweep = s;
    sel->halving = NULL;
    sel->store = st;
    sel->shard = shard;
    sel->shards = shards ? shards : 1;
    sel->group = gd_shard_group(s->n_runs, sel->shards);
    sel->in_shard = sel->todo = 0;
    for (uint64_t id = 0; id < s->n_runs; id++) {
        if (sel->shards > 1 && gd_shard_of(id, sel->group, sel->shards) != shard)
            continue;
        sel->in_shard++;
        sel->todo += !(st && gd_store_is_committed(st, id));
    }
}
