/* test_series.c - the table of recorded series (gdsweep/series.h) and what walks it.
 *
 * The table pins the file's series (names, value types, order). Then a history whose
 * every series holds values of its own is reserved, added to a batch, shipped over the
 * wire and written by the store, each step checked series by series from the table, so
 * a series added to the table that one of them forgot fails here. Errors found: a
 * walker that skips or mixes up a series, a wrong element size, a wrong count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "gdsweep/batch.h"
#include "gdsweep/format.h"
#include "gdsweep/series.h"
#include "gdsweep/store.h"
#include "gdsweep/store_read.h"
#include "gdsweep/traj_implicit.h"
#include "gdsweep/wire.h"
#include "test_files.h"

#define RECORDS 3
#define PATH_DIM 2
#define N_FINAL 2

static const char grid_text[] = "[sweep]\nname = series\niterations = 10\nrecord_every = 5\n"
                                "[problem q]\ntype = quadratic\nx0 = 1\nsave_final = true\n"
                                "[optimizer plain]\ntype = gd\nlr = 0.1\n";

/* Value i of series k: its own numbers, whole for integer series. */
static double value_of(int k, size_t i)
{
    double v = 100.0 * k + (double)i;
    return gd_series_table[k].elem == GD_SERIES_INT64 ? v : v + 0.25;
}

static double element(const gd_series *s, const void *array, size_t i)
{
    if (s->elem == GD_SERIES_INT64)
        return (double)((const long *)array)[i];
    return ((const double *)array)[i];
}

static void set_element(const gd_series *s, void *array, size_t i, double v)
{
    if (s->elem == GD_SERIES_INT64)
        ((long *)array)[i] = (long)v;
    else
        ((double *)array)[i] = v;
}

/* Values a run of this test holds in series k. */
static size_t count_of(int k)
{
    switch (gd_series_table[k].extent) {
    case GD_SERIES_PER_RECORD:
        return RECORDS;
    case GD_SERIES_PER_PATH_VALUE:
        return RECORDS * PATH_DIM;
    case GD_SERIES_PER_FINAL_VALUE:
        return N_FINAL;
    }
    return 0;
}

static void test_table_is_the_file_format(void **state)
{
    static const char *const names[] = {"traj/iteration", "traj/loss", "traj/grad_norm",
                                        "traj/lr", "traj/batch_loss", "path/x", "final/x"};
    assert_int_equal(GD_SERIES_COUNT, sizeof names / sizeof names[0]);
    for (int k = 0; k < GD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        assert_string_equal(s->name, names[k]);
        assert_int_equal(s->elem, k == GD_SERIES_iteration ? GD_SERIES_INT64
                                                           : GD_SERIES_FLOAT64);
        assert_int_equal(s->elem_size, 8);
        assert_int_equal(s->extent == GD_SERIES_PER_RECORD, k < GD_RECORD_SERIES_COUNT);
    }
    assert_int_equal(gd_series_record_bytes(), 8 * GD_RECORD_SERIES_COUNT);
    assert_string_equal(gd_series_table[GD_SERIES_path].name, GD_H5_PATH);
    assert_string_equal(gd_series_table[GD_SERIES_final].name, GD_H5_FINAL);
    assert_true(gd_series_table[GD_SERIES_final].history_offset == GD_SERIES_ABSENT);
}

/* A reserved history with every series filled; x the final point. */
static void fill_history(gd_history *h, double x[N_FINAL])
{
    gd_error err;
    memset(h, 0, sizeof *h);
    assert_int_equal(gd_history_reserve(h, RECORDS, PATH_DIM, &err), 0);
    h->count = RECORDS;
    for (int k = 0; k < GD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        void **a = gd_series_history_array(s, h);
        for (size_t i = 0; a && i < count_of(k); i++)
            set_element(s, *a, i, value_of(k, i));
    }
    for (size_t i = 0; i < N_FINAL; i++)
        x[i] = value_of(GD_SERIES_final, i);
}

/* Every series of b holds, from run `run`'s start, the values of fill_history. */
static void check_batch(const gd_batch *b, size_t run)
{
    const size_t start[] = {[GD_SERIES_PER_RECORD] = b->traj_start[run],
                            [GD_SERIES_PER_PATH_VALUE] = b->path_start[run],
                            [GD_SERIES_PER_FINAL_VALUE] = b->final_start[run]};
    for (int k = 0; k < GD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        const void *a = gd_series_batch_values(s, b);
        for (size_t i = 0; i < count_of(k); i++)
            assert_true(element(s, a, start[s->extent] + i) == value_of(k, i));
    }
}

typedef struct fixture {
    gd_sweep s;
    gd_batch b;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gd_error err;
    gd_history h;
    double x[N_FINAL];
    gd_run_result r = {.status = GD_STATUS_MAX_ITER, .iterations = 10};
    gd_run_desc d;
    if (!f || gd_sweep_parse(&f->s, "series.ini", grid_text, strlen(grid_text), 0, &err))
        return -1;
    fill_history(&h, x);
    gd_sweep_decode(&f->s, 0, &d);
    int rc = gd_batch_add(&f->b, &d, &r, &h, x, N_FINAL, &err);
    gd_history_free(&h);
    *state = f;
    return rc == 0 && test_dir_create("series") == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gd_batch_free(&f->b);
    gd_sweep_free(&f->s);
    free(f);
    return test_dir_remove();
}

static void test_history_reserve_and_free(void **state)
{
    gd_history h;
    double x[N_FINAL];
    fill_history(&h, x);
    for (int k = 0; k < GD_SERIES_COUNT; k++) {
        void **a = gd_series_history_array(&gd_series_table[k], &h);
        assert_true(a == NULL || *a != NULL);
    }
    gd_history_free(&h);
    for (int k = 0; k < GD_SERIES_COUNT; k++) {
        void **a = gd_series_history_array(&gd_series_table[k], &h);
        assert_true(a == NULL || *a == NULL);
    }
}

static void test_batch_add_and_bytes(void **state)
{
    fixture *f = *state;
    check_batch(&f->b, 0);
    assert_int_equal(f->b.traj_len, RECORDS);
    assert_int_equal(f->b.path_len, RECORDS * PATH_DIM);
    gd_batch one = {0};
    gd_error err;
    assert_int_equal(gd_batch_add(&one, &f->b.desc[0], &f->b.result[0], NULL, NULL, 0, &err),
                     0);
    assert_int_equal(gd_batch_bytes(&f->b) - gd_batch_bytes(&one),
                     RECORDS * gd_series_record_bytes() +
                         (RECORDS * PATH_DIM + N_FINAL) * sizeof(double));
    gd_batch_free(&one);
}

static void test_wire_carries_every_series(void **state)
{
    fixture *f = *state;
    gd_batch got = {0};
    gd_error err;
    size_t size = gd_batch_wire_size(&f->b);
    unsigned char *buf = malloc(size);
    assert_non_null(buf);
    gd_batch_pack(&f->b, buf);
    assert_int_equal(gd_batch_unpack(&got, buf, size, &f->s, &err), 0);
    assert_int_equal(gd_batch_unpack(&got, buf, size, &f->s, &err), 0);
    check_batch(&got, 0);
    check_batch(&got, 1);
    gd_batch_free(&got);
    free(buf);
}

/* The store writes every series the file stores, with the batch's values, and leaves the
 * implicit ones out (format 3: this grid's constant rate and full batches leave out
 * iteration, lr and batch_loss). */
static void test_store_writes_every_stored_series(void **state)
{
    fixture *f = *state;
    char path[128];
    gd_store *st = NULL;
    gd_reader *r = NULL;
    gd_error err;
    test_path(path, sizeof path, "series.h5");
    assert_int_equal(gd_store_create(&st, path, &f->s, "test", &err), 0);
    assert_int_equal(gd_store_write_batch(st, &f->b, &err), 0);
    assert_int_equal(gd_store_close(st, 0, 1, &err), 0);
    assert_int_equal(gd_reader_open(&r, path, &err), 0);
    unsigned implicit = gd_traj_implicit_of_sweep(&f->s);
    assert_int_equal(implicit, GD_TRAJ_BIT(GD_SERIES_iteration) | GD_TRAJ_BIT(GD_SERIES_lr) |
                                   GD_TRAJ_BIT(GD_SERIES_batch_loss));
    for (int k = 0; k < GD_SERIES_COUNT; k++) {
        double v[RECORDS * PATH_DIM];
        uint64_t len = 0;
        if (implicit & GD_TRAJ_BIT(k)) {
            assert_int_equal(gd_reader_series_length(r, gd_series_table[k].name, &len, &err), -1);
            continue;
        }
        assert_int_equal(gd_reader_series_length(r, gd_series_table[k].name, &len, &err), 0);
        assert_int_equal(len, count_of(k));
        assert_int_equal(gd_reader_series_f64(r, gd_series_table[k].name, 0, len, v, &err), 0);
        for (size_t i = 0; i < len; i++)
            assert_true(v[i] == value_of(k, i));
    }
    gd_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_the_file_format),
        cmocka_unit_test(test_history_reserve_and_free),
        cmocka_unit_test(test_batch_add_and_bytes),
        cmocka_unit_test(test_wire_carries_every_series),
        cmocka_unit_test(test_store_writes_every_stored_series),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
