/* test_wire.c - packing a result batch into bytes and back (gdsweep/wire.h).
 *
 * A real small grid (quadratic, curvefit and denoise sections, two optimizers, two
 * schedules) is run by a worker into a batch; one synthetic run adds a parameter path.
 * The batch is packed, unpacked into a fresh batch and into one that already holds runs,
 * and compared entry by entry; merged without packing, it gives the same. Then every truncation of a small batch's buffer, and
 * corrupt headers, counts, ids and instances, must fail cleanly and leave the receiving
 * batch as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/wire.h"
#include "gdsweep/worker.h"

static const char grid_text[] =
    "[sweep]\n"
    "name = wiretest\n"
    "seed = 5\n"
    "repeats = 2\n"
    "iterations = 30\n"
    "record_every = 7\n"
    "\n"
    "[problem q]\n"
    "type = quadratic\n"
    "x0 = 5\n"
    "a = 1, 2\n"
    "save_final = true\n"
    "\n"
    "[problem fit]\n"
    "type = curvefit\n"
    "points = 20\n"
    "save_final = true, false\n"
    "\n"
    "[problem img]\n"
    "type = denoise\n"
    "size = 6\n"
    "\n"
    "[optimizer plain]\n"
    "type = gd\n"
    "lr = 1e-4, 1e-3\n"
    "schedule = constant, step\n"
    "\n"
    "[optimizer adam]\n"
    "lr = 0.01\n"
    "problems = q, img\n";

/* Header: magic, version, two struct sizes (4 bytes each), six 8-byte counts. */
#define HEADER 64
enum { C_RUNS, C_RECORDS, C_PATH, C_FINAL, C_INSTANCES, C_VALUES };

typedef struct fixture {
    gd_sweep s;
    gd_batch b;        /* what is sent */
} fixture;

static void load_grid(gd_sweep *s)
{
    gd_error err;
    if (gd_sweep_parse(s, "wire_test.ini", grid_text, strlen(grid_text), 0, &err) != 0)
        fail_msg("%s", err.msg);
}

/* One run with a two-dimensional path, which the worker does not record. */
static void add_path_run(gd_batch *b, const gd_sweep *s, uint64_t id)
{
    long iteration[3] = {0, 7, 14};
    double loss[3] = {3, 2, 1}, grad[3] = {0.5, 0.25, 0.125}, lr[3] = {0.1, 0.1, 0.05};
    double batch_loss[3] = {2.5, 1.5, 0.5};
    double path[6] = {1, 2, 3, 4, 5, 6}, x[2] = {-1, -2};
    gd_history h = {.capacity = 3, .count = 3, .iteration = iteration, .loss = loss,
                    .grad_norm = grad, .lr = lr, .batch_loss = batch_loss, .path_dim = 2,
                    .path = path};
    gd_run_desc d;
    gd_run_result r = {.status = GD_STATUS_CONVERGED, .iterations = 14, .loss_final = 1};
    gd_error err;
    gd_sweep_decode(s, id, &d);
    assert_int_equal(gd_batch_add(b, &d, &r, &h, x, 2, &err), 0);
}

/* Runs ids [from, to) through a worker into b. */
static void run_range(gd_batch *b, const gd_sweep *s, uint64_t from, uint64_t to)
{
    gd_worker w;
    gd_error err;
    gd_worker_init(&w, s, 3);
    for (uint64_t id = from; id < to; id++)
        if (gd_worker_run(&w, id, b, &err) != 0)
            fail_msg("run %llu: %s", (unsigned long long)id, err.msg);
    gd_worker_free(&w);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    load_grid(&f->s);
    run_range(&f->b, &f->s, 0, f->s.n_runs);
    add_path_run(&f->b, &f->s, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gd_batch_free(&f->b);
    gd_sweep_free(&f->s);
    free(f);
    return 0;
}

static unsigned char *pack(const gd_batch *b, size_t *size)
{
    *size = gd_batch_wire_size(b);
    unsigned char *buf = malloc(*size);
    assert_non_null(buf);
    gd_batch_pack(b, buf);
    return buf;
}

/* ---- comparing ----------------------------------------------------------------------- */

/* Descriptions equal field by field, the schedule pointer excepted. */
static void same_desc_but_schedule(const gd_run_desc *a, const gd_run_desc *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->problem, b->problem);
    assert_int_equal(a->optimizer, b->optimizer);
    assert_int_equal(a->instance, b->instance);
    assert_int_equal(a->repeat, b->repeat);
    assert_memory_equal(a->problem_params, b->problem_params, sizeof a->problem_params);
    assert_memory_equal(&a->control, &b->control, sizeof a->control);
    assert_memory_equal(a->optimizer_params, b->optimizer_params, sizeof a->optimizer_params);
    assert_memory_equal(a->schedule_params, b->schedule_params, sizeof a->schedule_params);
}

/* Run i of a against run j of b: description, result and every recorded value. */
static void same_run(const gd_sweep *s, const gd_batch *a, size_t i, const gd_batch *b,
                     size_t j)
{
    gd_run_desc decoded;
    gd_sweep_decode(s, a->desc[i].id, &decoded);
    same_desc_but_schedule(&a->desc[i], &b->desc[j]);
    assert_ptr_equal(b->desc[j].schedule, decoded.schedule);
    assert_memory_equal(&a->result[i], &b->result[j], sizeof a->result[i]);
    size_t n = a->traj_count[i], ta = a->traj_start[i], tb = b->traj_start[j];
    assert_int_equal(b->traj_count[j], n);
    assert_memory_equal(a->iteration + ta, b->iteration + tb, n * sizeof(long));
    assert_memory_equal(a->loss + ta, b->loss + tb, n * sizeof(double));
    assert_memory_equal(a->grad_norm + ta, b->grad_norm + tb, n * sizeof(double));
    assert_memory_equal(a->lr + ta, b->lr + tb, n * sizeof(double));
    assert_int_equal(b->path_count[j], a->path_count[i]);
    assert_memory_equal(a->path + a->path_start[i], b->path + b->path_start[j],
                        a->path_count[i] * sizeof(double));
    assert_int_equal(b->final_count[j], a->final_count[i]);
    assert_memory_equal(a->final + a->final_start[i], b->final + b->final_start[j],
                        a->final_count[i] * sizeof(double));
}

static void same_instance(const gd_batch *a, size_t i, const gd_batch *b, size_t j)
{
    const gd_batch_instance *x = &a->instances[i], *y = &b->instances[j];
    assert_int_equal(x->run_id, y->run_id);
    assert_int_equal(x->instance, y->instance);
    assert_int_equal(x->n, y->n);
    assert_int_equal(x->has_optimum, y->has_optimum);
    assert_memory_equal(&x->f_opt, &y->f_opt, sizeof x->f_opt);
    assert_int_equal(x->n_inputs, y->n_inputs);
    for (size_t k = 0; k < x->n_inputs; k++) {
        const gd_batch_input *p = &x->inputs[k], *q = &y->inputs[k];
        assert_string_equal(p->name, q->name);
        assert_int_equal(p->rank, q->rank);
        assert_memory_equal(p->dims, q->dims, sizeof p->dims);
        assert_int_equal(p->count, q->count);
        assert_true(b->held[j] || q->start + q->count <= b->values_len);
        assert_memory_equal(gd_batch_input_values(a, i, k), gd_batch_input_values(b, j, k),
                            p->count * sizeof(double));
    }
}

/* The runs and instances of a appear in b from run `at` and instance `inst_at` on. */
static void same_batch_at(const gd_sweep *s, const gd_batch *a, const gd_batch *b,
                          size_t at, size_t inst_at)
{
    assert_true(b->count >= at + a->count);
    assert_true(b->n_instances >= inst_at + a->n_instances);
    for (size_t i = 0; i < a->count; i++)
        same_run(s, a, i, b, at + i);
    for (size_t i = 0; i < a->n_instances; i++)
        same_instance(a, i, b, inst_at + i);
}

/* Offsets of b are the running sums of its counts, ending at the lengths. */
static void offsets_consistent(const gd_batch *b)
{
    size_t t = 0, p = 0, x = 0;
    for (size_t i = 0; i < b->count; i++) {
        assert_int_equal(b->traj_start[i], t);
        assert_int_equal(b->path_start[i], p);
        assert_int_equal(b->final_start[i], x);
        t += b->traj_count[i];
        p += b->path_count[i];
        x += b->final_count[i];
    }
    assert_int_equal(t, b->traj_len);
    assert_int_equal(p, b->path_len);
    assert_int_equal(x, b->final_len);
}

/* ---- round trips -------------------------------------------------------------------- */

/* The sent batch has what the test is about: curvefit and denoise instances, finals,
 * a path, several records per run. */
static void test_fixture_covers_everything(void **state)
{
    fixture *f = *state;
    int types[2] = {0, 0};
    for (size_t i = 0; i < f->b.n_instances; i++) {
        gd_run_desc d;
        gd_sweep_decode(&f->s, f->b.instances[i].run_id, &d);
        const char *name = f->s.problems[d.problem].type->name;
        types[0] += strcmp(name, "curvefit") == 0;
        types[1] += strcmp(name, "denoise") == 0;
    }
    assert_int_equal(types[0], 2);                  /* one per repeat */
    assert_int_equal(types[1], 2);
    assert_int_equal(f->b.n_instances, 4);         /* quadratic keeps no inputs */
    assert_int_equal(f->b.count, f->s.n_runs + 1);
    assert_true(f->b.path_len > 0 && f->b.final_len > 0 &&
                gd_batch_instance_values(&f->b) > 36);
    assert_int_equal(f->b.values_len, 0);           /* the instances are held, not copied */
    assert_true(f->b.traj_len > f->b.count);
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    size_t size;
    gd_error err;
    gd_batch got = {0};
    unsigned char *buf = pack(&f->b, &size);
    assert_int_equal(gd_batch_unpack(&got, buf, size, &f->s, &err), 0);
    same_batch_at(&f->s, &f->b, &got, 0, 0);
    offsets_consistent(&got);
    assert_int_equal(got.count, f->b.count);
    assert_int_equal(got.n_instances, f->b.n_instances);
    assert_int_equal(got.traj_len, f->b.traj_len);
    assert_int_equal(got.values_len, gd_batch_instance_values(&f->b));  /* copied here */
    assert_int_equal(gd_batch_wire_size(&got), size);   /* and it packs the same again */
    unsigned char *again = pack(&got, &size);
    assert_memory_equal(buf, again, size);
    free(again);
    free(buf);
    gd_batch_free(&got);
}

/* The schedule pointer is rebuilt from the id, never taken from the bytes: a sender whose
 * pointers mean nothing here still unpacks to the decoded descriptions. */
static void test_descriptions_are_decoded(void **state)
{
    fixture *f = *state;
    gd_batch sent = {0}, got = {0};
    gd_error err;
    size_t size;
    run_range(&sent, &f->s, 0, 6);
    for (size_t i = 0; i < sent.count; i++)
        sent.desc[i].schedule = (const gd_schedule_type *)(uintptr_t)(0x1000 + 8 * i);
    unsigned char *buf = pack(&sent, &size);
    assert_int_equal(gd_batch_unpack(&got, buf, size, &f->s, &err), 0);
    for (size_t i = 0; i < got.count; i++) {
        gd_run_desc d;
        gd_sweep_decode(&f->s, i, &d);
        assert_non_null(got.desc[i].schedule);
        assert_ptr_equal(got.desc[i].schedule, d.schedule);
        same_desc_but_schedule(&got.desc[i], &d);
    }
    free(buf);
    gd_batch_free(&sent);
    gd_batch_free(&got);
}

/* Unpacking appends: runs, offsets and instance inputs land after what b holds. */
static void test_unpack_appends(void **state)
{
    fixture *f = *state;
    gd_batch got = {0};
    gd_error err;
    size_t size;
    run_range(&got, &f->s, f->s.n_runs - 5, f->s.n_runs);   /* a denoise instance */
    gd_batch before = {0};
    run_range(&before, &f->s, f->s.n_runs - 5, f->s.n_runs);
    assert_int_equal(got.n_instances, 1);
    for (size_t i = 0; i < got.count; i++)          /* the one thing that differs */
        got.result[i].wall_seconds = before.result[i].wall_seconds = 0;
    unsigned char *buf = pack(&f->b, &size);
    assert_int_equal(gd_batch_unpack(&got, buf, size, &f->s, &err), 0);
    assert_int_equal(gd_batch_unpack(&got, buf, size, &f->s, &err), 0);
    same_batch_at(&f->s, &before, &got, 0, 0);
    same_batch_at(&f->s, &f->b, &got, before.count, before.n_instances);
    same_batch_at(&f->s, &f->b, &got, before.count + f->b.count,
                  before.n_instances + f->b.n_instances);
    assert_int_equal(got.count, before.count + 2 * f->b.count);
    assert_int_equal(got.n_instances, before.n_instances + 2 * f->b.n_instances);
    offsets_consistent(&got);
    assert_int_equal(gd_batch_instance_values(&got),
                     gd_batch_instance_values(&before) + 2 * gd_batch_instance_values(&f->b));
    free(buf);
    gd_batch_free(&got);
    gd_batch_free(&before);
}

/* Merging a batch of this process (gd_batch_merge) gives what packing and unpacking it
 * gives: the same runs and instances, appended after what the batch holds, the held
 * instances held again (no values copied), and it packs to the same bytes. */
static void test_merge_is_unpack(void **state)
{
    fixture *f = *state;
    gd_batch merged = {0}, unpacked = {0};
    gd_error err;
    size_t size, again_size;
    run_range(&merged, &f->s, f->s.n_runs - 5, f->s.n_runs);
    run_range(&unpacked, &f->s, f->s.n_runs - 5, f->s.n_runs);
    size_t runs = merged.count, instances = merged.n_instances;
    for (size_t i = 0; i < runs; i++)
        merged.result[i].wall_seconds = unpacked.result[i].wall_seconds = 0;
    unsigned char *buf = pack(&f->b, &size);
    assert_int_equal(gd_batch_unpack(&unpacked, buf, size, &f->s, &err), 0);
    assert_int_equal(gd_batch_merge(&merged, &f->b, &f->s, &err), 0);
    same_batch_at(&f->s, &f->b, &merged, runs, instances);
    offsets_consistent(&merged);
    assert_int_equal(merged.values_len, 0);                 /* held, not copied */
    assert_int_equal(gd_batch_instance_values(&merged), gd_batch_instance_values(&unpacked));
    unsigned char *a = pack(&merged, &size), *b = pack(&unpacked, &again_size);
    assert_int_equal(size, again_size);
    assert_memory_equal(a, b, size);
    free(a);
    free(b);
    free(buf);
    gd_batch_free(&merged);
    gd_batch_free(&unpacked);
}

/* The buffer may sit at any address (all access is by memcpy). */
static void test_unaligned_buffer(void **state)
{
    fixture *f = *state;
    gd_batch got = {0};
    gd_error err;
    size_t size = gd_batch_wire_size(&f->b);
    unsigned char *buf = malloc(size + 3);
    assert_non_null(buf);
    gd_batch_pack(&f->b, buf + 3);
    assert_int_equal(gd_batch_unpack(&got, buf + 3, size, &f->s, &err), 0);
    same_batch_at(&f->s, &f->b, &got, 0, 0);
    free(buf);
    gd_batch_free(&got);
}

static void test_empty_batch(void **state)
{
    fixture *f = *state;
    gd_batch empty = {0}, got = {0};
    gd_error err;
    assert_int_equal(gd_batch_wire_size(&empty), HEADER);
    unsigned char buf[HEADER];
    gd_batch_pack(&empty, buf);
    assert_int_equal(gd_batch_unpack(&got, buf, sizeof buf, &f->s, &err), 0);
    assert_int_equal(got.count + got.n_instances + got.traj_len + got.values_len, 0);
    gd_batch_free(&got);
}

/* ---- failures ----------------------------------------------------------------------- */

/* Unpacking buf[0 .. len) into a batch holding runs fails, and the batch is untouched. */
static void expect_reject(const fixture *f, const unsigned char *buf, size_t len,
                          const char *mention)
{
    gd_batch got = {0};
    gd_error err = {{0}, 0};
    run_range(&got, &f->s, 0, 2);
    gd_batch_sizes was = {got.count, got.traj_len, got.path_len, got.final_len,
                          got.n_instances, got.values_len};
    if (gd_batch_unpack(&got, buf, len, &f->s, &err) != -1)
        fail_msg("a buffer of %zu bytes was accepted (expected: %s)", len, mention);
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    if (!strstr(err.msg, mention))
        fail_msg("'%s' does not mention '%s'", err.msg, mention);
    gd_batch_sizes now = {got.count, got.traj_len, got.path_len, got.final_len,
                          got.n_instances, got.values_len};
    assert_memory_equal(&was, &now, sizeof was);
    gd_batch_free(&got);
}

/* A small batch: a few runs, one curvefit instance. Every shorter buffer fails, and so
 * does a longer one. */
static void test_every_truncation_fails(void **state)
{
    fixture *f = *state;
    gd_batch small = {0};
    size_t size;
    run_range(&small, &f->s, 20, 23);              /* fit's first runs */
    assert_int_equal(small.n_instances, 1);
    unsigned char *buf = pack(&small, &size);
    unsigned char *copy = malloc(size + 8);
    assert_non_null(copy);
    for (size_t len = 0; len < size; len++) {      /* exactly len bytes to read */
        gd_batch got = {0};
        gd_error err;
        unsigned char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, buf, len);
        assert_int_equal(gd_batch_unpack(&got, exact, len, &f->s, &err), -1);
        assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
        assert_int_equal(got.count + got.n_instances, 0);
        free(exact);
    }
    memcpy(copy, buf, size);
    memset(copy + size, 0, 8);
    expect_reject(f, copy, size + 8, "longer than its counts");
    expect_reject(f, buf, HEADER - 1, "shorter than its header");
    expect_reject(f, buf, size - 1, "truncated");
    free(copy);
    free(buf);
    gd_batch_free(&small);
}

/* Truncations of the large batch at a spread of lengths. */
static void test_truncated_large_batch(void **state)
{
    fixture *f = *state;
    size_t size;
    unsigned char *buf = pack(&f->b, &size);
    const size_t cut[] = {0, 1, 8, HEADER, HEADER + 7, size / 3, size / 2, size - 8};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        unsigned char *exact = malloc(cut[i] ? cut[i] : 1);
        assert_non_null(exact);
        memcpy(exact, buf, cut[i]);
        expect_reject(f, exact, cut[i], "corrupt");
        free(exact);
    }
    free(buf);
}

static void put_u32(unsigned char *buf, size_t at, uint32_t v)
{
    memcpy(buf + at, &v, sizeof v);
}

static void put_u64(unsigned char *buf, size_t at, uint64_t v)
{
    memcpy(buf + at, &v, sizeof v);
}

static uint64_t get_u64(const unsigned char *buf, size_t at)
{
    uint64_t v;
    memcpy(&v, buf + at, sizeof v);
    return v;
}

static size_t count_at(size_t c)
{
    return 16 + 8 * c;
}

static void test_corrupt_header(void **state)
{
    fixture *f = *state;
    size_t size;
    unsigned char *buf = pack(&f->b, &size);
    put_u32(buf, 0, 0x12345678u);
    expect_reject(f, buf, size, "bad magic");
    free(buf);
    buf = pack(&f->b, &size);
    put_u32(buf, 4, 99);
    expect_reject(f, buf, size, "another gdsweep build");
    free(buf);
    buf = pack(&f->b, &size);
    put_u32(buf, 8, (uint32_t)sizeof(gd_run_result) + 8);
    expect_reject(f, buf, size, "another gdsweep build");
    free(buf);
    const struct { int which; uint64_t delta; } bumps[] = {
        {C_RUNS, 1}, {C_RUNS, UINT64_MAX / 2}, {C_RECORDS, 1}, {C_PATH, 2},
        {C_FINAL, UINT64_MAX - 3}, {C_INSTANCES, 1}, {C_VALUES, 1}};
    for (size_t i = 0; i < sizeof bumps / sizeof bumps[0]; i++) {
        buf = pack(&f->b, &size);
        size_t at = count_at((size_t)bumps[i].which);
        put_u64(buf, at, get_u64(buf, at) + bumps[i].delta);
        expect_reject(f, buf, size, "corrupt");
        free(buf);
    }
}

/* Where the arrays of a packed b start (white box: the order documented in wire.h). */
typedef struct offsets {
    size_t ids, traj_count, path_count, instances;
} offsets;

static offsets offsets_of(const gd_batch *b, size_t size)
{
    offsets o;
    o.ids = HEADER;
    o.traj_count = o.ids + b->count * (8 + sizeof(gd_run_result));
    o.path_count = o.traj_count + b->count * sizeof(size_t);
    o.instances = size - gd_batch_instance_values(b) * sizeof(double) -
                  b->n_instances * sizeof(gd_batch_instance);
    return o;
}

/* A run id beyond the grid, per-run counts that do not add up, a path that is not whole
 * records. */
static void test_corrupt_runs(void **state)
{
    fixture *f = *state;
    size_t size;
    unsigned char *buf = pack(&f->b, &size);
    offsets o = offsets_of(&f->b, size);
    assert_int_equal(get_u64(buf, o.ids), f->b.desc[0].id);     /* the layout is right */
    put_u64(buf, o.ids + 8 * 3, f->s.n_runs);
    expect_reject(f, buf, size, "run id beyond the grid");
    free(buf);

    size_t r = 0;                                   /* a run without a path */
    while (f->b.path_count[r] != 0)
        r++;
    assert_true(f->b.traj_count[r] > 0);
    buf = pack(&f->b, &size);
    put_u64(buf, o.traj_count + 8 * r, get_u64(buf, o.traj_count + 8 * r) - 1);
    expect_reject(f, buf, size, "do not add up");
    free(buf);

    buf = pack(&f->b, &size);
    put_u64(buf, o.traj_count + 8, UINT64_MAX);
    expect_reject(f, buf, size, "overrun");
    free(buf);

    r = f->b.count - 1;                             /* the path run: 3 records, 6 values */
    assert_int_equal(f->b.path_count[r], 6);
    buf = pack(&f->b, &size);
    size_t at = o.traj_count + 8 * r;               /* 4 records: 6 % 4 != 0 */
    put_u64(buf, at, 4);
    put_u64(buf, at - 8, get_u64(buf, at - 8) - 1);  /* the total stays right */
    expect_reject(f, buf, size, "not whole records");
    free(buf);
}

static void corrupt_instance(const fixture *f, size_t k, void (*edit)(gd_batch_instance *),
                             const char *mention)
{
    size_t size;
    unsigned char *buf = pack(&f->b, &size);
    offsets o = offsets_of(&f->b, size);
    gd_batch_instance in;
    size_t at = o.instances + k * sizeof in;
    memcpy(&in, buf + at, sizeof in);
    assert_int_equal(in.run_id, f->b.instances[k].run_id);      /* the layout is right */
    edit(&in);
    memcpy(buf + at, &in, sizeof in);
    expect_reject(f, buf, size, mention);
    free(buf);
}

static void start_past_end(gd_batch_instance *in) { in->inputs[0].start += 1u << 30; }
static void huge_start(gd_batch_instance *in) { in->inputs[1].start = SIZE_MAX - 1; }
static void bad_rank(gd_batch_instance *in) { in->inputs[0].rank = 3; }
static void wrong_count(gd_batch_instance *in) { in->inputs[0].count += 1; }
static void wrapping_dims(gd_batch_instance *in)
{
    assert_int_equal(in->inputs[0].count % 2, 0);
    in->inputs[0].rank = 2;                         /* 2 * dims[0] wraps around to count */
    in->inputs[0].dims[0] = (SIZE_MAX / 2 + 1) + in->inputs[0].count / 2;
    in->inputs[0].dims[1] = 2;
}
static void no_nul(gd_batch_instance *in)
{
    memset(in->inputs[0].name, 'x', sizeof in->inputs[0].name);
}
static void too_many_inputs(gd_batch_instance *in) { in->n_inputs = GD_MAX_INPUTS + 1; }
static void run_beyond(gd_batch_instance *in) { in->run_id = UINT64_MAX; }

static void test_corrupt_instances(void **state)
{
    fixture *f = *state;
    size_t last = f->b.n_instances - 1;
    corrupt_instance(f, 0, start_past_end, "input out of bounds");
    corrupt_instance(f, last, huge_start, "input out of bounds");
    corrupt_instance(f, 0, bad_rank, "input out of bounds");
    corrupt_instance(f, 0, wrong_count, "input out of bounds");
    corrupt_instance(f, 0, wrapping_dims, "input out of bounds");
    corrupt_instance(f, last, no_nul, "input out of bounds");
    corrupt_instance(f, 0, too_many_inputs, "too many inputs");
    corrupt_instance(f, last, run_beyond, "beyond the grid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_covers_everything),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_descriptions_are_decoded),
        cmocka_unit_test(test_unpack_appends),
        cmocka_unit_test(test_merge_is_unpack),
        cmocka_unit_test(test_unaligned_buffer),
        cmocka_unit_test(test_empty_batch),
        cmocka_unit_test(test_every_truncation_fails),
        cmocka_unit_test(test_truncated_large_batch),
        cmocka_unit_test(test_corrupt_header),
        cmocka_unit_test(test_corrupt_runs),
        cmocka_unit_test(test_corrupt_instances),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
