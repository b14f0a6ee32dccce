/* store.h - the one HDF5 file of a sweep (the only module that includes <hdf5.h>).
 *
 * Layout in docs/FORMAT.md. The store writes the grid text, hash and provenance as
 * attributes, a `runs` table with one row per run (row = run id) and one named column
 * per hyperparameter and result, trajectories, paths and final parameters as
 * concatenated 1-D datasets addressed by offset/count columns, and each problem
 * instance's inputs under /instances. Writes happen in batches and the file is flushed
 * after each. Errors are runtime errors with the file path in the message. */
#ifndef GDSWEEP_STORE_H
#define GDSWEEP_STORE_H

#include "gdsweep/batch.h"
#include "gdsweep/format.h"
#include "gdsweep/grid.h"
#include "gdsweep/problem.h"

typedef struct gd_store gd_store;

/* Fails (usage error, one line) unless a file's format_version is GD_FORMAT_VERSION: runs
 * of an older format cannot be continued (`action` "resume") or combined ("merge") with
 * runs made now. Format 1 drew an instance's data with its model parameters in the RNG
 * key, so its runs met other data than this gdsweep's would. */
int gd_store_check_format(const char *path, double version, const char *action,
                          gd_error *err);

/* Fails (usage error, nothing touched) when the directory is missing or not writable,
 * when path exists and is not a regular file (a device, FIFO, directory: with overwrite
 * too), or when path exists and overwrite is 0. */
int gd_store_check_target(const char *path, int overwrite, gd_error *err);

/* Creates the file under OUT.creating, writes the sweep's metadata and renames it to
 * path. The caller holds OUT's lock: a leftover OUT.creating (of a writer that died) is
 * removed, never written through (it may be a link). */
int gd_store_create(gd_store **out, const char *path, const gd_sweep *s,
                    const char *command_line, gd_error *err);

/* Writes the groups of the batch's instances that are not in the file yet (copies from
 * several batches or ranks are skipped), then appends the batch's runs (rows at their
 * run ids) and flushes the file. First makes sure the disk has room for it: when not
 * (ENOSPC, EDQUOT), or when a write fails anyway (EIO), the store is abandoned: the file
 * keeps its last flushed state (every batch before is committed and readable), later
 * calls fail, gd_store_close only frees, and the process ends without HDF5's exit-time
 * close (status GD_EXIT_RUNTIME). */
int gd_store_write_batch(gd_store *st, const gd_batch *b, gd_error *err);

/* Opens an existing sweep file of the same grid to continue it (--resume), read-only:
 * checks that it is a writable regular file, the stored grid hash against s (on a
 * mismatch the message says what differs), reads which runs are committed (rows marked
 * written: a row is marked in the same atomic commit as its data, so a crash at any
 * instant leaves only complete rows marked), the instances already stored, the file's shard, and the lengths
 * of the appended datasets. Writes nothing: a refusal after it (another --shard, say)
 * leaves the file as it was; close it with gd_store_abandon or gd_store_end_complete. */
int gd_store_reopen(gd_store **out, const char *path, const gd_sweep *s, gd_error *err);

/* Reopens a gd_store_reopen'ed file for writing and records the resume (resumed + 1,
 * resume_command_line, complete 0); later batches append after the stored data. */
int gd_store_begin_resume(gd_store *st, const char *command_line, gd_error *err);

/* Closes a reopened file in which every run of its shard is committed: untouched when it
 * says complete already, else reopened to record complete = 1. Frees st. */
int gd_store_end_complete(gd_store *st, gd_error *err);

/* Closes and frees st writing nothing (after a refusal or a failure). */
void gd_store_abandon(gd_store *st);

/* 1 when a and b name the same file (one inode: through a link or another path too). */
int gd_store_same_file(const char *a, const char *b);

/* The rollback journal beside a file that gdsweep writes: FILE + GD_JOURNAL_SUFFIX. */
#define GD_JOURNAL_SUFFIX ".journal"

/* Renames the finished file tmp to path, then removes the journal of the file that was
 * at path (it would not match the new file); a regular file replaced there is freed on
 * a thread (close_later.h). 0 / -1 with errno. */
int gd_store_move_into_place(const char *tmp, const char *path);

/* Removes an unfinished file and its journal: 0 when the file was there and is gone. */
int gd_store_remove_unfinished(const char *tmp);

/* The file's shard (0-based index and count; 0 of 1 when it holds the whole grid). */
int gd_store_set_shard(gd_store *st, uint64_t shard, uint64_t shards, gd_error *err);
void gd_store_shard(const gd_store *st, uint64_t *shard, uint64_t *shards);

/* 1 when run id is committed in the file (read at reopen, or written since). */
int gd_store_is_committed(const gd_store *st, uint64_t id);
/* Runs committed in the file. */
uint64_t gd_store_committed(const gd_store *st);

/* Successive halving (halving.h, store_rungs.c). Reads the numeric column `name` of rows
 * [first, first + n) as doubles into out (0, or -1 with a runtime error). */
int gd_store_read_column(gd_store *st, const char *name, uint64_t first, uint64_t n,
                         double *out, gd_error *err);
/* Sets the status of the committed runs ids[0 .. n-1] to pruned (their other cells stay)
 * and flushes; a failure abandons the store like a failed batch. */
int gd_store_mark_pruned(gd_store *st, const uint64_t *ids, size_t n, gd_error *err);

/* After gd_store_write_batch failed on the disk (full, over quota, I/O error), appends to
 * err what to do: the committed runs are safe; free space and resume. Nothing otherwise. */
void gd_store_explain_failure(const gd_store *st, gd_error *err);

/* Records the state (complete: every run of this job is committed; runs committed, wall
 * time) and closes. Frees st in all cases. */
int gd_store_close(gd_store *st, double wall_seconds, int complete, gd_error *err);
/* The same for a sweep's file: a failure (the last batch's background syncs, room for the
 * completion record, the close) also says how many runs are safe and how to resume. */
int gd_store_close_sweep(gd_store *st, double wall_seconds, int complete, gd_error *err);

/* 1 while the last batch's commit is still being made durable in the background (its
 * syncs wait on the disk): a batch written now would wait for them. */
int gd_store_syncing(const gd_store *st);

/* Waits for the last batch's background syncs (a failure shows at the next commit or the
 * close): for a sweep about to be aborted, so nothing writes the file after its lock goes. */
void gd_store_settle_syncs(gd_store *st);

/* Seconds spent inside HDF5 calls so far (for the benchmarks). */
double gd_store_io_seconds(const gd_store *st);

/* Where the commits' time went, step by step (GD_PROFILE prints it; bench/ reads it). */
typedef struct gd_commit_profile {
    uint64_t batches, flushes;  /* batches written; H5Fflush calls (one per batch) */
    uint64_t raw_chunks;        /* chunks of /runs written whole and raw (store_rows.c) */
    double reserve;             /* allocating the disk space ahead (fallocate) */
    double instances;           /* writing the batch's new instance groups */
    double series;              /* appending /traj, /path and /final */
    double rows;                /* writing the batch's rows of /runs */
    double flush;               /* the flush: the journal's commit and its syncs */
} gd_commit_profile;

gd_commit_profile gd_store_commit_profile(const gd_store *st);

/* Prints p as one line "gdsweep: profile commit: ..." on stderr. */
void gd_store_print_commit_profile(const gd_commit_profile *p);

#endif
