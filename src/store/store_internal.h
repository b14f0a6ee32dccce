/* store_internal.h - what the store's files share (private to src/store*.c).
 *
 * The store is the only code that includes <hdf5.h>. Every HDF5 failure is turned into
 * a runtime gd_error that names the file and the step, with HDF5's innermost message;
 * HDF5's own printing of its error stack is switched off. */
#ifndef GDSWEEP_STORE_INTERNAL_H
#define GDSWEEP_STORE_INTERNAL_H

#include <hdf5.h>
#include <stdint.h>

#include "gdsweep/columns.h"
#include "gdsweep/format.h"
#include "gdsweep/series.h"
#include "gdsweep/store.h"
#include "gdsweep/traj_implicit.h"

/* A 1-D dataset that grows by appending; len is its current length. */
typedef struct gd_h5_series {
    hid_t id;
    uint64_t len;
} gd_h5_series;

/* Set of written instance ids (open addressing; slot holds id + 1, 0 = empty). */
typedef struct gd_id_set {
    uint64_t *slot;
    size_t cap, count;
} gd_id_set;

struct gd_store {
    char path[GD_PATH_MAX];
    const gd_sweep *sweep;        /* borrowed: must outlive the store */
    gd_columns cols;
    hid_t file, runs, row_type, written_type, instances;
    gd_h5_series series[GD_SERIES_COUNT]; /* indexed as gd_series_table */
    unsigned implicit;            /* series the file does not store (traj_implicit.h) */
    uint64_t runs_written;
    double io_seconds;
    gd_commit_profile profile;    /* io_seconds of the batches, step by step */
    unsigned char *rows;          /* row buffer, rows_cap rows */
    size_t rows_cap;
    hsize_t *coords;              /* the rows' run ids, in id order (store_rows.c) */
    struct gd_row_slot *slots;    /* the batch's rows sorted by id */
    gd_id_set written_instances;
    uint8_t *committed_bits;      /* one bit per run: its row is marked written */
    uint64_t committed;           /* runs committed in the file, this session's included */
    uint64_t unsynced;            /* of them, the last batch's: its syncs may still run */
    uint64_t shard, shards;       /* the file's shard (0 of 1: the whole grid) */
    uint64_t reserved_to;         /* bytes [0, reserved_to) of the file are allocated */
    uint64_t runs_chunk_rows;     /* rows per chunk of /runs (0 until first needed) */
    int runs_raw;                 /* 1: /runs holds row_type unfiltered, so a whole chunk of
                                   * rows goes to the file as it is; -1: no; 0: not known */
    int abandoned;                /* a write failed: HDF5 is not called on it again */
};

/* Records when this writing session began and how many runs were committed then (root
 * attributes GD_ATTR_SESSION_START and GD_ATTR_SESSION_RUNS: `status` gives a running
 * sweep's rate and ETA from them). 0 / -1 (an HDF5 error). */
int gd_store_note_session(gd_store *st);

/* Marks run id committed in the bitmap (counting it once). */
void gd_store_mark_committed(gd_store *st, uint64_t id);

/* Allocates the zeroed bitmap for the sweep's runs. */
int gd_store_alloc_committed(gd_store *st, gd_error *err);

/* Creates the series datasets (gd_series_table) of a fresh file; opens them and reads
 * their lengths: existing file (store.c, store_h5.c). */
int gd_store_create_series(gd_store *st);
int gd_store_open_series(gd_store *st);

/* 1 when st's file stores series i (gd_series_table), 0 when it is implicit. */
static inline int gd_store_series_stored(const gd_store *st, int i)
{
    return !(st->implicit & GD_TRAJ_BIT(i));
}

/* Reads the file's GD_ATTR_TRAJ_IMPLICIT into st->implicit (absent: 0, every series
 * stored). 0, or -1 with err (usage error) when it names no series of this gdsweep. */
int gd_store_read_implicit(gd_store *st, gd_error *err);

/* Allocation and release of the store record (store.c). */
gd_store *gd_store_new(const char *path, const gd_sweep *s);
void gd_store_free(gd_store *st);
int gd_store_close_ids(gd_store *st);

/* Room on the disk a write needs: `file`, the bytes the file may grow by; `journal`, the
 * most the commit's rollback journal may hold (the old bytes of what it overwrites). */
typedef struct gd_store_room {
    uint64_t file, journal;
} gd_store_room;

/* Room for metadata alone (attributes, a flush). */
#define GD_STORE_METADATA_BYTES (1u << 20)
#define GD_STORE_METADATA_ROOM ((gd_store_room){GD_STORE_METADATA_BYTES, GD_STORE_METADATA_BYTES})

/* Makes sure the disk has `room` before HDF5 writes (store_space.c): allocates the file's
 * growth past its end (and any hole in it) and the journal's room, or where the file
 * system cannot, checks its free space. Fails (runtime error naming the cause: ENOSPC,
 * EDQUOT, EIO) without touching the file. */
int gd_store_reserve(gd_store *st, gd_store_room room, const char *what, gd_error *err);

/* The room writing b needs: new chunks, instances, metadata; rows and chunk tails
 * rewritten in place. */
gd_store_room gd_store_batch_room(gd_store *st, const gd_batch *b);

/* Rows per chunk of /runs (1 when the dataset says none; read once). */
uint64_t gd_store_runs_chunk_rows(gd_store *st);

/* ---- the batch's rows (store_rows.c) ---- */

/* Room for n rows: 0, or -1 (out of memory, err). */
int gd_store_reserve_rows(gd_store *st, size_t n, gd_error *err);
/* The batch's rows, sorted by run id, into the row buffer (st->coords: their ids). */
void gd_store_fill_rows(gd_store *st, const gd_batch *b);
/* Writes the n rows filled: 0, or -1 (an HDF5 error). */
int gd_store_write_rows(gd_store *st, size_t n);

/* After a failed write: HDF5's cache can no longer be trusted, so nothing flushes or
 * closes the file again (the process ends without HDF5's exit-time close); the file keeps
 * its last flushed state, like after a kill. Releases the space reserved past its end. */
void gd_store_give_up_writing(gd_store *st);

/* Gives back the space reserved past the end of a closed file. */
void gd_store_release_reserve(const char *path, uint64_t reserved_to);

/* A numeric attribute of obj as a double; def when absent or not a number. */
/* A one-element attribute of class want (H5T_FLOAT: any number), opened; an invalid id
 * when it is absent (*missing = 1) or of another shape or class (*missing = 0). */
hid_t gd_h5_open_scalar_attr(hid_t obj, const char *name, H5T_class_t want, int *missing);
/* A one-number attribute read into *out: 1; 0 when absent; -1 when it is there but not
 * one number (an array, text: a damaged file). */
int gd_h5_attr_scalar(hid_t obj, const char *name, double *out);
double gd_h5_attr_number(hid_t obj, const char *name, double def);

/* The file's shard (0-based index, count) from its attributes (store_shard.c): absent
 * ones read as 0 of 1. Fails (usage error "PATH: shard_index K of shard_count N is
 * impossible (corrupt file?)" + advice) on values no gdsweep writes. */
int gd_h5_read_shard(hid_t file, const char *path, const char *advice, uint64_t *shard,
                     uint64_t *shards, gd_error *err);

/* Monotonic clock in seconds. */
double gd_store_clock(void);

/* Fills err with "<path>: <what>: <cause>", clears HDF5's stack, returns -1. The cause is
 * the system error of a failed read or write (as "No space left on device (ENOSPC)") when
 * HDF5 reports one, else HDF5's innermost message. */
int gd_h5_fail(const gd_store *st, gd_error *err, const char *what);
/* "ENOSPC", "EDQUOT", "EIO", "EFBIG", "EROFS", or "" for another errno. */
const char *gd_errno_name(int e);
/* "No space left on device (ENOSPC)": strerror and the name where it has one, in buf. */
#define GD_ERRNO_TEXT 128
const char *gd_errno_text(int e, char *buf, size_t size);

/* Scalar attributes on obj, created or overwritten. Strings are variable-length UTF-8. */
int gd_h5_attr_text(hid_t obj, const char *name, const char *value);
/* An open text attribute's value (fixed or variable length), malloc'd; NULL if not text. */
char *gd_h5_read_text(hid_t attr);
/* File access for every file gdsweep writes or reads: the HDF5 1.8 format (checksummed
 * superblock and object headers; any HDF5 >= 1.8 reads it), commits through the rollback
 * journal at journal_path (NULL: the file's name + ".journal"). -1 on failure. */
hid_t gd_h5_file_access(const char *journal_path);

/* Makes fapl use gdsweep's journaling driver (journal_vfd.c): commits are all-or-nothing
 * through the rollback journal at journal_path (NULL: the file's name + ".journal"). */
int gd_h5_use_journal(hid_t fapl, const char *journal_path);

/* A file that this driver created is not journaled (a torn new file is discarded whole)
 * until this: its bytes on disk become the first commit, made durable. 0 / -1. */
int gd_h5_start_journal(hid_t file);
/* Waits for the last commit's syncs, which run in the background (journal_commit.c): 0, or
 * -1 when they (or an earlier commit's) failed: that commit is rolled back. A file not
 * open through the journal: 0. */
int gd_h5_settle_journal(hid_t file);
/* Room on the disk for the next commit's rollback journal (journal_file.h), which may
 * hold `most` bytes: 0, or -1 with errno (ENOSPC) when there is none. */
int gd_h5_reserve_journal(hid_t file, uint64_t most);
/* Frees the room gd_h5_reserve_journal took (the journal is empty), for a writer that
 * gives up. */
void gd_h5_release_journal(hid_t file);
/* 1 while the last commit's syncs still run in the background. */
int gd_h5_journal_syncing(hid_t file);
int gd_h5_attr_i64(hid_t obj, const char *name, int64_t value);
int gd_h5_attr_u64(hid_t obj, const char *name, uint64_t value);
int gd_h5_attr_f64(hid_t obj, const char *name, double value);

/* HDF5 type of a column's cells; the caller closes it. */
hid_t gd_h5_column_type(const gd_column *col);

/* Compound type of a whole row (packed, column offsets), and one of `written` alone. */
hid_t gd_h5_row_type(const gd_columns *c);
/* 1 when every one of the n members of compound `type` lies inside its rows (at most
 * alignment padding after the last) and its numbers are sane: HDF5 trusts a corrupt
 * compound type (one flipped byte of an offset) and reads out of bounds (store_read.c). */
int gd_h5_row_type_is_sane(hid_t type, int n);
/* 0 when the runs table's row type `file`, another than st->row_type (an older gdsweep's),
 * takes this sweep's rows: every column the sweep fills is in it, of the same type
 * (strings at least as wide), so HDF5 converts each row by column name; else -1 with err
 * naming the first column that is missing or differs (resume_layout.c). */
int gd_store_resume_layout(const gd_store *st, hid_t file, gd_error *err);
/* 1 when series i (gd_series_table) may be missing from an earlier gdsweep's output and
 * be added on resume (a per-record series added since format 2 began: traj/batch_loss),
 * else 0 (resume_series.c). */
int gd_store_series_addable(int i);
/* Adds series i to st's file (open for writing): NaN for each record it holds. 0, or -1
 * with err (resume_series.c). */
int gd_store_add_series(gd_store *st, int i, gd_error *err);
hid_t gd_h5_written_type(const gd_columns *c);

/* HDF5 types of a series' values: in memory (NATIVE_LONG or NATIVE_DOUBLE), in the file
 * (NATIVE_INT64 or NATIVE_DOUBLE). Predefined types: not to be closed. */
hid_t gd_h5_series_memory_type(const gd_series *s);
hid_t gd_h5_series_file_type(const gd_series *s);


/* Creates an empty extendible 1-D dataset of `type` at name (under loc). */
int gd_h5_series_create(gd_h5_series *s, hid_t loc, const char *name, hid_t type);

/* Values per chunk of the appendable datasets. */
#ifndef SERIES_CHUNK
#define SERIES_CHUNK 65536
#endif

/* Appends n values of memory type mtype with one write. */
int gd_h5_series_append(gd_h5_series *s, hid_t mtype, const void *data, size_t n);

/* Closes any HDF5 id (file, group, dataset, type, space, attribute, property list)
 * and sets it to H5I_INVALID_HID; ignores invalid ids. HDF5's error stack is kept, so a
 * failure's cause survives the closing of what the failed step opened. */
void gd_h5_close(hid_t *id);

/* Fails (runtime error, nothing written) when one of b's instances names a run that is
 * not one of its runs (store_instances.c). */
int gd_store_check_instances(const gd_store *st, const gd_batch *b, gd_error *err);

/* Writes the groups of b's instances not written yet (store_instances.c). */
int gd_store_write_instances(gd_store *st, const gd_batch *b, gd_error *err);

/* The id set. gd_id_set_add returns 1 when added, 0 when present, -1 out of memory. */
int gd_id_set_add(gd_id_set *s, uint64_t id);
int gd_id_set_has(const gd_id_set *s, uint64_t id);
void gd_id_set_free(gd_id_set *s);

#endif
