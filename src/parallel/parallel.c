/* parallel.c - the only MPI code: process setup, agreement on rank 0's decisions, the
 * point-to-point verbs of the sweep's transport, the abort (see parallel.h). */
#include "gdsweep/parallel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "gdsweep/fabric.h"
#include "gdsweep/out_lock.h"

/* Launched by mpirun or srun: their environment names the rank. */
static int launched_by_a_launcher(void)
{
    return getenv("OMPI_COMM_WORLD_RANK") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

/* Started without a launcher (plain `gdsweep grid.ini`): one process, no MPI at all.
 * Open MPI's singleton start cost 85 ms of a 0.1 s start (hwloc's topology, the
 * components' dlopen, PMIx), and more where munge or fabric libraries probe; one process
 * talks only to itself, so rank 0 of 1 needs none of it. */
static int alone;

/* A rank waiting in MPI (a send of results while rank 0 is busy, a receive) gives way to
 * the other threads of its core (Open MPI still polls, calling sched_yield between polls)
 * instead of spinning on it: rank 0 runs its coordinator, compute and writer threads
 * beside the other ranks, so a node with a rank per core is oversubscribed by gdsweep's
 * own design, and a spinning rank took the core rank 0's coordinator needed to take its
 * message. Open MPI 4 and 5 yield by themselves only where mpirun was told the node is
 * oversubscribed. gdsweep's waits are for chunks and batches, not microseconds. A value
 * the user set in the environment (`-x`, `mpirun --mca`) wins. The mixed grid, `mpirun
 * -n 2` on 2 cores: 3.30-3.87 -> 3.11-3.37 s (docs/BENCHMARKS.md, stop 30). */
static void yield_when_idle(void)
{
    (void)setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
}

int gd_par_init(int *argc, char ***argv)
{
    int provided;
    if (!launched_by_a_launcher()) {
        alone = 1;
        return 0;
    }
    /* ranks of mpirun or srun: no fabric probing where the node has no fabric */
    (void)gd_fabric_skip_probes("");
    yield_when_idle();
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    return 0;
}

void gd_par_finalize(void)
{
    if (!alone)
        MPI_Finalize();
}

int gd_par_rank(void)
{
    if (alone)
        return 0;
    int r;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int gd_par_size(void)
{
    if (alone)
        return 1;
    int n;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int gd_par_local_size(void)
{
    MPI_Comm node;
    int n = 1;
    if (!alone &&
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &n);
        MPI_Comm_free(&node);
    }
    return n;
}

_Static_assert(sizeof(MPI_Request) <= sizeof(gd_par_request),
               "gd_par_request has no room for an MPI_Request");

void gd_par_send_bytes(int dest, int tag, const void *buf, size_t bytes)
{
    MPI_Send(buf, (int)bytes, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

void gd_par_send_u64(int dest, int tag, const uint64_t *v, int n)
{
    MPI_Send(v, n, MPI_UINT64_T, dest, tag, MPI_COMM_WORLD);
}

int gd_par_probe(int *source, int *tag, size_t *bytes)
{
    int flag, count;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag)
        return 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    *source = st.MPI_SOURCE;
    *tag = st.MPI_TAG;
    *bytes = (size_t)count;
    return 1;
}

void gd_par_recv_bytes(int source, int tag, void *buf, size_t bytes)
{
    MPI_Recv(buf, (int)bytes, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

void gd_par_irecv_u64(int source, int tag, uint64_t *v, int n, gd_par_request *req)
{
    MPI_Request r;
    MPI_Irecv(v, n, MPI_UINT64_T, source, tag, MPI_COMM_WORLD, &r);
    memcpy(req->room, &r, sizeof r);
}

int gd_par_test(gd_par_request *req)
{
    MPI_Request r;
    int done = 0;
    memcpy(&r, req->room, sizeof r);
    MPI_Test(&r, &done, MPI_STATUS_IGNORE);
    memcpy(req->room, &r, sizeof r);
    return done;
}

void gd_par_agree(int *rc, gd_error *err)
{
    if (alone)
        return; /* rank 0's decision is this process's own */
    int status[2] = {*rc, err ? err->exit_code : 0};
    MPI_Bcast(status, 2, MPI_INT, 0, MPI_COMM_WORLD);
    *rc = status[0];
    if (*rc != 0 && err) {
        MPI_Bcast(err->msg, GD_ERROR_MAX, MPI_CHAR, 0, MPI_COMM_WORLD);
        err->exit_code = status[1];
    }
}

int gd_par_share_sweep(gd_sweep *s, const char *path, int allow_huge, int rc, gd_error *err)
{
    gd_par_agree(&rc, err);
    if (rc != 0 || gd_par_size() == 1)
        return rc;
    unsigned long long len = gd_par_rank() == 0 ? s->text_len : 0;
    MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    char *text = gd_par_rank() == 0 ? s->text : malloc(len + 1);
    if (!text)
        gd_par_abort(&(gd_error){"out of memory receiving the grid", GD_EXIT_RUNTIME});
    MPI_Bcast(text, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (gd_par_rank() != 0) {
        rc = gd_sweep_parse(s, path, text, (size_t)len, allow_huge, err);
        free(text);
        if (rc != 0) /* same text as rank 0: cannot differ, unless memory ran out */
            gd_par_abort(err);
    }
    return 0;
}

_Noreturn void gd_par_abort(const gd_error *err)
{
    gd_error line = *err;
    gd_error_prefix(&line, "rank %d", gd_par_rank());
    gd_error_print(&line, NULL);
    gd_out_lock_release(); /* MPI_Abort ends this process without atexit handlers */
    int code = err->exit_code ? err->exit_code : GD_EXIT_RUNTIME;
    if (alone) /* as MPI_Abort: no atexit handler (HDF5's would write the file) */
        _exit(code);
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(GD_EXIT_RUNTIME);
}

int gd_par_same_everywhere(const void *buf, size_t size)
{
    if (gd_par_size() == 1)
        return 1;
    unsigned char *copy = malloc(size ? size : 1);
    int same = 0, all;
    if (!copy) {
        gd_par_abort(&(gd_error){"out of memory comparing the ranks", GD_EXIT_RUNTIME});
    } else {
        memcpy(copy, buf, size);
        MPI_Bcast(copy, (int)size, MPI_BYTE, 0, MPI_COMM_WORLD);
        same = memcmp(copy, buf, size) == 0;
        free(copy);
    }
    MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

int gd_par_fail(const gd_error *err)
{
    if (gd_par_size() > 1)
        gd_par_abort(err);
    return -1;
}
