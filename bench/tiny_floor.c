/* tiny_floor.c - the floor of a sweep: its runs computed and their bytes pwrite-n raw.
 *
 * Runs every run of GRID through gdsweep's own worker (gd_worker_run_range over ranges as
 * the drivers hand them: the instances, the lockstep blocks, the loop the binary runs;
 * one process, one thread) into a batch, copies each run's records (the per-record
 * series, then the final parameters) into a buffer, BYTES_PER_RUN bytes per run
 * (zero-padded or cut), and pwrites the buffer sequentially into OUT whenever it holds
 * 1 MiB. No HDF5, no runs table, no writer thread, no sync: what a runner that did
 * nothing but compute and write raw bytes would take. Prints one line with the seconds
 * of the whole and of the writes (bench/bench_tiny_peers.sh times the whole process).
 * Usage: tiny_floor GRID BYTES_PER_RUN OUT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/run.h"
#include "gdsweep/series.h"
#include "gdsweep/worker.h"
#include "triad.h"

#define FLUSH_BYTES (1u << 20)

/* The output: a buffer of whole runs and where the next pwrite goes. */
typedef struct raw_out {
    int fd;
    unsigned char *buf;
    size_t used, cap, run_bytes;
    off_t offset;
    double write_seconds;
} raw_out;

/* gdsweep's own worker (instances, lockstep blocks, one run at a time where no block
 * fits) and the batch it fills. */
typedef struct floor_runner {
    gd_sweep sweep;
    gd_worker worker;
    gd_batch batch;
} floor_runner;

static int flush_out(raw_out *o)
{
    double t0 = gd_bench_now();
    ssize_t done = o->used ? pwrite(o->fd, o->buf, o->used, o->offset) : 0;
    o->write_seconds += gd_bench_now() - t0;
    if (done != (ssize_t)o->used)
        return -1;
    o->offset += (off_t)o->used;
    o->used = 0;
    return 0;
}

/* Appends src to the current run's slot, cut at the run's byte count. */
static void put(raw_out *o, size_t *at, const void *src, size_t bytes)
{
    size_t room = o->run_bytes - *at;
    bytes = bytes < room ? bytes : room;
    memcpy(o->buf + o->used + *at, src, bytes);
    *at += bytes;
}

/* Run i of b's records and final x as one slot of run_bytes bytes. */
static int put_run(raw_out *o, const gd_batch *b, size_t i)
{
    size_t at = 0;
    for (int k = 0; k < GD_RECORD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        const unsigned char *v = gd_series_batch_values(s, (gd_batch *)b);
        put(o, &at, v + b->traj_start[i] * s->elem_size, b->traj_count[i] * s->elem_size);
    }
    put(o, &at, b->final + b->final_start[i], b->final_count[i] * sizeof *b->final);
    memset(o->buf + o->used + at, 0, o->run_bytes - at);
    o->used += o->run_bytes;
    return o->used + o->run_bytes > o->cap ? flush_out(o) : 0;
}

/* Every run through the worker, range by range as gdsweep's drivers hand them, each
 * batch's runs then put raw. */
static int run_all(floor_runner *f, raw_out *o, gd_error *err)
{
    uint64_t runs = gd_space_runs(&f->sweep), ran = 0;
    gd_worker_init(&f->worker, &f->sweep, 0);
    for (uint64_t id = 0; id < runs; id += ran) {
        if (gd_worker_run_range(&f->worker, id, runs - id, &f->batch, &ran, err) != 0)
            return -1;
        for (size_t i = 0; i < f->batch.count; i++)
            if (put_run(o, &f->batch, i) != 0)
                return -1;
        gd_batch_clear(&f->batch);
    }
    return flush_out(o);
}

static int open_out(raw_out *o, const char *path, long run_bytes)
{
    o->run_bytes = (size_t)run_bytes;
    o->cap = FLUSH_BYTES > o->run_bytes ? FLUSH_BYTES : o->run_bytes;
    o->buf = malloc(o->cap);
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    return o->buf && o->fd >= 0 ? 0 : -1;
}

/* Loads the grid, then runs and writes every run; 0 or -1 with err (or errno) set. */
static int floor_run(floor_runner *f, raw_out *o, char **argv, long run_bytes, gd_error *err)
{
    if (gd_sweep_load(&f->sweep, argv[1], 0, err) != 0 || gd_sweep_read_files(&f->sweep, err) != 0)
        return -1;
    return open_out(o, argv[3], run_bytes) != 0 ? -1 : run_all(f, o, err);
}

static void floor_free(floor_runner *f, raw_out *o)
{
    gd_worker_free(&f->worker);
    gd_batch_free(&f->batch);
    gd_sweep_free(&f->sweep);
    if (o->fd >= 0)
        close(o->fd);
    free(o->buf);
}

int main(int argc, char **argv)
{
    long run_bytes = argc == 4 ? atol(argv[2]) : 0;
    if (run_bytes <= 0) {
        fprintf(stderr, "usage: %s GRID BYTES_PER_RUN OUT\n", argv[0]);
        return 2;
    }
    floor_runner f = {0};
    raw_out o = {.fd = -1};
    gd_error err = {{0}, 0};
    double t0 = gd_bench_now();
    int rc = floor_run(&f, &o, argv, run_bytes, &err);
    double seconds = gd_bench_now() - t0;
    if (rc != 0)
        fprintf(stderr, "tiny_floor: %s\n", err.msg[0] ? err.msg : "cannot write the output");
    else
        printf("floor %llu runs in %.3f s (%ld bytes per run; pwrite %.3f s)\n",
               (unsigned long long)gd_space_runs(&f.sweep), seconds, run_bytes,
               o.write_seconds);
    floor_free(&f, &o);
    return rc != 0 ? 1 : 0;
}
