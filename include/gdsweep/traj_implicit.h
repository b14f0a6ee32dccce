/* traj_implicit.h - the per-record series a format-3 file leaves out, and their values.
 *
 * A file of format 3 (docs/FORMAT.md, "Trajectories") does not store a per-record series
 * whose values follow from the runs table: traj/iteration always; traj/lr when every run
 * of the grid has the constant schedule; traj/batch_loss when no run of the grid can be
 * stochastic. The set is decided once from the grid (the same for every shard and on
 * resume) and named in the root attribute GD_ATTR_TRAJ_IMPLICIT. Readers rebuild the
 * values with gd_traj_rebuild. Pure functions: nothing to free. */
#ifndef GDSWEEP_TRAJ_IMPLICIT_H
#define GDSWEEP_TRAJ_IMPLICIT_H

#include <stddef.h>

#include "gdsweep/grid.h"

/* Bit GD_SERIES_<member> of a mask: that per-record series is not stored. */
#define GD_TRAJ_BIT(series) (1u << (series))

/* The series a file of sweep s leaves out (a mask of GD_TRAJ_BIT). */
unsigned gd_traj_implicit_of_sweep(const gd_sweep *s);

/* How many per-record series a file whose implicit set is mask stores. */
int gd_traj_stored_count(unsigned mask);

/* The attribute's text for mask: the series' member names in table order, comma-separated
 * ("iteration,lr,batch_loss"), "" for none. 0, or -1 when size is too small. */
int gd_traj_implicit_text(unsigned mask, char *buf, size_t size);

/* The mask an attribute's text names: 0, or -1 when it names something that is not a
 * per-record series (a damaged or newer file). */
int gd_traj_implicit_parse(const char *text, unsigned *mask);

/* Values of series `series` (GD_SERIES_iteration, lr or batch_loss) of one run that
 * recorded count records every record_every iterations and stopped at iteration
 * last_iteration (the runs table's `steps`), with base rate lr (its `lr`): record j is at
 * j * record_every for j < count - 1 and at last_iteration for the last; its lr is lr
 * there and NaN at the last; batch_loss is NaN. Written to out[0 .. count). */
void gd_traj_rebuild(int series, size_t count, long record_every, long last_iteration,
                     double lr, double *out);

#endif
