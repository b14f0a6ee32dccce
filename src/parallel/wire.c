/* wire.c - packing a result batch into bytes and back (see gdsweep/wire.h).
 *
 * Layout: header | run ids (uint64) | then the arrays of batch_arrays below (the series
 * from the table of gdsweep/series.h), in that order, each copied as it is in the batch,
 * except that the instances' input values, held or copied (gdsweep/batch.h), are gathered
 * into one array in instance and input order. All access to the buffer goes through
 * memcpy, so it may have any alignment. Unpacking first locates every array against len
 * and checks every count, offset and id, then reserves room in the batch, then copies:
 * on any failure the batch is untouched. */
#include "gdsweep/wire.h"

#include <stdint.h>
#include <string.h>

#define WIRE_MAGIC 0x42574447u   /* "GDWB" */
#define WIRE_VERSION 1u

/* What each array is counted in. */
enum { K_RUNS, K_RECORDS, K_PATH, K_FINAL, K_INSTANCES, K_VALUES, K_COUNT };

/* The arrays after the run ids, in wire order: the series of gdsweep/series.h in their
 * table's order, from A_SERIES. */
enum {
    A_RESULT, A_TRAJ_COUNT, A_PATH_COUNT, A_FINAL_COUNT, A_SERIES,
    A_INSTANCE = A_SERIES + GD_SERIES_COUNT, A_VALUES, A_COUNT
};

typedef struct wire_header {
    uint32_t magic, version;
    uint32_t result_size, instance_size;   /* the copied structs, as the sender built them */
    uint64_t count[K_COUNT];
} wire_header;

/* One array of a batch: where it starts, its element size, what it is counted in. */
typedef struct wire_array {
    void *base;
    size_t elem;
    int kind;
} wire_array;

/* What a series' extent is counted in. */
static const int series_kind[] = {[GD_SERIES_PER_RECORD] = K_RECORDS,
                                  [GD_SERIES_PER_PATH_VALUE] = K_PATH,
                                  [GD_SERIES_PER_FINAL_VALUE] = K_FINAL};

/* The batch's arrays, in wire order. */
static void batch_arrays(const gd_batch *b, wire_array a[A_COUNT])
{
    a[A_RESULT] = (wire_array){b->result, sizeof *b->result, K_RUNS};
    a[A_TRAJ_COUNT] = (wire_array){b->traj_count, sizeof *b->traj_count, K_RUNS};
    a[A_PATH_COUNT] = (wire_array){b->path_count, sizeof *b->path_count, K_RUNS};
    a[A_FINAL_COUNT] = (wire_array){b->final_count, sizeof *b->final_count, K_RUNS};
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        const gd_series *s = &gd_series_table[i];
        a[A_SERIES + i] = (wire_array){gd_series_batch_values(s, b), s->elem_size,
                                       series_kind[s->extent]};
    }
    a[A_INSTANCE] = (wire_array){b->instances, sizeof *b->instances, K_INSTANCES};
    a[A_VALUES] = (wire_array){b->values, sizeof *b->values, K_VALUES};
}

static void batch_lengths(const gd_batch *b, size_t k[K_COUNT])
{
    k[K_RUNS] = b->count;
    k[K_RECORDS] = b->traj_len;
    k[K_PATH] = b->path_len;
    k[K_FINAL] = b->final_len;
    k[K_INSTANCES] = b->n_instances;
    k[K_VALUES] = gd_batch_instance_values(b);
}

/* ---- packing ------------------------------------------------------------------------ */

size_t gd_batch_wire_size(const gd_batch *b)
{
    size_t k[K_COUNT];
    wire_array a[A_COUNT];
    batch_lengths(b, k);
    batch_arrays(b, a);
    size_t size = sizeof(wire_header) + k[K_RUNS] * sizeof(uint64_t);
    for (int i = 0; i < A_COUNT; i++)
        size += k[a[i].kind] * a[i].elem;
    return size;
}

/* The instances, their inputs numbered as their values follow them on the wire (instance
 * by instance, input by input, whether the batch holds or copied them); then the values. */
static void pack_instances(const gd_batch *b, unsigned char *p)
{
    size_t at = 0;
    for (size_t i = 0; i < b->n_instances; i++, p += sizeof(gd_batch_instance)) {
        gd_batch_instance in;
        memcpy(&in, &b->instances[i], sizeof in); /* padding too: zeroed when added */
        for (size_t k = 0; k < in.n_inputs; k++) {
            in.inputs[k].start = at;
            at += in.inputs[k].count;
        }
        memcpy(p, &in, sizeof in);
    }
    for (size_t i = 0; i < b->n_instances; i++) {
        for (size_t k = 0; k < b->instances[i].n_inputs; k++) {
            size_t bytes = b->instances[i].inputs[k].count * sizeof(double);
            if (bytes)
                memcpy(p, gd_batch_input_values(b, i, k), bytes);
            p += bytes;
        }
    }
}

void gd_batch_pack(const gd_batch *b, void *buf)
{
    size_t k[K_COUNT];
    wire_array a[A_COUNT];
    wire_header h = {WIRE_MAGIC, WIRE_VERSION, sizeof(gd_run_result),
                     sizeof(gd_batch_instance), {0}};
    unsigned char *p = buf;
    batch_lengths(b, k);
    batch_arrays(b, a);
    for (int i = 0; i < K_COUNT; i++)
        h.count[i] = k[i];
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    for (size_t r = 0; r < b->count; r++, p += sizeof(uint64_t))
        memcpy(p, &b->desc[r].id, sizeof(uint64_t));
    for (int i = 0; i < A_INSTANCE; i++) {
        size_t bytes = k[a[i].kind] * a[i].elem;
        if (bytes)
            memcpy(p, a[i].base, bytes);
        p += bytes;
    }
    pack_instances(b, p);
}

/* ---- unpacking: locating and checking ----------------------------------------------- */

/* Where the parts of a received buffer are, and its counts. */
typedef struct wire_view {
    size_t k[K_COUNT];
    const unsigned char *ids;
    const unsigned char *array[A_COUNT];
} wire_view;

static int corrupt(gd_error *err, const char *what)
{
    return gd_fail_runtime(err, "received result batch is corrupt: %s", what);
}

static int read_header(wire_view *v, const unsigned char *p, size_t len, gd_error *err)
{
    wire_header h;
    if (len < sizeof h)
        return corrupt(err, "shorter than its header");
    memcpy(&h, p, sizeof h);
    if (h.magic != WIRE_MAGIC)
        return corrupt(err, "bad magic number");
    if (h.version != WIRE_VERSION || h.result_size != sizeof(gd_run_result) ||
        h.instance_size != sizeof(gd_batch_instance))
        return gd_fail_runtime(err, "received result batch comes from another gdsweep "
                               "build (version %u); run the same binary on every rank",
                               (unsigned)h.version);
    for (int i = 0; i < K_COUNT; i++) {
        v->k[i] = (size_t)h.count[i];
        if ((uint64_t)v->k[i] != h.count[i])
            return corrupt(err, "a count does not fit in memory");
    }
    return 0;
}

/* The next n entries of elem bytes from *off, or NULL when they overrun len. */
static const unsigned char *take(const unsigned char *p, size_t len, size_t *off, size_t n,
                                 size_t elem)
{
    if (n > (len - *off) / elem)
        return NULL;
    const unsigned char *at = p + *off;
    *off += n * elem;
    return at;
}

/* Element sizes and kinds come from b's table (its addresses are not used). */
static int locate(wire_view *v, const gd_batch *b, const unsigned char *p, size_t len,
                  gd_error *err)
{
    size_t off = sizeof(wire_header);
    wire_array a[A_COUNT];
    batch_arrays(b, a);
    v->ids = take(p, len, &off, v->k[K_RUNS], sizeof(uint64_t));
    if (!v->ids)
        return corrupt(err, "truncated in the run ids");
    for (int i = 0; i < A_COUNT; i++) {
        v->array[i] = take(p, len, &off, v->k[a[i].kind], a[i].elem);
        if (!v->array[i])
            return corrupt(err, "truncated");
    }
    return off == len ? 0 : corrupt(err, "longer than its counts say");
}

static uint64_t run_id(const wire_view *v, size_t r)
{
    uint64_t id;
    memcpy(&id, v->ids + r * sizeof id, sizeof id);
    return id;
}

static size_t count_at(const wire_view *v, int which, size_t r)
{
    size_t c;
    memcpy(&c, v->array[which] + r * sizeof c, sizeof c);
    return c;
}

/* Adds c to *sum, which may not pass total. */
static int add_within(size_t *sum, size_t c, size_t total)
{
    if (c > total - *sum)
        return -1;
    *sum += c;
    return 0;
}

/* Run ids within the sweep; per-run counts that add up to the totals, whole paths. */
static int check_runs(const wire_view *v, const gd_sweep *s, gd_error *err)
{
    size_t traj = 0, path = 0, fin = 0;
    for (size_t r = 0; r < v->k[K_RUNS]; r++) {
        size_t nt = count_at(v, A_TRAJ_COUNT, r), np = count_at(v, A_PATH_COUNT, r);
        if (run_id(v, r) >= s->n_runs)
            return corrupt(err, "a run id beyond the grid");
        if (add_within(&traj, nt, v->k[K_RECORDS]) < 0 ||
            add_within(&path, np, v->k[K_PATH]) < 0 ||
            add_within(&fin, count_at(v, A_FINAL_COUNT, r), v->k[K_FINAL]) < 0)
            return corrupt(err, "per-run counts overrun the arrays");
        if (nt ? np % nt != 0 : np != 0)
            return corrupt(err, "a path that is not whole records");
    }
    if (traj != v->k[K_RECORDS] || path != v->k[K_PATH] || fin != v->k[K_FINAL])
        return corrupt(err, "per-run counts do not add up to the arrays");
    return 0;
}

/* count = dims[0] (rank 1, dims[1] = 0) or dims[0] * dims[1] (rank 2), without overflow. */
static int shape_ok(const gd_batch_input *in)
{
    if (in->rank == 1)
        return in->dims[1] == 0 && in->count == in->dims[0];
    if (in->rank != 2)
        return 0;
    if (in->dims[1] == 0)
        return in->count == 0;
    return in->count % in->dims[1] == 0 && in->count / in->dims[1] == in->dims[0];
}

static int input_ok(const gd_batch_input *in, size_t values)
{
    return memchr(in->name, '\0', sizeof in->name) && in->name[0] && shape_ok(in) &&
           in->start <= values && in->count <= values - in->start;
}

/* Each instance: a run of the sweep, at most GD_MAX_INPUTS inputs, each inside values. */
static int check_instances(const wire_view *v, const gd_sweep *s, gd_error *err)
{
    for (size_t i = 0; i < v->k[K_INSTANCES]; i++) {
        gd_batch_instance in;
        memcpy(&in, v->array[A_INSTANCE] + i * sizeof in, sizeof in);
        if (in.run_id >= s->n_runs)
            return corrupt(err, "an instance of a run beyond the grid");
        if (in.n_inputs > GD_MAX_INPUTS)
            return corrupt(err, "an instance with too many inputs");
        for (size_t j = 0; j < in.n_inputs; j++)
            if (!input_ok(&in.inputs[j], v->k[K_VALUES]))
                return corrupt(err, "an instance input out of bounds");
    }
    return 0;
}

/* ---- unpacking: appending ----------------------------------------------------------- */

/* Descriptions from ids, offsets from counts, instance inputs moved past b's values. */
static void fix_up(gd_batch *b, const wire_view *v, const size_t at[K_COUNT],
                   const gd_sweep *s)
{
    size_t traj = at[K_RECORDS], path = at[K_PATH], fin = at[K_FINAL];
    for (size_t r = 0; r < v->k[K_RUNS]; r++) {
        size_t i = at[K_RUNS] + r;
        gd_sweep_decode(s, run_id(v, r), &b->desc[i]);
        b->traj_start[i] = traj;
        b->path_start[i] = path;
        b->final_start[i] = fin;
        traj += b->traj_count[i];
        path += b->path_count[i];
        fin += b->final_count[i];
    }
    for (size_t j = 0; j < v->k[K_INSTANCES]; j++) {
        gd_batch_instance *in = &b->instances[at[K_INSTANCES] + j];
        b->held[at[K_INSTANCES] + j] = NULL; /* copied into b->values */
        for (size_t k = 0; k < in->n_inputs; k++)
            in->inputs[k].start += at[K_VALUES];
    }
}

static void append(gd_batch *b, const wire_view *v, const gd_sweep *s)
{
    size_t at[K_COUNT];
    wire_array a[A_COUNT];
    batch_lengths(b, at);
    at[K_VALUES] = b->values_len; /* received values are copied after the batch's own */
    batch_arrays(b, a);
    for (int i = 0; i < A_COUNT; i++) {
        size_t n = v->k[a[i].kind];
        if (n)
            memcpy((unsigned char *)a[i].base + at[a[i].kind] * a[i].elem, v->array[i],
                   n * a[i].elem);
    }
    fix_up(b, v, at, s);
    b->count += v->k[K_RUNS];
    b->traj_len += v->k[K_RECORDS];
    b->path_len += v->k[K_PATH];
    b->final_len += v->k[K_FINAL];
    b->n_instances += v->k[K_INSTANCES];
    b->values_len += v->k[K_VALUES];
}

int gd_batch_unpack(gd_batch *b, const void *buf, size_t len, const gd_sweep *s,
                    gd_error *err)
{
    wire_view v;
    const unsigned char *p = buf;
    if (read_header(&v, p, len, err) < 0 || locate(&v, b, p, len, err) < 0 ||
        check_runs(&v, s, err) < 0 || check_instances(&v, s, err) < 0)
        return -1;
    gd_batch_sizes more = {v.k[K_RUNS], v.k[K_RECORDS], v.k[K_PATH], v.k[K_FINAL],
                           v.k[K_INSTANCES], v.k[K_VALUES]};
    if (gd_batch_reserve(b, &more, err) < 0)
        return -1;
    append(b, &v, s);
    return 0;
}
