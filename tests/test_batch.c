/* test_batch.c - the result batch: copies, records in place, geometric growth, offsets,
 * instances (copied, or held by their block), the final slot, clear and free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/batch.h"
#include "gdsweep/problem.h"

/* A problem type that stores its inputs, and one that does not (only the flag is read). */
static const gd_problem_type stored_type = {.name = "stored", .stores_inputs = 1};
static const gd_problem_type plain_type = {.name = "plain", .stores_inputs = 0};

/* Run r's synthetic history: records and path dimension vary with r. */
static size_t records_of(size_t r)
{
    return (r * 7) % 23;              /* 0 .. 22, zero for some runs */
}

static size_t path_dim_of(size_t r)
{
    return r % 3;                     /* 0: no path */
}

static size_t final_of(size_t r)
{
    return r % 4 == 1 ? 0 : r % 5 + 1;
}

static double value(size_t r, size_t k, int which)
{
    return (double)r * 1000.0 + (double)k + 0.25 * which;
}

typedef struct fixture {
    long iteration[32];
    double loss[32], grad_norm[32], lr[32], batch_loss[32], path[64], x[8];
    gd_history h;
} fixture;

static void make_run(fixture *f, size_t r, gd_run_desc *d, gd_run_result *res)
{
    memset(d, 0, sizeof *d);
    memset(res, 0, sizeof *res);
    d->id = 100 + r;
    d->instance = r / 2;
    res->iterations = (long)r;
    res->loss_final = value(r, 0, 9);
    f->h = (gd_history){.capacity = 32, .count = records_of(r), .iteration = f->iteration,
                        .loss = f->loss, .grad_norm = f->grad_norm, .lr = f->lr,
                        .batch_loss = f->batch_loss,
                        .path_dim = path_dim_of(r), .path = f->path};
    for (size_t k = 0; k < f->h.count; k++) {
        f->iteration[k] = (long)(k * 10 + r);
        f->loss[k] = value(r, k, 1);
        f->grad_norm[k] = value(r, k, 2);
        f->lr[k] = value(r, k, 3);
        f->batch_loss[k] = value(r, k, 5);
        for (size_t j = 0; j < f->h.path_dim; j++)
            f->path[k * f->h.path_dim + j] = value(r, k * 10 + j, 4);
    }
    for (size_t j = 0; j < final_of(r); j++)
        f->x[j] = value(r, j, 5);
}

static void add_runs(gd_batch *b, size_t first, size_t n)
{
    fixture f;
    gd_error err;
    for (size_t r = first; r < first + n; r++) {
        gd_run_desc d;
        gd_run_result res;
        make_run(&f, r, &d, &res);
        assert_int_equal(gd_batch_add(b, &d, &res, &f.h, f.x, final_of(r), &err), 0);
    }
}

/* Checks every array of b against runs first .. first + b->count - 1. */
static void check_runs(const gd_batch *b, size_t first)
{
    size_t traj = 0, path = 0, fin = 0;
    for (size_t i = 0; i < b->count; i++) {
        size_t r = first + i, n = records_of(r), dim = path_dim_of(r);
        assert_int_equal(b->desc[i].id, 100 + r);
        assert_int_equal(b->desc[i].instance, r / 2);
        assert_int_equal(b->result[i].iterations, (long)r);
        assert_true(b->result[i].loss_final == value(r, 0, 9));
        assert_int_equal(b->traj_start[i], traj);
        assert_int_equal(b->traj_count[i], n);
        assert_int_equal(b->path_start[i], path);
        assert_int_equal(b->path_count[i], n * dim);
        assert_int_equal(b->final_start[i], fin);
        assert_int_equal(b->final_count[i], final_of(r));
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(b->iteration[traj + k], (long)(k * 10 + r));
            assert_true(b->loss[traj + k] == value(r, k, 1));
            assert_true(b->grad_norm[traj + k] == value(r, k, 2));
            assert_true(b->lr[traj + k] == value(r, k, 3));
            for (size_t j = 0; j < dim; j++)
                assert_true(b->path[path + k * dim + j] == value(r, k * 10 + j, 4));
        }
        for (size_t j = 0; j < final_of(r); j++)
            assert_true(b->final[fin + j] == value(r, j, 5));
        traj += n;
        path += n * dim;
        fin += final_of(r);
    }
    assert_int_equal(b->traj_len, traj);
    assert_int_equal(b->path_len, path);
    assert_int_equal(b->final_len, fin);
    assert_true(b->capacity >= b->count && b->traj_cap >= b->traj_len);
    assert_true(b->path_cap >= b->path_len && b->final_cap >= b->final_len);
}

/* 500 runs grow every array several times; contents and offsets survive the moves. */
/* Runs r = first .. first + n - 1 recorded in place (gd_batch_history_in_place), as the
 * worker does: the fixture's values written through the view, then added. Every third
 * view is abandoned (nothing added), as an interrupted run's is. */
static void add_runs_in_place(gd_batch *b, size_t first, size_t n)
{
    fixture f;
    gd_error err;
    for (size_t r = first; r < first + n; r++) {
        gd_run_desc d;
        gd_run_result res;
        gd_history h;
        make_run(&f, r, &d, &res);
        if (r % 3 == 0) {
            assert_int_equal(gd_batch_history_in_place(b, &h, 32, &err), 0);
            h.count = 5; /* recorded, then abandoned */
        }
        assert_int_equal(gd_batch_history_in_place(b, &h, f.h.count, &err), 0);
        assert_true(h.capacity == f.h.count && h.count == 0);
        h.count = f.h.count;
        h.path_dim = f.h.path_dim;
        for (size_t k = 0; k < h.count; k++) {
            h.iteration[k] = f.iteration[k];
            h.loss[k] = f.loss[k];
            h.grad_norm[k] = f.grad_norm[k];
            h.lr[k] = f.lr[k];
            h.batch_loss[k] = f.batch_loss[k];
        }
        memcpy(h.path, f.path, h.count * h.path_dim * sizeof *h.path);
        assert_int_equal(gd_batch_add(b, &d, &res, &h, f.x, final_of(r), &err), 0);
    }
}

/* Runs recorded in place and runs copied, mixed across growths and a clear: the same
 * arrays as copying every run. */
static void test_records_in_place(void **state)
{
    gd_batch b = {0};
    add_runs_in_place(&b, 0, 40);
    add_runs(&b, 40, 30);
    add_runs_in_place(&b, 70, 150);
    assert_int_equal(b.count, 220);
    check_runs(&b, 0);
    gd_batch_clear(&b);
    add_runs_in_place(&b, 5, 60);
    check_runs(&b, 5);
    gd_batch_free(&b);
}

static void test_add_and_grow(void **state)
{
    gd_batch b = {0};
    add_runs(&b, 0, 500);
    assert_int_equal(b.count, 500);
    assert_true(b.traj_len > 4000);
    check_runs(&b, 0);
    gd_batch_free(&b);
}

/* Growth is geometric: capacity never more than doubles past what is needed. */
static void test_growth_is_geometric(void **state)
{
    gd_batch b = {0};
    size_t changes = 0, cap = 0;
    for (size_t r = 0; r < 3000; r++) {
        add_runs(&b, r, 1);
        if (b.capacity != cap) {
            changes++;
            cap = b.capacity;
        }
    }
    assert_true(changes <= 8);              /* 64 .. 4096 */
    assert_true(b.capacity < 2 * 3000);
    gd_batch_free(&b);
}

static void test_clear_keeps_capacity(void **state)
{
    gd_batch b = {0};
    add_runs(&b, 0, 100);
    size_t cap = b.capacity, traj_cap = b.traj_cap;
    double *loss = b.loss;
    gd_batch_clear(&b);
    assert_int_equal(b.count, 0);
    assert_int_equal(b.traj_len, 0);
    assert_int_equal(b.path_len, 0);
    assert_int_equal(b.final_len, 0);
    assert_int_equal(gd_batch_bytes(&b), 0);
    assert_int_equal(b.capacity, cap);
    assert_int_equal(b.traj_cap, traj_cap);
    add_runs(&b, 40, 30);                   /* fits: no reallocation, offsets from 0 */
    assert_ptr_equal(b.loss, loss);
    check_runs(&b, 40);
    gd_batch_free(&b);
    assert_null(b.desc);
    assert_null(b.loss);
    assert_int_equal(b.capacity, 0);
}

/* A run without history or final parameters takes no payload. */
static void test_empty_history(void **state)
{
    gd_batch b = {0};
    gd_run_desc d = {.id = 7};
    gd_run_result r = {.status = 1};
    gd_error err;
    assert_int_equal(gd_batch_add(&b, &d, &r, NULL, NULL, 0, &err), 0);
    gd_history h = {0};
    assert_int_equal(gd_batch_add(&b, &d, &r, &h, NULL, 0, &err), 0);
    assert_int_equal(b.count, 2);
    assert_int_equal(b.traj_count[0] + b.traj_count[1], 0);
    assert_int_equal(b.traj_len + b.path_len + b.final_len, 0);
    assert_int_equal(b.result[1].status, 1);
    gd_batch_free(&b);
}

/* bytes counts at least the payload arrays and grows with every add. */
static void test_bytes(void **state)
{
    gd_batch b = {0};
    size_t last = gd_batch_bytes(&b);
    assert_int_equal(last, 0);
    for (size_t r = 0; r < 50; r++) {
        add_runs(&b, r, 1);
        size_t now = gd_batch_bytes(&b);
        assert_true(now > last);
        last = now;
    }
    size_t payload = b.traj_len * (sizeof(long) + 3 * sizeof(double)) +
                     (b.path_len + b.final_len) * sizeof(double) +
                     b.count * (sizeof(gd_run_desc) + sizeof(gd_run_result));
    assert_true(last >= payload);
    gd_batch_free(&b);
}

/* Instance k: a 2-D input of k+1 rows by 3 and a 1-D input of k+2 values. */
typedef struct fake_instance {
    double grid[8 * 3], line[9];
    gd_problem p;
} fake_instance;

static double input_value(size_t k, size_t j, int which)
{
    return (double)k * 100.0 + (double)j + 0.5 * which;
}

static void make_instance(fake_instance *f, size_t k, const gd_problem_type *type)
{
    memset(&f->p, 0, sizeof f->p);
    for (size_t j = 0; j < (k + 1) * 3; j++)
        f->grid[j] = input_value(k, j, 0);
    for (size_t j = 0; j < k + 2; j++)
        f->line[j] = input_value(k, j, 1);
    f->p.type = type;
    f->p.n = 10 + k;
    f->p.has_optimum = (int)(k % 2);
    f->p.f_opt = -(double)k;
    f->p.inputs[0] = (gd_array){.name = "grid", .rank = 2, .dims = {k + 1, 3}, .data = f->grid};
    f->p.inputs[1] = (gd_array){.name = "line", .rank = 1, .dims = {k + 2, 0}, .data = f->line};
    f->p.n_inputs = 2;
}

static void add_instances(gd_batch *b, size_t first, size_t n)
{
    gd_error err;
    fake_instance f;
    for (size_t k = first; k < first + n; k++) {
        gd_run_desc d = {.id = 1000 + k, .instance = 7 * k};
        make_instance(&f, k, &stored_type);
        assert_int_equal(gd_batch_add_instance(b, &d, &f.p, &err), 0);
    }
}

static void check_instances(const gd_batch *b, size_t first)
{
    size_t at = 0;
    for (size_t i = 0; i < b->n_instances; i++) {
        const gd_batch_instance *in = &b->instances[i];
        size_t k = first + i;
        assert_int_equal(in->run_id, 1000 + k);
        assert_int_equal(in->instance, 7 * k);
        assert_int_equal(in->n, 10 + k);
        assert_int_equal(in->has_optimum, (int)(k % 2));
        assert_true(in->f_opt == -(double)k);
        assert_int_equal(in->n_inputs, 2);
        assert_string_equal(in->inputs[0].name, "grid");
        assert_int_equal(in->inputs[0].rank, 2);
        assert_int_equal(in->inputs[0].dims[0], k + 1);
        assert_int_equal(in->inputs[0].dims[1], 3);
        assert_int_equal(in->inputs[0].count, (k + 1) * 3);
        assert_string_equal(in->inputs[1].name, "line");
        assert_int_equal(in->inputs[1].rank, 1);
        assert_int_equal(in->inputs[1].dims[0], k + 2);
        assert_int_equal(in->inputs[1].count, k + 2);
        for (int w = 0; w < 2; w++) {
            assert_int_equal(in->inputs[w].start, at);
            for (size_t j = 0; j < in->inputs[w].count; j++)
                assert_true(b->values[at + j] == input_value(k, j, w));
            at += in->inputs[w].count;
        }
    }
    assert_int_equal(b->values_len, at);
    assert_true(b->instance_cap >= b->n_instances && b->values_cap >= b->values_len);
}

/* Inputs are copied (the instance may go away) and grow with the batch; a type that
 * keeps no inputs adds nothing. */
static void test_instances(void **state)
{
    gd_batch b = {0};
    gd_error err;
    fake_instance f;
    add_runs(&b, 0, 5);
    size_t bytes = gd_batch_bytes(&b);
    add_instances(&b, 0, 7);                 /* grows past the first capacity */
    assert_int_equal(b.n_instances, 7);
    assert_true(gd_batch_bytes(&b) >= bytes + b.values_len * sizeof(double) +
                                          7 * sizeof(gd_batch_instance));
    check_instances(&b, 0);                  /* add_instances' inputs are gone: copies */
    check_runs(&b, 0);

    gd_run_desc d = {.id = 1, .instance = 1};
    make_instance(&f, 3, &plain_type);
    bytes = gd_batch_bytes(&b);
    assert_int_equal(gd_batch_add_instance(&b, &d, &f.p, &err), 0);
    assert_int_equal(b.n_instances, 7);
    assert_int_equal(gd_batch_bytes(&b), bytes);

    size_t cap = b.instance_cap, values_cap = b.values_cap;
    gd_batch_clear(&b);
    assert_int_equal(b.n_instances, 0);
    assert_int_equal(b.values_len, 0);
    assert_int_equal(gd_batch_bytes(&b), 0);
    assert_int_equal(b.instance_cap, cap);
    assert_int_equal(b.values_cap, values_cap);
    add_instances(&b, 2, 3);                 /* offsets restart from 0 */
    check_instances(&b, 2);
    gd_batch_free(&b);
    assert_null(b.instances);
    assert_null(b.values);
    assert_int_equal(b.instance_cap + b.values_cap, 0);
}

/* A name that does not fit is refused, and nothing is added. */
static void test_instance_name_too_long(void **state)
{
    gd_batch b = {0};
    gd_error err = {{0}, 0};
    fake_instance f;
    char name[GD_INPUT_NAME_MAX + 1];
    memset(name, 'a', GD_INPUT_NAME_MAX);
    name[GD_INPUT_NAME_MAX] = '\0';
    make_instance(&f, 1, &stored_type);
    f.p.inputs[1].name = name;
    gd_run_desc d = {.id = 3};
    assert_int_equal(gd_batch_add_instance(&b, &d, &f.p, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, name));
    assert_int_equal(b.n_instances, 0);
    assert_int_equal(b.values_len, 0);
    name[GD_INPUT_NAME_MAX - 1] = '\0';    /* the longest that fits */
    assert_int_equal(gd_batch_add_instance(&b, &d, &f.p, &err), 0);
    assert_string_equal(b.instances[0].inputs[1].name, name);
    gd_batch_free(&b);
}

/* gd_batch_reserve makes room without changing the contents. */
static void test_reserve(void **state)
{
    gd_batch b = {0};
    gd_error err;
    add_runs(&b, 0, 3);
    add_instances(&b, 0, 2);
    gd_batch_sizes more = {.runs = 500, .records = 9000, .path = 300, .final = 200,
                           .instances = 40, .values = 5000};
    assert_int_equal(gd_batch_reserve(&b, &more, &err), 0);
    assert_true(b.capacity >= 503 && b.traj_cap >= b.traj_len + 9000);
    assert_true(b.path_cap >= b.path_len + 300 && b.final_cap >= b.final_len + 200);
    assert_true(b.instance_cap >= 42 && b.values_cap >= b.values_len + 5000);
    assert_int_equal(b.count, 3);
    assert_int_equal(b.n_instances, 2);
    check_runs(&b, 0);
    check_instances(&b, 0);
    gd_batch_free(&b);
}

/* A real denoise instance of side m (its arrays in a shared block). */
static void setup_denoise(gd_problem *p, double m)
{
    gd_error err;
    double pp[GD_MAX_PARAMS] = {0};
    for (size_t k = 0; gd_problem_denoise.params[k].key; k++)
        pp[k] = gd_problem_denoise.params[k].def;
    pp[0] = m; /* size */
    gd_rng_key key = gd_rng_key_make(9, "img", pp, 1, 0);
    if (gd_problem_denoise.setup(p, GD_NO_FILES, pp, key, &err) != 0)
        fail_msg("%s", err.msg);
}

/* An instance with a block is held, not copied: its inputs are read where the instance
 * put them, still there once the instance is destroyed, and counted in the batch's bytes
 * as copies would be; clear and free drop the block (ASan and valgrind see any leak or
 * use after free). */
static void test_instance_held_not_copied(void **state)
{
    gd_batch b = {0}, copied = {0};
    gd_error err;
    gd_problem p;
    setup_denoise(&p, 9);
    gd_run_desc d = {.id = 4, .instance = 2};
    size_t n = p.n_inputs, count[GD_MAX_INPUTS];
    double *want[GD_MAX_INPUTS];
    for (size_t k = 0; k < n; k++) {
        count[k] = p.inputs[k].dims[0] * p.inputs[k].dims[1];
        want[k] = malloc(count[k] * sizeof(double));
        assert_non_null(want[k]);
        memcpy(want[k], p.inputs[k].data, count[k] * sizeof(double));
    }
    assert_int_equal(gd_batch_add_instance(&b, &d, &p, &err), 0);
    assert_int_equal(b.values_len, 0);                      /* nothing copied */
    assert_int_equal(gd_batch_instance_values(&b), 2 * 81);  /* clean, noisy */
    assert_ptr_equal(gd_batch_input_values(&b, 0, 1), p.inputs[1].data);
    gd_problem q = p;                        /* the same inputs without a block: copied */
    q.block = NULL;
    assert_int_equal(gd_batch_add_instance(&copied, &d, &q, &err), 0);
    assert_int_equal(copied.values_len, 2 * 81);
    assert_int_equal(gd_batch_bytes(&b), gd_batch_bytes(&copied));
    gd_problem_destroy(&p);
    for (size_t k = 0; k < n; k++) {
        assert_memory_equal(gd_batch_input_values(&b, 0, k), want[k], count[k] * sizeof(double));
        assert_memory_equal(gd_batch_input_values(&copied, 0, k), want[k],
                            count[k] * sizeof(double));
        free(want[k]);
    }
    gd_batch_clear(&b);
    assert_int_equal(gd_batch_instance_values(&b), 0);
    setup_denoise(&p, 5);                    /* held again after a clear, freed by free */
    assert_int_equal(gd_batch_add_instance(&b, &d, &p, &err), 0);
    gd_problem_destroy(&p);
    assert_int_equal(gd_batch_instance_values(&b), 2 * 25);
    gd_batch_free(&b);
    gd_batch_free(&copied);
}

/* An input outside the instance's block makes the batch copy every input. */
static void test_input_outside_block_copied(void **state)
{
    gd_batch b = {0};
    gd_error err;
    gd_problem p;
    double outside[3] = {1, 2, 3};
    setup_denoise(&p, 4);
    p.inputs[p.n_inputs++] = (gd_array){.name = "outside", .rank = 1, .dims = {3, 0},
                                        .data = outside};
    gd_run_desc d = {.id = 0, .instance = 0};
    assert_int_equal(gd_batch_add_instance(&b, &d, &p, &err), 0);
    assert_null(b.held[0]);
    assert_int_equal(b.values_len, 16 + 16 + 3);
    outside[1] = -1;
    assert_true(gd_batch_input_values(&b, 0, 2)[1] == 2);
    gd_problem_destroy(&p);
    gd_batch_free(&b);
}

/* Inputs that are less than a quarter of the block are copied: holding would keep the
 * rest (a design matrix) alive for them. One input of 20 values, of a block of over 180:
 * copied; the clean image alone (81): held. */
static void test_small_inputs_copied(void **state)
{
    gd_batch b = {0};
    gd_error err;
    gd_problem p;
    setup_denoise(&p, 9);
    p.n_inputs = 1;
    p.inputs[0] = (gd_array){.name = "part", .rank = 1, .dims = {20, 0},
                             .data = p.inputs[0].data};
    gd_run_desc d = {.id = 0, .instance = 0};
    assert_int_equal(gd_batch_add_instance(&b, &d, &p, &err), 0);
    assert_null(b.held[0]);
    assert_int_equal(b.values_len, 20);
    p.inputs[0].dims[0] = 81;
    assert_int_equal(gd_batch_add_instance(&b, &d, &p, &err), 0);
    assert_non_null(b.held[1]);
    assert_int_equal(b.values_len, 20);
    gd_problem_destroy(&p);
    gd_batch_free(&b);
}

/* A run iterated in the final slot keeps its values without a copy; a run given another
 * x_final is copied after it. */
static void test_final_slot(void **state)
{
    gd_batch b = {0};
    gd_error err;
    gd_run_desc d = {.id = 0};
    gd_run_result r = {.status = GD_STATUS_CONVERGED};
    double other[2] = {7, 8};
    double *slot = gd_batch_final_slot(&b, 3, &err);
    assert_non_null(slot);
    slot[0] = 1, slot[1] = 2, slot[2] = 3;
    assert_int_equal(gd_batch_add(&b, &d, &r, NULL, slot, 3, &err), 0);
    assert_int_equal(gd_batch_add(&b, &d, &r, NULL, other, 2, &err), 0);
    assert_int_equal(b.final_len, 5);
    const double want[5] = {1, 2, 3, 7, 8};
    assert_memory_equal(b.final, want, sizeof want);
    assert_int_equal(b.final_start[1], 3);
    gd_batch_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_grow),
        cmocka_unit_test(test_records_in_place),
        cmocka_unit_test(test_growth_is_geometric),
        cmocka_unit_test(test_clear_keeps_capacity),
        cmocka_unit_test(test_empty_history),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_instance_name_too_long),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_instance_held_not_copied),
        cmocka_unit_test(test_input_outside_block_copied),
        cmocka_unit_test(test_small_inputs_copied),
        cmocka_unit_test(test_final_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
