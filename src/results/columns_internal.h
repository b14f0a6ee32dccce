/* columns_internal.h - what columns.c and columns_row.c share (private to src/columns*.c).
 *
 * A column's role (gd_column.role) says what fills its cell: columns.c gives every column
 * its role when it builds the list, columns_row.c reads it back to fill a row. */
#ifndef GDSWEEP_COLUMNS_INTERNAL_H
#define GDSWEEP_COLUMNS_INTERNAL_H

#include <stdint.h>

#include "gdsweep/columns.h"

enum gd_col_role {
    R_PARAM = 0, R_CONTROL, R_METRIC,
    R_RUN_ID, R_PROBLEM, R_PROBLEM_TYPE, R_OPTIMIZER, R_OPTIMIZER_TYPE, R_INSTANCE,
    R_REPEAT, R_SCHEDULE,
    R_STATUS, R_STATUS_CODE, R_STEPS, R_LOSS_INITIAL, R_LOSS_FINAL, R_LOSS_BEST,
    R_GRAD_NORM_FINAL, R_GAP, R_LOSS_EVALS, R_GRAD_EVALS, R_WALL, R_RANK, R_THREADS,
    R_TRAJ_OFFSET, R_TRAJ_COUNT, R_PATH_OFFSET, R_PATH_COUNT, R_PATH_DIM, R_FINAL_OFFSET,
    R_FINAL_COUNT, R_WRITTEN, R_MONITOR_LOSS_EVALS, R_MONITOR_GRAD_EVALS, R_SAMPLES_SEEN,
    R_EPOCHS,
    /* then GD_TARGET_KINDS * GD_TARGETS roles: R_TARGET_FIRST + kind * GD_TARGETS + k */
    R_TARGET_FIRST
};

/* A run or result cell to fill, in a few bytes: the row fill walks these instead of the
 * full column list (whose entries, names included, spanned kilobytes per row). */
struct gd_col_cell {
    uint32_t offset, size; /* bytes within a row */
    int role;
};

/* Lists c's run and result cells (every column but parameters, metrics and `written`) in
 * c->cells; 0, or -1 with err on memory (columns_row.c). */
int gd_columns_plan_cells(gd_columns *c, gd_error *err);

#endif
