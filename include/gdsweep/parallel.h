/* parallel.h - everything MPI: process setup, agreement on rank 0's decisions, the
 * distributed sweep. Only src/parallel*.c include <mpi.h>.
 *
 * One process (plain `gdsweep grid.ini`, a singleton) or many (`mpirun -n N`, `srun
 * --mpi=pmix`) run the same code. Rank 0 reads the grid and owns the HDF5 file; it also
 * computes runs on a second thread, so no rank sits idle as a pure coordinator. A
 * failure on any rank prints one line from that rank and aborts the whole job: never a
 * hang. */
#ifndef GDSWEEP_PARALLEL_H
#define GDSWEEP_PARALLEL_H

#include <stddef.h>

#include "gdsweep/driver.h"
#include "gdsweep/grid.h"
#include "gdsweep/selection.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

/* Starts MPI (thread level FUNNELED: only the main thread calls MPI). */
int gd_par_init(int *argc, char ***argv);
void gd_par_finalize(void);

int gd_par_rank(void);
int gd_par_size(void);
/* Ranks on this node (shared-memory domain). */
int gd_par_local_size(void);

/* Every rank gets rank 0's value of *rc (and of its error record). */
void gd_par_agree(int *rc, gd_error *err);

/* Rank 0 has loaded the grid into *s (rc 0) or failed; the others parse the same text.
 * Returns the agreed status; on failure every rank has rank 0's error. */
int gd_par_share_sweep(gd_sweep *s, const char *path, int allow_huge, int rc, gd_error *err);

/* Prints "gdsweep: rank R: message" and ends every process of the job with code. */
_Noreturn void gd_par_abort(const gd_error *err);

/* A failure on any rank once the ranks work together: with several ranks it ends the job
 * through gd_par_abort (the others would wait for this rank forever); alone it returns -1
 * for the caller to print. */
int gd_par_fail(const gd_error *err);

/* Runs the selected runs over all ranks (sel matters on rank 0; the others need only
 * sel->sweep); rank 0 writes st and fills tally/stats. Returns 0, GD_SWEEP_INTERRUPTED
 * (a signal on any rank stopped the sweep; stats->abandoned_ranks were still running
 * when the grace period ended), or -1 on rank 0's own failure (a failure elsewhere
 * aborts the job). */
int gd_par_sweep(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                 gd_drive_stats *stats, gd_error *err);

#endif
