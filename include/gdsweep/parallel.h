/* parallel.h - everything MPI: process setup, agreement on rank 0's decisions, the
 * the point-to-point verbs of the distributed sweep. Only src/parallel/parallel.c includes
 * <mpi.h>; each wrapper is one MPI verb with a one-line doc (CoMD's parallel.c).
 *
 * One process (plain `gdsweep grid.ini`: no launcher, so no MPI at all, rank 0 of 1)
 * or many (`mpirun -n N`, `srun --mpi=pmix`) run the same code. Rank 0 reads the grid
 * and owns the HDF5 file; it also computes runs on a second thread, so no rank sits
 * idle as a pure coordinator. A failure on any rank prints one line from that rank and
 * aborts the whole job: never a hang. */
#ifndef GDSWEEP_PARALLEL_H
#define GDSWEEP_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/driver.h"
#include "gdsweep/grid.h"
#include "gdsweep/selection.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

/* Starts MPI (thread level FUNNELED: only the main thread calls MPI) when a launcher
 * (mpirun, srun) started this process; otherwise this process is rank 0 of 1 and the
 * verbs below do without MPI. */
int gd_par_init(int *argc, char ***argv);
void gd_par_finalize(void);

int gd_par_rank(void);
int gd_par_size(void);
/* Ranks on this node (shared-memory domain). */
int gd_par_local_size(void);

/* ---- point-to-point messages in MPI_COMM_WORLD (the sweep's transport; tags are the
 * caller's). Failures are fatal (MPI_ERRORS_ARE_FATAL): these never return an error. */

/* A receive in flight: room for one MPI_Request (checked at compile time in parallel.c),
 * so that no MPI type leaks out of parallel.c. */
typedef struct gd_par_request {
    _Alignas(8) unsigned char room[16];
} gd_par_request;

/* Sends `bytes` bytes (at most INT_MAX) to dest; returns when buf may be reused. */
void gd_par_send_bytes(int dest, int tag, const void *buf, size_t bytes);
/* Sends n uint64 values to dest; returns when v may be reused. */
void gd_par_send_u64(int dest, int tag, const uint64_t *v, int n);
/* 1 when a message from any rank waits (its source, tag and size in bytes), else 0. */
int gd_par_probe(int *source, int *tag, size_t *bytes);
/* Receives the waiting message (source, tag) of `bytes` bytes into buf. */
void gd_par_recv_bytes(int source, int tag, void *buf, size_t bytes);
/* Starts receiving n uint64 values from source into v; gd_par_test says when done. */
void gd_par_irecv_u64(int source, int tag, uint64_t *v, int n, gd_par_request *req);
/* 1 when the receive req has completed (v is filled), 0 while it is in flight. */
int gd_par_test(gd_par_request *req);

/* Every rank gets rank 0's value of *rc (and of its error record). */
void gd_par_agree(int *rc, gd_error *err);

/* Rank 0 has loaded the grid into *s (rc 0) or failed; the others parse the same text.
 * Returns the agreed status; on failure every rank has rank 0's error. */
int gd_par_share_sweep(gd_sweep *s, const char *path, int allow_huge, int rc, gd_error *err);

/* 1 on every rank when the size bytes at buf are the same on every rank, else 0. */
int gd_par_same_everywhere(const void *buf, size_t size);

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
