/* test_corrupt_layout.c - well-formed HDF5 files with the wrong content, read as the
 * reader, `gdsweep status` and `--resume` read gdsweep's files.
 *
 * Each case edits a copy of a real sweep file with the HDF5 API: attributes missing, of
 * the wrong type or with impossible values (format version, grid hash, shard index and
 * count), the runs table missing, of the wrong type or rank, short, or without the
 * columns status reads, trajectory datasets and /instances missing or of the wrong kind.
 * HDF5 reads such files correctly, so any crash here is gdsweep's. Each way of reading
 * must work or refuse with one line naming the file (test_corrupt_util.h), and the cases
 * that make a file unusable must be refused where the table below says. */
#define _GNU_SOURCE /* dladdr, in test_corrupt_util.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_files.h"
#include "test_corrupt_util.h"
#include "test_h5.h"

/* ---- edits --------------------------------------------------------------------------- */

static void set_u64(hid_t f, const char *name, uint64_t v) { test_h5_set_attr(f, name, H5T_NATIVE_UINT64, &v); }
static void set_i64(hid_t f, const char *name, int64_t v) { test_h5_set_attr(f, name, H5T_NATIVE_INT64, &v); }
static void set_f64(hid_t f, const char *name, double v) { test_h5_set_attr(f, name, H5T_NATIVE_DOUBLE, &v); }
static void set_text(hid_t f, const char *name, const char *v) { test_h5_set_text(f, name, v); }

static void replace_dataset(hid_t f, const char *name, hid_t type, int rank,
                            const hsize_t *dims)
{
    if (H5Lexists(f, name, H5P_DEFAULT) > 0)
        assert_true(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
    if (!type)
        return;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    H5Dclose(d);
    H5Sclose(space);
}

static void remove_link(hid_t f, const char *name) { replace_dataset(f, name, 0, 0, NULL); }

/* The runs table again, with the same row type but `rows` rows (zero-filled). */
static void runs_with_rows(hid_t f, hsize_t rows)
{
    hid_t d = H5Dopen2(f, "runs", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    H5Dclose(d);
    replace_dataset(f, "runs", t, 1, &rows);
    H5Tclose(t);
}

/* A 9-row table of two columns (no `written`, or `status` a number). */
static void two_column_runs(hid_t f, const char *a, hid_t ta, const char *b, hid_t tb)
{
    size_t sa = H5Tget_size(ta);
    hid_t t = H5Tcreate(H5T_COMPOUND, sa + H5Tget_size(tb));
    assert_true(H5Tinsert(t, a, 0, ta) >= 0 && H5Tinsert(t, b, sa, tb) >= 0);
    hsize_t rows = 9;
    replace_dataset(f, "runs", t, 1, &rows);
    H5Tclose(t);
}

static void runs_without_written(hid_t f)
{
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, 16);
    two_column_runs(f, "status", s, "loss_final", H5T_NATIVE_DOUBLE);
    H5Tclose(s);
}

static void runs_with_numeric_status(hid_t f)
{
    two_column_runs(f, "written", H5T_NATIVE_DOUBLE, "status", H5T_NATIVE_DOUBLE);
}

/* ---- cases --------------------------------------------------------------------------- */

/* Which ways must refuse: R reader, S status (exit 1 or 2), U resume. */
enum { R = 1, S = 2, U = 4 };

typedef struct layout_case {
    const char *what;
    void (*edit)(hid_t file);
    int must_refuse;
} layout_case;

static void no_format(hid_t f) { assert_true(H5Adelete(f, "format_version") >= 0); }
static void text_format(hid_t f) { set_text(f, "format_version", "1"); }
static void future_format(hid_t f) { set_i64(f, "format_version", 99); }
static void zero_format(hid_t f) { set_i64(f, "format_version", 0); }
static void nan_format(hid_t f) { set_f64(f, "format_version", NAN); }
static void no_hash(hid_t f) { assert_true(H5Adelete(f, "grid_hash") >= 0); }
static void number_hash(hid_t f) { set_u64(f, "grid_hash", 7); }
static void no_grid_text(hid_t f) { no_hash(f), assert_true(H5Adelete(f, "grid_text") >= 0); }
static void huge_shards(hid_t f) { set_u64(f, "shard_index", 0), set_u64(f, "shard_count", 1ULL << 61); }
static void max_shards(hid_t f) { set_u64(f, "shard_index", 3), set_u64(f, "shard_count", UINT64_MAX); }
static void zero_shards(hid_t f) { set_u64(f, "shard_index", 0), set_u64(f, "shard_count", 0); }
static void index_past_count(hid_t f) { set_u64(f, "shard_index", 5), set_u64(f, "shard_count", 2); }
static void negative_shards(hid_t f) { set_i64(f, "shard_index", -1), set_i64(f, "shard_count", -3); }
static void nan_shards(hid_t f) { set_f64(f, "shard_index", NAN), set_f64(f, "shard_count", 1e300); }
static void text_shards(hid_t f) { set_text(f, "shard_count", "two"); }
static void no_runs(hid_t f) { remove_link(f, "runs"); }
static void runs_of_doubles(hid_t f) { hsize_t n = 9; replace_dataset(f, "runs", H5T_NATIVE_DOUBLE, 1, &n); }
static void runs_2d(hid_t f) { hsize_t n[2] = {3, 3}; replace_dataset(f, "runs", H5T_NATIVE_INT, 2, n); }
static void short_runs(hid_t f) { runs_with_rows(f, 5); }
static void empty_runs(hid_t f) { runs_with_rows(f, 0); }
static void no_traj_loss(hid_t f) { remove_link(f, "traj/loss"); }
static void traj_loss_2d(hid_t f) { hsize_t n[2] = {5, 9}; replace_dataset(f, "traj/loss", H5T_NATIVE_DOUBLE, 2, n); }
static void traj_loss_text(hid_t f) { hid_t s = H5Tcopy(H5T_C_S1); hsize_t n = 45; H5Tset_size(s, 4); replace_dataset(f, "traj/loss", s, 1, &n); H5Tclose(s); }
static void traj_lr_int(hid_t f) { hsize_t n = 45; replace_dataset(f, "traj/lr", H5T_NATIVE_INT64, 1, &n); }
static void implicit_unknown(hid_t f) { set_text(f, "traj_implicit", "iteration,momentum"); }
static void implicit_number(hid_t f) { set_i64(f, "traj_implicit", 7); }
static void implicit_nothing(hid_t f) { set_text(f, "traj_implicit", "batch_loss"); }
static void no_final(hid_t f) { remove_link(f, "final"); }
static void no_instances(hid_t f) { remove_link(f, "instances"); }
static void instances_dataset(hid_t f) { hsize_t n = 3; replace_dataset(f, "instances", H5T_NATIVE_INT, 1, &n); }
static void instance_named_badly(hid_t f) { assert_true(H5Lmove(f, "instances/2", f, "instances/two", H5P_DEFAULT, H5P_DEFAULT) >= 0); }

static const layout_case cases[] = {
    {"no format_version", no_format, R | S | U},
    {"format_version as text", text_format, R | S},
    {"format_version 99", future_format, R | S},
    {"format_version 0", zero_format, R | S},
    {"format_version NaN", nan_format, R | S},
    {"no grid_hash", no_hash, U},
    {"grid_hash a number", number_hash, U},
    {"no grid_hash nor grid_text", no_grid_text, U},
    {"shard_count 2^61", huge_shards, S | U},
    {"shard_count 2^64-1", max_shards, S | U},
    {"shard_count 0", zero_shards, S | U},
    {"shard_index 5 of 2", index_past_count, S | U},
    {"shards negative", negative_shards, S | U},
    {"shards NaN and 1e300", nan_shards, S | U},
    {"shard_count text (read as absent)", text_shards, 0},
    {"no runs table", no_runs, R | S | U},
    {"runs of doubles", runs_of_doubles, R | S | U},
    {"runs 2-D", runs_2d, R | S | U},
    {"runs with 5 rows", short_runs, U},
    {"runs with 0 rows", empty_runs, U},
    {"runs without written", runs_without_written, S | U},
    {"runs with a numeric status", runs_with_numeric_status, S | U},
    {"no traj/loss", no_traj_loss, R | U},
    {"traj/loss 2-D", traj_loss_2d, R | U},
    {"traj/loss text", traj_loss_text, R | U},
    {"traj/lr int64 (the reader converts it)", traj_lr_int, U},
    {"traj_implicit names an unknown series", implicit_unknown, U},
    {"traj_implicit a number (every series then needed)", implicit_number, U},
    {"traj_implicit without iteration (no traj/iteration)", implicit_nothing, U},
    {"no /final", no_final, R | U},
    {"no /instances", no_instances, U},
    {"/instances a dataset", instances_dataset, U},
    {"instance group 'two'", instance_named_badly, U},
};

static void test_layout_cases(void **state)
{
    corrupt_fixture *fx = *state;
    size_t broken = 0, wrong = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        corrupt_write_variant(fx, fx->bytes, fx->size);
        hid_t f = H5Fopen(fx->variant, H5F_ACC_RDWR, H5P_DEFAULT);
        assert_true(f >= 0);
        cases[i].edit(f);
        assert_true(H5Fclose(f) >= 0);
        snprintf(fx->what, sizeof fx->what, "%s", cases[i].what);
        corrupt_expect e = corrupt_read_all(fx, fx->variant);
        int refused = (e.reader_rc ? R : 0) | (e.status_rc == GD_EXIT_USAGE ? S : 0) |
                      (e.resume_rc ? U : 0);
        broken += e.broken || e.hdf5_crash; /* a valid HDF5 file: a crash is gdsweep's */
        if (!e.broken && !e.hdf5_crash && (refused & cases[i].must_refuse) != cases[i].must_refuse) {
            print_error("%s: refused by %s%s%s, must be by %s%s%s\n", cases[i].what,
                        refused & R ? "reader " : "", refused & S ? "status " : "",
                        refused & U ? "resume" : "", cases[i].must_refuse & R ? "reader " : "",
                        cases[i].must_refuse & S ? "status " : "",
                        cases[i].must_refuse & U ? "resume" : "");
            wrong++;
        }
    }
    assert_int_equal(broken, 0);
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_cases),
    };
    return cmocka_run_group_tests(tests, corrupt_setup, corrupt_teardown);
}
