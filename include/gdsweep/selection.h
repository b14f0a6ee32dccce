/* selection.h - which runs this job computes: its shard of the grid (--shard K/N), less
 * the runs already committed in its output file (--resume).
 *
 * Shards deal the run ids out in groups of `group` consecutive ids, round robin, so each
 * shard gets a slice of every section (similar cost) and contiguous chunks to schedule.
 * The group size depends only on the grid's size and N: every job computes the same
 * assignment. */
#ifndef GDSWEEP_SELECTION_H
#define GDSWEEP_SELECTION_H

#include <stdint.h>

#include "gdsweep/grid.h"
#include "gdsweep/store.h"

struct gd_halving;

typedef struct gd_selection {
    const gd_sweep *sweep;
    const struct gd_halving *halving; /* a halving phase's runs (halving.h), or NULL */
    const gd_store *store;   /* the committed runs, or NULL (none) */
    uint64_t shard, shards;  /* 0-based shard index, shard count (1: the whole grid) */
    uint64_t group;          /* ids per group dealt to the shards */
    uint64_t in_shard;       /* runs of this shard */
    uint64_t todo;           /* of those, not committed when the job started */
} gd_selection;

/* Ids per group for a grid of n_runs split in `shards`. */
uint64_t gd_shard_group(uint64_t n_runs, uint64_t shards);

/* Shard (0-based) that run id belongs to. */
uint64_t gd_shard_of(uint64_t id, uint64_t group, uint64_t shards);

/* 1 when a file's shard_index and shard_count attributes (as read, doubles) can be a
 * shard: whole numbers, 0 <= index < count <= GD_SHARDS_MAX; 0 for a corrupt file. */
#define GD_SHARDS_MAX 1e15
int gd_shard_attrs_ok(double index, double count);

/* Fills sel and counts its runs (one pass over the ids). */
void gd_selection_init(gd_selection *sel, const gd_sweep *s, const gd_store *st,
                       uint64_t shard, uint64_t shards);

/* 1 when id is not for this job (another shard's, or committed; in a halving phase: not
 * in the phase, gd_halving_skip): a gd_plan_done_fn. */
int gd_selection_skip(void *sel, uint64_t id);

#endif
