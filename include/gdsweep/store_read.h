/* store_read.h - read-only access to a gdsweep HDF5 file (layout in docs/FORMAT.md).
 *
 * Shared by `gdsweep summary`, `status`, `--resume` and `merge`. Opening checks that the
 * file exists, is HDF5, is a gdsweep file (a `format_version` attribute and a 1-D
 * compound `runs` table) of a version this program reads. Columns of the runs table are
 * read by name, a range of rows at a time (callers stream in blocks of
 * GD_READER_BLOCK rows, so a 10^8-row file needs bounded memory): any numeric column
 * converted to double, or a string column as fixed-width cells. Every HDF5 return, rank,
 * type and size is checked: a corrupt file gives an error, never a crash. HDF5's own
 * error printing is switched off.
 *
 * Errors about the file's content (missing, not HDF5, not gdsweep's, corrupt, unknown
 * column, rows out of range) are usage errors (exit 2) whose message names the file;
 * out of memory is a runtime error. The reader owns its HDF5 ids; gd_reader_close frees
 * everything. */
#ifndef GDSWEEP_STORE_READ_H
#define GDSWEEP_STORE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/error.h"

/* Rows per read that keeps a block of the runs table in the reader's chunk cache. */
#define GD_READER_BLOCK 65536

typedef struct gd_reader gd_reader;

/* Opens a sweep's file for reading, also while a sweep writes it: the reader holds the
 * file's commit lock (shared) until gd_reader_close, so it sees exactly the last commit
 * and that sweep's next commit waits (up to a minute) for it. Read, then close: do not
 * keep a reader open while waiting on anything else (output to a pipe, a user). */
int gd_reader_open(gd_reader **out, const char *path, gd_error *err);
void gd_reader_close(gd_reader *r);

/* The path the reader was opened with. */
const char *gd_reader_path(const gd_reader *r);

/* 1 when the root has an attribute of that name, else 0. */
int gd_reader_has_attr(gd_reader *r, const char *name);

/* Root attribute `name` as text (malloc'd, the caller frees): a string attribute (fixed
 * or variable length). Fails when missing or not a scalar string. */
int gd_reader_attr_text(gd_reader *r, const char *name, char **out, gd_error *err);
/* The file's sweep identity (GD_ATTR_IDENTITY, or grid_hash in files written before it);
 * *out as for gd_reader_attr_text. */
int gd_reader_identity(gd_reader *r, char **out, gd_error *err);

/* Root attribute `name` as a double: a scalar integer or float attribute. */
int gd_reader_attr_number(gd_reader *r, const char *name, double *out, gd_error *err);

/* The file's shard: 0-based index and count, 0 of 1 for a file of the whole grid (no shard
 * attributes). Fails (usage error naming the file and both values) on a shard gdsweep
 * does not write. The one parser of the shard attributes (src/store/store_shard.c). */
int gd_reader_shard(gd_reader *r, uint64_t *shard, uint64_t *shards, gd_error *err);

/* Rows of the runs table. */
uint64_t gd_reader_rows(const gd_reader *r);

/* 1 when the runs table has a column of that name, else 0. */
int gd_reader_has_column(const gd_reader *r, const char *column);

/* Bytes per cell of a string column, 0 for a numeric or unknown column. */
size_t gd_reader_column_width(const gd_reader *r, const char *column);

/* Rows [first, first + count) of a numeric column (integer or float cells) as doubles. */
int gd_reader_column_f64(gd_reader *r, const char *column, uint64_t first, uint64_t count,
                         double *out, gd_error *err);

/* Rows [first, first + count) of n numeric columns in one pass over the rows, row by
 * row: out[i * n + k] is row first + i of columns[k]. Cheaper than n single reads. */
int gd_reader_columns_f64(gd_reader *r, const char *const *columns, size_t n,
                          uint64_t first, uint64_t count, double *out, gd_error *err);

/* Rows [first, first + count) of a string column, `width` bytes per row, null-padded
 * (not null-terminated when a value fills the width; longer values are cut). */
int gd_reader_column_text(gd_reader *r, const char *column, uint64_t first, uint64_t count,
                          char *out, size_t width, gd_error *err);

/* Length of the 1-D numeric dataset at `name` (e.g. "final/x", "traj/loss"). */
int gd_reader_series_length(gd_reader *r, const char *name, uint64_t *len, gd_error *err);

/* Elements [first, first + count) of that dataset, as doubles. */
int gd_reader_series_f64(gd_reader *r, const char *name, uint64_t first, uint64_t count,
                         double *out, gd_error *err);

#endif
