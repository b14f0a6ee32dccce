/* series.h - the result record's series: every array a run appends to the file, in one table.
 *
 * A series is an appendable 1-D dataset of the output file (docs/FORMAT.md). The
 * per-record series (one value per recorded iteration) are listed once, in
 * GD_RECORD_SERIES below: that list declares their arrays in gd_history (run.h) and
 * gd_batch (batch.h), and gd_series_table (series.c) adds the two per-run series, the
 * parameter path and the final parameters. Reserve, free and bytes (run_memory.c,
 * batch.c), the wire (wire.c), the store's create/open/append/growth (src/store/), merge
 * and dry-run walk the table; none of them names a series.
 *
 * Adding a per-record series: one line in GD_RECORD_SERIES (its member name is also its
 * dataset name under traj/), its value in the loop of src/run/run.c, docs/FORMAT.md, the
 * analysis reader (analysis/gdsweep/reader.py) and a test. The table is static, read-only
 * data: nothing to free, no failure. */
#ifndef GDSWEEP_SERIES_H
#define GDSWEEP_SERIES_H

#include <stddef.h>

/* How a series' values are stored: 64-bit integers (a C long in memory) or doubles. */
typedef enum { GD_SERIES_INT64, GD_SERIES_FLOAT64 } gd_series_elem;

/* The per-record series, in file and wire order: X(member, C type, element). */
#define GD_RECORD_SERIES(X)                                                                  \
    X(iteration, long, GD_SERIES_INT64)                                                      \
    X(loss, double, GD_SERIES_FLOAT64)                                                       \
    X(grad_norm, double, GD_SERIES_FLOAT64)                                                  \
    X(lr, double, GD_SERIES_FLOAT64)                                                         \
    X(batch_loss, double, GD_SERIES_FLOAT64)

/* Declares the member of a per-record series in a struct (gd_history, gd_batch). */
#define GD_SERIES_MEMBER(member, ctype, elem) ctype *member;

#define GD_SERIES_INDEX(member, ctype, elem) GD_SERIES_##member,
/* Index of each series in gd_series_table: the per-record ones, then path and final. */
enum {
    GD_RECORD_SERIES(GD_SERIES_INDEX)
    GD_RECORD_SERIES_COUNT,
    GD_SERIES_path = GD_RECORD_SERIES_COUNT,
    GD_SERIES_final,
    GD_SERIES_COUNT
};
#undef GD_SERIES_INDEX

/* What a series' length is counted in (a batch's traj_len, path_len, final_len). */
typedef enum { GD_SERIES_PER_RECORD, GD_SERIES_PER_PATH_VALUE, GD_SERIES_PER_FINAL_VALUE }
    gd_series_extent;

/* Where the array of a series lives in a struct that has none. */
#define GD_SERIES_ABSENT ((size_t)-1)

typedef struct gd_series {
    const char *name;        /* the dataset in the file, as "traj/loss" */
    gd_series_elem elem;
    size_t elem_size;        /* bytes per value in memory */
    gd_series_extent extent;
    size_t batch_offset;     /* offsetof the array's pointer in gd_batch */
    size_t history_offset;   /* offsetof it in gd_history, or GD_SERIES_ABSENT */
} gd_series;

/* The table, in file order (GD_SERIES_COUNT entries, indexed by GD_SERIES_*). */
extern const gd_series gd_series_table[GD_SERIES_COUNT];

/* Bytes of one record in memory, over every per-record series. */
size_t gd_series_record_bytes(void);

/* The address of series s's array pointer inside a gd_batch or a gd_history (the struct
 * passed as void * so this header needs neither). history: NULL when s has none there. */
void **gd_series_batch_array(const gd_series *s, void *batch);
void **gd_series_history_array(const gd_series *s, void *history);

/* The array itself (the pointer's value), to read or fill its values; history: NULL when
 * s has none there. */
void *gd_series_batch_values(const gd_series *s, const void *batch);
void *gd_series_history_values(const gd_series *s, const void *history);

/* How many values of series s a gd_batch holds (its traj_len, path_len or final_len, by
 * what the series' extent counts). */
size_t gd_series_batch_len(const gd_series *s, const void *batch);

#endif
