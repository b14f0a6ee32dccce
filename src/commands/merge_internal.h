/* merge_internal.h - what the merge's files share (private to src/merge*.c). */
#ifndef GDSWEEP_MERGE_INTERNAL_H
#define GDSWEEP_MERGE_INTERNAL_H

#include <stdio.h>

#include "gdsweep/format.h"
#include "gdsweep/merge.h"
#include "gdsweep/series.h"
#include "gdsweep/traj_implicit.h"

/* merge_args.c: the command line (strings point into argv). */
typedef struct gd_merge_args {
    const char *out;      /* --output, else the first file named */
    const char **inputs;  /* the shard files, n of them */
    size_t n;
    int overwrite, help;
    char command_line[4096]; /* "gdsweep merge ...", stored in OUT */
} gd_merge_args;

/* Fills a from argv (argv[0] = "merge") through merge's table of flags; a usage error
 * (exit 2) is one line naming the flag and the fix. Free a with gd_merge_args_free,
 * whatever the outcome. */
int gd_merge_args_parse(gd_merge_args *a, int argc, char **argv, gd_error *err);
void gd_merge_args_free(gd_merge_args *a);

/* `gdsweep merge --help`: the synopsis, then a row per flag of the table. */
void gd_merge_print_help(FILE *out);

/* Called for each maximal stretch [first, first + count) of run ids held by one file
 * (owner: its index in m->in) or by none (owner -1). */
typedef int (*gd_merge_segment_fn)(gd_merge *m, void *ctx, long owner, uint64_t first,
                                   uint64_t count, gd_error *err);

/* Walks the grid's ids in order, GD_READER_BLOCK at a time (reading every file's
 * `written` column), calling fn for each stretch; stretches never cross a block. Fails
 * (usage error naming the run and both files) on a run written in two files. */
int gd_merge_segments(gd_merge *m, gd_merge_segment_fn fn, void *ctx, gd_error *err);

/* The file that holds shard k (0-based), or NULL when none was given. */
gd_merge_input *gd_merge_input_of_shard(const gd_merge *m, uint64_t k);

/* A run's stored records, [off, off + count) of a series. */
typedef struct gd_merge_span {
    uint64_t off, count;
    size_t run;
} gd_merge_span;

#define GD_MERGE_FETCH_MAX GD_RECORD_SERIES_COUNT

/* The records of a set of runs in up to GD_MERGE_FETCH_MAX series that share their
 * offsets (the per-record series of gdsweep/series.h), read in few large reads: the runs'
 * spans are sorted by offset and joined into extents across short gaps (the bytes read beyond those wanted
 * stay below the bytes wanted, plus a little). Owns its buffers; reuse it for the next
 * set, free it with gd_merge_fetch_free. */
typedef struct gd_merge_fetch {
    size_t n_series;
    const char *names[GD_MERGE_FETCH_MAX]; /* NULL: a series not read (its buffer unset) */
    double *buf[GD_MERGE_FETCH_MAX];  /* values read of each series */
    size_t cap;
    size_t *pos;                      /* run i's values start at buf[k] + pos[i] */
    gd_merge_span *span, *extent;
    size_t runs_cap;
} gd_merge_fetch;

/* Reads the records of n runs whose offset and count are cells[i * stride + off_col]
 * and cells[i * stride + count_col]. */
int gd_merge_fetch_runs(gd_merge_fetch *f, gd_reader *r, const double *cells, size_t stride,
                        size_t n, size_t off_col, size_t count_col, gd_error *err);
void gd_merge_fetch_free(gd_merge_fetch *f);

#endif
