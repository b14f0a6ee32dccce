/* merge.h - `gdsweep merge OUT.h5 SHARD.h5... [--overwrite]`: shard files into one file.
 *
 * The shards of one `--shard K/N` split (or any files of one grid whose written rows
 * are disjoint) are read with the reader (gdsweep/store_read.h) and OUT is written with
 * the store, as a single job would have written it: every result column, trajectory,
 * path, final point and instance input bit-identical (instances are regenerated from
 * the grid, never copied). Three phases, each streaming the runs table in blocks of
 * GD_READER_BLOCK rows, so memory is bounded whatever the grid's size:
 *   gd_merge_open  - opens every file and checks they belong together (same grid, same
 *                    split, each shard once); parses the grid stored in them;
 *   gd_merge_scan  - reads which rows each file holds: no run in two files, every stored
 *                    count inside its datasets; counts the runs written nowhere;
 *   gd_merge_write - creates OUT and copies every written run into it in id order.
 * Every check happens before OUT is created: bad input is a usage error (one line that
 * names the files) and leaves OUT untouched. OUT is complete (complete = 1) when no run
 * is missing; otherwise it is a resumable file of the whole grid. */
#ifndef GDSWEEP_MERGE_H
#define GDSWEEP_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/error.h"
#include "gdsweep/grid.h"
#include "gdsweep/columns.h"
#include "gdsweep/series.h"
#include "gdsweep/store_read.h"

/* How many missing id ranges, files and shards a message names before "...". */
#define GD_MERGE_LISTED 5

/* The fixed columns the merge reads, storage first (the scan reads only those). */
enum {
    GD_MC_TRAJ_OFFSET, GD_MC_TRAJ_COUNT, GD_MC_PATH_OFFSET, GD_MC_PATH_COUNT, GD_MC_PATH_DIM,
    GD_MC_FINAL_OFFSET, GD_MC_FINAL_COUNT, GD_MC_STORAGE,
    GD_MC_STATUS = GD_MC_STORAGE, GD_MC_STEPS, GD_MC_LOSS_INITIAL, GD_MC_LOSS_FINAL,
    GD_MC_LOSS_BEST, GD_MC_GRAD_NORM, GD_MC_GAP, GD_MC_LOSS_EVALS, GD_MC_GRAD_EVALS,
    GD_MC_MONITOR_LOSS_EVALS, GD_MC_MONITOR_GRAD_EVALS, GD_MC_WALL, GD_MC_RANK, GD_MC_THREADS,
    GD_MC_SAMPLES_SEEN, GD_MC_EPOCHS,
    GD_MC_TARGETS, /* GD_TARGET_KINDS * GD_TARGETS columns, in gd_target_column_name order */
    GD_MC_FIXED = GD_MC_TARGETS + GD_TARGET_KINDS * GD_TARGETS
};
extern const char *const gd_merge_fixed_columns[GD_MC_TARGETS]; /* then the targets */

typedef struct gd_merge_input {
    gd_reader *reader;
    uint64_t shard, shards;      /* 0-based index and count; 0 of 1: a whole-grid file */
    uint64_t len[GD_SERIES_COUNT]; /* lengths of its series (gd_series_table order);
                                      UINT64_MAX for one it does not store */
    unsigned implicit;           /* the series it does not store (traj_implicit.h) */
    int incomplete;              /* a run of its shard is written in no file */
} gd_merge_input;

typedef struct gd_merge {
    gd_merge_input *in;          /* sorted by shard index */
    size_t n;
    gd_sweep sweep;              /* the grid stored in the files */
    char *grid_path;             /* its grid_path attribute (for messages) */
    uint64_t shards, group;      /* the split, and its gd_shard_group */
    const char **columns;        /* fixed columns, then each distinct metric column */
    size_t n_columns;
    size_t *metric_of;           /* [problem section] -> its index in columns, or SIZE_MAX */
    double wall_seconds;         /* the longest file's */
    /* From the scan: */
    uint64_t missing;            /* runs written in no file */
    uint64_t ranges[GD_MERGE_LISTED][2]; /* the first missing ids, as [first, last] */
    size_t n_ranges;
    int more_ranges;             /* missing ids beyond those ranges */
    /* From the write: runs copied, by status (diverged, max_iter, converged). */
    uint64_t copied, by_status[3];
} gd_merge;

/* Opens the n files and checks them: each readable and gdsweep's, one grid (grid_hash),
 * one split (shard_count), no shard index twice, the runs table and the datasets the
 * merge reads present. Parses the grid. On failure everything is released. */
int gd_merge_open(gd_merge *m, const char *const *paths, size_t n, gd_error *err);

/* Which file holds each run: fails (usage error) on a run written in two files or a
 * stored range outside its dataset; fills missing, the ranges and the inputs'
 * incomplete flags. */
int gd_merge_scan(gd_merge *m, gd_error *err);

/* Creates out (whose target was checked) and copies every written run into it; marks it
 * complete when nothing is missing. */
int gd_merge_write(gd_merge *m, const char *out, const char *command_line, gd_error *err);

void gd_merge_close(gd_merge *m);

/* Number of shard indexes of the split that own runs but no file was given for; the
 * first of them (0-based) in first[0 .. min(count, GD_MERGE_LISTED)). */
uint64_t gd_merge_absent_shards(const gd_merge *m, uint64_t first[GD_MERGE_LISTED]);

/* The subcommand: argv[0] is "merge". Exit 0 (complete), 3 (runs missing: OUT written,
 * resumable), 2 (bad command line or input: one line, OUT untouched), 1 (runtime). */
int gd_merge_main(int argc, char **argv);

#endif
