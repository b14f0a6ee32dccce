/* columns.h - the columns of the runs table, built by walking the registries.
 *
 * One row per run, one named column per hyperparameter and result (docs/FORMAT.md lists
 * them). The list is built once from the problem, optimizer, schedule and control spec
 * tables; a row is a packed record of fixed size (no padding) that gd_columns_fill_row
 * fills from a run's description and result. No HDF5 here: the store maps each column
 * to an HDF5 member, and `summary` and the tests read rows back with the same list.
 *
 * Names are the spec keys. A key shared by several types of one category (every
 * optimizer's "lr") is one column, NaN (or "") in rows whose type lacks it. A key that
 * would clash with a column of another meaning (another category, a result, or a numeric
 * key that is a choice elsewhere) is renamed "<category>_<key>", then
 * "<category>_<type>_<key>"; gd_columns_build fails only if all of those are taken. */
#ifndef GDSWEEP_COLUMNS_H
#define GDSWEEP_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/error.h"
#include "gdsweep/grid.h"
#include "gdsweep/optimizer.h"
#include "gdsweep/param.h"
#include "gdsweep/problem.h"
#include "gdsweep/run.h"
#include "gdsweep/schedule.h"

#define GD_COLUMN_NAME_MAX 96

/* Storage type of a column's cells (little-endian, packed in the row). */
typedef enum {
    GD_COL_U8 = 0,
    GD_COL_I8,
    GD_COL_I32,
    GD_COL_I64,
    GD_COL_U64,
    GD_COL_F64,
    GD_COL_STR /* fixed width, null-padded, not null-terminated when full */
} gd_col_type;

typedef struct gd_column {
    char name[GD_COLUMN_NAME_MAX];
    gd_col_type type;
    size_t offset, size;   /* bytes within a row */
    const char *category;  /* "run", "problem", "control", "optimizer", "schedule",
                            * "result", "metric" or "storage" */
    const char *key;       /* the spec key for parameter columns, else NULL */
    int role;              /* private: what fills the cell */
    int group;             /* private: layout order */
    size_t seq;            /* private: insertion order */
} gd_column;

/* The spec tables to build from: the global registries, or others in tests. */
typedef struct gd_registries {
    const gd_problem_type *const *problems;
    const gd_optimizer_type *const *optimizers;
    const gd_schedule_type *const *schedules;
    const gd_param_spec *control;  /* keys of gd_run_control */
} gd_registries;

typedef struct gd_columns {
    gd_column *col;
    size_t count, cap;
    size_t row_size;
    unsigned char *blank;      /* a row of NaN, "" and 0: unset cells */
    gd_registries reg;
    size_t n_problem_types, n_optimizer_types, n_schedules;
    size_t *problem_col;       /* [type * GD_MAX_PARAMS + k] -> column */
    size_t *optimizer_col;     /* same, per optimizer type */
    size_t *schedule_col;      /* same, per schedule */
    size_t *metric_col;        /* [problem type] -> column, or SIZE_MAX */
    size_t control_col[GD_MAX_PARAMS];  /* [GD_CONTROL_*] -> column */
    size_t written_col;
    struct gd_col_cell *cells; /* private (columns_row.c): the run and result cells */
    size_t n_cells;
} gd_columns;

/* Where a run's records landed in the concatenated datasets. */
typedef struct gd_row_storage {
    uint64_t traj_offset, traj_count;
    uint64_t path_offset, path_count, path_dim;
    uint64_t final_offset, final_count;
} gd_row_storage;

/* The time-to-target columns: for each kind, one column per target k < GD_TARGETS. */
enum { GD_TARGET_STEPS, GD_TARGET_GRAD_EVALS, GD_TARGET_SECONDS, GD_TARGET_KINDS };

/* "steps_to_1e-3" for (GD_TARGET_STEPS, 2): the name of target k's column of a kind
 * (a static string). */
const char *gd_target_column_name(int kind, size_t k);

/* Builds the list from the global registries and gd_control_params. */
int gd_columns_build(gd_columns *c, gd_error *err);
/* Same, with the sweep's plugin types after the built-in problems (plugins.h): what the
 * runs table of a sweep is built from. */
int gd_columns_build_sweep(gd_columns *c, const gd_sweep *s, gd_error *err);
int gd_columns_build_from(gd_columns *c, const gd_registries *reg, gd_error *err);
void gd_columns_free(gd_columns *c);

/* used[i] = 1 when sweep s needs column i to tell its runs apart and find their records
 * (run identity, storage and schedule columns; the columns of the keys its sections give
 * values other than the defaults), else 0 (results, metrics, keys left at their
 * defaults); used holds c->count entries (columns_used.c). */
void gd_columns_sweep_uses(const gd_columns *c, const gd_sweep *s, unsigned char *used);

/* "psnr:max,test_mse:min": each metric column and which way it is better (the problem
 * types' metric_mode), for the file's `metric_modes` attribute; "" when none. */
void gd_columns_metric_modes(const gd_columns *c, char *buf, size_t size);

/* "image,data": the columns of the keys of kind `kind` (GD_PATH: they hold the index of a
 * file name in the file's `input_files`; GD_NAME: of a name in its `names`),
 * comma-separated, each once, for the `file_columns` and `name_columns` attributes; ""
 * when none. */
void gd_columns_text_columns(const gd_columns *c, gd_param_kind kind, char *buf,
                             size_t size);

/* Index of the column named name, or -1. */
int gd_columns_find(const gd_columns *c, const char *name);

/* Fills row (c->row_size bytes) for run d with result r; the `written` cell is left 0.
 * d's sections and types must come from s and from c's registries. */
void gd_columns_fill_row(const gd_columns *c, const gd_sweep *s, const gd_run_desc *d,
                         const gd_run_result *r, const gd_row_storage *st, void *row);

/* Sets row's `written` cell to 1: the row is committed with the flush that writes it. */
void gd_columns_mark_written(const gd_columns *c, void *row);

/* The name of choice v of spec, or "" when v is not one of its indices. */
const char *gd_columns_choice_name(const gd_param_spec *spec, double v);

/* Cell of column i as a double (NaN for strings). */
double gd_columns_number(const gd_columns *c, size_t i, const void *row);

/* Cell of column i as text (numbers with %.17g), always null-terminated. */
void gd_columns_text(const gd_columns *c, size_t i, const void *row, char *buf, size_t size);

#endif
