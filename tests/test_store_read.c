/* test_store_read.c - the read-only reader of gdsweep files (gdsweep/store_read.h).
 *
 * Files are made here with the HDF5 C API (a table of known cells, attributes of every
 * kind, broken layouts) or with the store (an empty sweep file), and read back through
 * the reader: open errors for each kind of wrong file, attributes as text and numbers,
 * columns as doubles, several at once and as text, ranges, unknown columns, 1-D
 * datasets, and a file held open for writing by another process. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gdsweep/columns.h"
#include "gdsweep/store.h"
#include "gdsweep/store_read.h"
#include "test_files.h"
#include "test_h5.h"


/* Opening must fail with a usage error whose message contains what. */
static void open_fails(const char *path, const char *what)
{
    gd_reader *r = (gd_reader *)1;
    gd_error err = {{0}, 0};
    int rc = gd_reader_open(&r, path, &err);
    if (rc == 0 || !strstr(err.msg, what))
        print_error("%s: expected '%s', got rc %d: %s\n", path, what, rc, err.msg);
    assert_int_equal(rc, -1);
    assert_null(r);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, path));
}

static gd_reader *open_ok(const char *path)
{
    gd_reader *r = NULL;
    gd_error err = {{0}, 0};
    if (gd_reader_open(&r, path, &err) != 0)
        fail_msg("%s", err.msg);
    assert_string_equal(gd_reader_path(r), path);
    return r;
}

/* ---- files made with the HDF5 API ------------------------------------------------------ */

#define ROWS 10
#define NAME_WIDTH 6

typedef struct row {
    uint64_t id;
    uint8_t flag;
    int64_t steps;
    double loss;
    float half;
    int8_t code;
    char name[NAME_WIDTH];
} row;

static double loss_of(size_t i) { return 0.1 * (double)i + 1.0 / 3.0; }
static int64_t steps_of(size_t i) { return -3 + (int64_t)i * 1000000007LL; }

static void name_of(size_t i, char out[NAME_WIDTH])
{
    memset(out, 0, NAME_WIDTH);
    if (i == ROWS - 1)
        memcpy(out, "abcdef", NAME_WIDTH);     /* fills the cell: no terminator */
    else
        snprintf(out, NAME_WIDTH, "r%zu", i);
}

static hid_t fixed_text(size_t size, H5T_str_t pad)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    assert_true(t >= 0);
    assert_true(H5Tset_size(t, size) >= 0);
    assert_true(H5Tset_strpad(t, pad) >= 0);
    return t;
}

static hid_t row_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row)), s = fixed_text(NAME_WIDTH, H5T_STR_NULLPAD);
    assert_true(H5Tinsert(t, "id", offsetof(row, id), H5T_NATIVE_UINT64) >= 0);
    assert_true(H5Tinsert(t, "flag", offsetof(row, flag), H5T_NATIVE_UINT8) >= 0);
    assert_true(H5Tinsert(t, "steps", offsetof(row, steps), H5T_NATIVE_INT64) >= 0);
    assert_true(H5Tinsert(t, "loss", offsetof(row, loss), H5T_NATIVE_DOUBLE) >= 0);
    assert_true(H5Tinsert(t, "half", offsetof(row, half), H5T_NATIVE_FLOAT) >= 0);
    assert_true(H5Tinsert(t, "code", offsetof(row, code), H5T_NATIVE_INT8) >= 0);
    assert_true(H5Tinsert(t, "name", offsetof(row, name), s) >= 0);
    H5Tclose(s);
    return t;
}

static void write_dataset(hid_t loc, const char *name, hid_t type, int rank,
                          const hsize_t *dims, const void *data)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    assert_true(H5Pset_create_intermediate_group(lcpl, 1) >= 0);
    hid_t d = H5Dcreate2(loc, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Dclose(d);
    H5Pclose(lcpl);
    H5Sclose(space);
}

static void write_table(hid_t f)
{
    row rows[ROWS];
    memset(rows, 0, sizeof rows);
    for (size_t i = 0; i < ROWS; i++) {
        rows[i].id = i;
        rows[i].flag = (uint8_t)(i % 2);
        rows[i].steps = steps_of(i);
        rows[i].loss = loss_of(i);
        rows[i].half = 0.5f * (float)i;
        rows[i].code = (int8_t)((int)(i % 3) - 1);
        name_of(i, rows[i].name);
    }
    hid_t t = row_type();
    hsize_t n = ROWS;
    write_dataset(f, "runs", t, 1, &n, rows);
    H5Tclose(t);
}

static void write_extras(hid_t f)
{
    double series[5], grid[2][3] = {{1, 2, 3}, {4, 5, 6}}, vec[2] = {1, 2};
    for (size_t i = 0; i < 5; i++)
        series[i] = (double)(i * i);
    hsize_t n5 = 5, n23[2] = {2, 3}, n2 = 2;
    write_dataset(f, "traj/loss", H5T_NATIVE_DOUBLE, 1, &n5, series);
    write_dataset(f, "grid2d", H5T_NATIVE_DOUBLE, 2, n23, grid);
    hid_t space = H5Screate_simple(1, &n2, NULL);
    hid_t a = H5Acreate2(f, "vec", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, vec) >= 0);
    H5Aclose(a);
    H5Sclose(space);
}

/* A gdsweep-like file of known cells and attributes of every kind. */
static void make_good_file(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    int64_t version = GD_FORMAT_VERSION;
    uint64_t count = 12345678901ULL;
    double ratio = 0.25;
    test_h5_set_attr(f, "format_version", H5T_NATIVE_INT64, &version);
    test_h5_set_attr(f, "count", H5T_NATIVE_UINT64, &count);
    test_h5_set_attr(f, "ratio", H5T_NATIVE_DOUBLE, &ratio);
    test_h5_set_text(f, "title", "hello sweep");
    hid_t t = fixed_text(5, H5T_STR_NULLPAD);
    test_h5_set_attr(f, "fixed", t, "abcde");          /* fills its 5 bytes */
    H5Tclose(t);
    write_table(f);
    write_extras(f);
    H5Fclose(f);
}

/* An HDF5 file with only what `setup` puts in it. */
static void make_file(const char *path, void (*setup)(hid_t f))
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    if (setup)
        setup(f);
    H5Fclose(f);
}

static void version_only(hid_t f)
{
    int64_t v = GD_FORMAT_VERSION;
    test_h5_set_attr(f, "format_version", H5T_NATIVE_INT64, &v);
}

static void newer_version(hid_t f)
{
    int64_t v = GD_FORMAT_VERSION + 1;
    test_h5_set_attr(f, "format_version", H5T_NATIVE_INT64, &v);
    write_table(f);
}

static void text_version(hid_t f)
{
    test_h5_set_text(f, "format_version", "1");
    write_table(f);
}

static void runs_2d(hid_t f)
{
    double cells[2][2] = {{1, 2}, {3, 4}};
    hsize_t dims[2] = {2, 2};
    version_only(f);
    write_dataset(f, "runs", H5T_NATIVE_DOUBLE, 2, dims, cells);
}

static void runs_not_compound(hid_t f)
{
    double cells[3] = {1, 2, 3};
    hsize_t n = 3;
    version_only(f);
    write_dataset(f, "runs", H5T_NATIVE_DOUBLE, 1, &n, cells);
}

static void runs_group(hid_t f)
{
    version_only(f);
    hid_t g = H5Gcreate2(f, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(g >= 0);
    H5Gclose(g);
}

/* ---- open errors --------------------------------------------------------------------- */

static void test_open_missing_and_not_files(void **state)
{
    char path[128];
    test_path(path, sizeof path, "missing.h5");
    open_fails(path, "no such file");
    open_fails(test_dir(), "is a directory");
    test_path(path, sizeof path, "text.h5");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[sweep]\nname = not hdf5\n", f);
    fclose(f);
    open_fails(path, "is not an HDF5 file");
    test_path(path, sizeof path, "empty.h5");
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    open_fails(path, "is not an HDF5 file");
}

static void test_open_not_gdsweep(void **state)
{
    static const struct {
        const char *name;
        void (*setup)(hid_t);
        const char *what;
    } cases[] = {
        {"bare.h5", NULL, "is not a gdsweep file (no format_version attribute)"},
        {"no_runs.h5", version_only, "is not a gdsweep file (no runs table)"},
        {"text_version.h5", text_version, "is not a gdsweep file (no integer format_version"},
        {"newer.h5", newer_version, "newer than this gdsweep reads (1); use a newer gdsweep"},
        {"runs2d.h5", runs_2d, "is not a gdsweep file (runs is not a 1-D table)"},
        {"runs1d.h5", runs_not_compound, "is not a gdsweep file (runs is not a 1-D table)"},
        {"runs_group.h5", runs_group, "is not a gdsweep file (no runs table)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128];
        test_path(path, sizeof path, cases[i].name);
        make_file(path, cases[i].setup);
        open_fails(path, cases[i].what);
    }
}

static void test_truncated_file(void **state)
{
    char good[128], cut[128];
    test_path(good, sizeof good, "whole.h5");
    test_path(cut, sizeof cut, "cut.h5");
    make_good_file(good);
    FILE *in = fopen(good, "rb"), *out = fopen(cut, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf, in);      /* the superblock and a little more */
    assert_true(n > 100);
    assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
    gd_reader *r = NULL;
    gd_error err = {{0}, 0};
    assert_int_equal(gd_reader_open(&r, cut, &err), -1);
    assert_null(r);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, cut));
}

/* ---- a good file ------------------------------------------------------------------------ */

static void test_attributes(void **state)
{
    char path[128], *text = NULL;
    double v = 0;
    gd_error err = {{0}, 0};
    test_path(path, sizeof path, "good.h5");
    make_good_file(path);
    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_attr_text(r, "title", &text, &err), 0);
    assert_string_equal(text, "hello sweep");
    free(text);
    assert_int_equal(gd_reader_attr_text(r, "fixed", &text, &err), 0);
    assert_string_equal(text, "abcde");
    free(text);
    assert_int_equal(gd_reader_attr_number(r, "count", &v, &err), 0);
    assert_true(v == 12345678901.0);
    assert_int_equal(gd_reader_attr_number(r, "ratio", &v, &err), 0);
    assert_true(v == 0.25);
    assert_int_equal(gd_reader_attr_number(r, "format_version", &v, &err), 0);
    assert_true(v == GD_FORMAT_VERSION);
    assert_int_equal(gd_reader_has_attr(r, "ratio"), 1);
    assert_int_equal(gd_reader_has_attr(r, "nothing"), 0);

    assert_int_equal(gd_reader_attr_number(r, "nothing", &v, &err), -1);
    assert_non_null(strstr(err.msg, "has no attribute 'nothing'"));
    assert_int_equal(gd_reader_attr_number(r, "title", &v, &err), -1);
    assert_non_null(strstr(err.msg, "attribute 'title' is not a number"));
    assert_int_equal(gd_reader_attr_number(r, "vec", &v, &err), -1);
    assert_non_null(strstr(err.msg, "attribute 'vec' is not a number"));
    assert_int_equal(gd_reader_attr_text(r, "ratio", &text, &err), -1);
    assert_null(text);
    assert_non_null(strstr(err.msg, "attribute 'ratio' is not readable text"));
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    gd_reader_close(r);
}

/* Sets the file's shard attributes (a NULL text leaves that attribute out). */
static void set_shard(const char *path, const double *index, const char *count_text,
                      const double *count)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    if (index)
        test_h5_set_attr(f, GD_ATTR_SHARD_INDEX, H5T_NATIVE_DOUBLE, index);
    if (count)
        test_h5_set_attr(f, GD_ATTR_SHARD_COUNT, H5T_NATIVE_DOUBLE, count);
    if (count_text)
        test_h5_set_text(f, GD_ATTR_SHARD_COUNT, count_text);
    H5Fclose(f);
}

/* gd_reader_shard on the file: its rc, and *shard, *shards. */
static int shard_of(const char *path, uint64_t *shard, uint64_t *shards, gd_error *err)
{
    gd_reader *r = open_ok(path);
    *shard = *shards = 99;
    int rc = gd_reader_shard(r, shard, shards, err);
    gd_reader_close(r);
    return rc;
}

/* The one parser of the shard attributes: absent = 0 of 1, text or an array refused, a real shard
 * read back, and impossible values refused with both in the message. */
static void test_shard_attributes(void **state)
{
    char path[128];
    uint64_t k, n;
    gd_error err = {{0}, 0};
    test_path(path, sizeof path, "shard.h5");
    make_good_file(path);
    assert_int_equal(shard_of(path, &k, &n, &err), 0);
    assert_true(k == 0 && n == 1);
    set_shard(path, &(double){2}, NULL, &(double){5});
    assert_int_equal(shard_of(path, &k, &n, &err), 0);
    assert_true(k == 2 && n == 5);
    set_shard(path, &(double){0}, "two", NULL); /* not the whole grid: refused */
    memset(&err, 0, sizeof err);
    assert_int_equal(shard_of(path, &k, &n, &err), -1);
    assert_non_null(strstr(err.msg, "attribute 'shard_count' is not a number (corrupt file?)"));
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    static const double eight[8] = {0};
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT); /* an array: was a stack overflow */
    hsize_t len = 8;
    hid_t space = H5Screate_simple(1, &len, NULL);
    H5Adelete(f, GD_ATTR_SHARD_INDEX);
    hid_t a = H5Acreate2(f, GD_ATTR_SHARD_INDEX, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                         H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, eight) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Fclose(f);
    memset(&err, 0, sizeof err);
    assert_int_equal(shard_of(path, &k, &n, &err), -1);
    assert_non_null(strstr(err.msg, "attribute 'shard_index' is not a number"));
    set_shard(path, &(double){0}, NULL, &(double){1});
    static const double bad[][2] = {{5, 2}, {0, 0}, {-1, 3}, {0.5, 2}, {0, 1e300}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_shard(path, &bad[i][0], NULL, &bad[i][1]);
        memset(&err, 0, sizeof err);
        assert_int_equal(shard_of(path, &k, &n, &err), -1);
        assert_true(k == 99 && n == 99);
        assert_non_null(strstr(err.msg, "shard_index"));
        assert_non_null(strstr(err.msg, "is impossible (corrupt file?)"));
        assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    }
}

static void test_columns_as_numbers(void **state)
{
    char path[128];
    double v[ROWS];
    gd_error err = {{0}, 0};
    test_path(path, sizeof path, "good.h5");
    make_good_file(path);
    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_rows(r), ROWS);
    static const char *const names[] = {"id", "flag", "steps", "loss", "half", "code", "name"};
    for (size_t k = 0; k < 7; k++)
        assert_int_equal(gd_reader_has_column(r, names[k]), 1);
    assert_int_equal(gd_reader_has_column(r, "lr"), 0);

    assert_int_equal(gd_reader_column_f64(r, "steps", 0, ROWS, v, &err), 0);
    for (size_t i = 0; i < ROWS; i++)
        assert_true(v[i] == (double)steps_of(i));
    assert_int_equal(gd_reader_column_f64(r, "flag", 0, ROWS, v, &err), 0);
    for (size_t i = 0; i < ROWS; i++)
        assert_true(v[i] == (double)(i % 2));
    assert_int_equal(gd_reader_column_f64(r, "code", 0, ROWS, v, &err), 0);
    for (size_t i = 0; i < ROWS; i++)
        assert_true(v[i] == (double)((int)(i % 3) - 1));
    assert_int_equal(gd_reader_column_f64(r, "half", 0, ROWS, v, &err), 0);
    for (size_t i = 0; i < ROWS; i++)
        assert_true(v[i] == 0.5 * (double)i);

    /* a range in the middle, and nothing at the very end */
    for (size_t i = 0; i < ROWS; i++)
        v[i] = -1;
    assert_int_equal(gd_reader_column_f64(r, "loss", 3, 4, v, &err), 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(v[i] == loss_of(3 + i));
    assert_true(v[4] == -1);
    assert_int_equal(gd_reader_column_f64(r, "loss", ROWS, 0, v, &err), 0);
    assert_true(v[4] == -1);
    gd_reader_close(r);
}

static void test_several_columns_at_once(void **state)
{
    char path[128];
    double v[3 * ROWS];
    gd_error err = {{0}, 0};
    const char *cols[] = {"loss", "id", "code"};
    test_path(path, sizeof path, "good.h5");
    make_good_file(path);
    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_columns_f64(r, cols, 3, 2, ROWS - 2, v, &err), 0);
    for (size_t i = 0; i < ROWS - 2; i++) {
        assert_true(v[3 * i] == loss_of(i + 2));
        assert_true(v[3 * i + 1] == (double)(i + 2));
        assert_true(v[3 * i + 2] == (double)((int)((i + 2) % 3) - 1));
    }
    const char *with_text[] = {"loss", "name"};
    assert_int_equal(gd_reader_columns_f64(r, with_text, 2, 0, 1, v, &err), -1);
    assert_non_null(strstr(err.msg, "column 'name' is not numeric"));
    gd_reader_close(r);
}

static void test_columns_as_text(void **state)
{
    char path[128], cells[ROWS * 8], expect[NAME_WIDTH];
    gd_error err = {{0}, 0};
    test_path(path, sizeof path, "good.h5");
    make_good_file(path);
    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_column_width(r, "name"), NAME_WIDTH);
    assert_int_equal(gd_reader_column_width(r, "loss"), 0);
    assert_int_equal(gd_reader_column_width(r, "nothing"), 0);

    /* wider cells: null-padded, so every value is terminated */
    memset(cells, 'x', sizeof cells);
    assert_int_equal(gd_reader_column_text(r, "name", 0, ROWS, cells, 8, &err), 0);
    for (size_t i = 0; i < ROWS; i++) {
        name_of(i, expect);
        assert_memory_equal(cells + 8 * i, expect, NAME_WIDTH);
        assert_int_equal(cells[8 * i + 6], 0);
        assert_int_equal(cells[8 * i + 7], 0);
    }
    /* narrower cells: cut, not terminated */
    assert_int_equal(gd_reader_column_text(r, "name", ROWS - 1, 1, cells, 3, &err), 0);
    assert_memory_equal(cells, "abc", 3);
    assert_int_equal(gd_reader_column_text(r, "name", 1, 1, cells, 3, &err), 0);
    assert_memory_equal(cells, "r1\0", 3);
    gd_reader_close(r);
}

static void test_column_errors(void **state)
{
    char path[128], cells[ROWS * NAME_WIDTH];
    double v[ROWS];
    gd_error err = {{0}, 0};
    test_path(path, sizeof path, "good.h5");
    make_good_file(path);
    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_column_f64(r, "lr", 0, 1, v, &err), -1);
    assert_non_null(strstr(err.msg, "the runs table has no column 'lr'"));
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_int_equal(gd_reader_column_f64(r, "name", 0, 1, v, &err), -1);
    assert_non_null(strstr(err.msg, "column 'name' is not numeric"));
    assert_int_equal(gd_reader_column_text(r, "loss", 0, 1, cells, NAME_WIDTH, &err), -1);
    assert_non_null(strstr(err.msg, "column 'loss' is not fixed-width text"));
    assert_int_equal(gd_reader_column_text(r, "name", 0, 1, cells, 0, &err), -1);
    assert_int_equal(gd_reader_column_f64(r, "loss", ROWS - 2, 3, v, &err), -1);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(gd_reader_column_f64(r, "loss", ROWS + 1, 0, v, &err), -1);
    assert_int_equal(gd_reader_column_f64(r, "loss", 1, UINT64_MAX, v, &err), -1);
    assert_int_equal(gd_reader_column_text(r, "name", ROWS, 1, cells, NAME_WIDTH, &err), -1);
    assert_non_null(strstr(err.msg, path));
    gd_reader_close(r);
}

static void test_series(void **state)
{
    char path[128];
    double v[5];
    uint64_t len = 0;
    gd_error err = {{0}, 0};
    test_path(path, sizeof path, "good.h5");
    make_good_file(path);
    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_series_length(r, "traj/loss", &len, &err), 0);
    assert_int_equal(len, 5);
    assert_int_equal(gd_reader_series_f64(r, "traj/loss", 1, 4, v, &err), 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(v[i] == (double)((i + 1) * (i + 1)));
    assert_int_equal(gd_reader_series_f64(r, "traj/loss", 2, 4, v, &err), -1);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(gd_reader_series_f64(r, "grid2d", 0, 1, v, &err), -1);
    assert_non_null(strstr(err.msg, "no 1-D numeric dataset 'grid2d'"));
    assert_int_equal(gd_reader_series_length(r, "traj/none", &len, &err), -1);
    assert_non_null(strstr(err.msg, "no 1-D numeric dataset 'traj/none'"));
    assert_int_equal(gd_reader_series_f64(r, "runs", 0, 1, v, &err), -1);
    gd_reader_close(r);
}

/* ---- a file the store wrote -------------------------------------------------------------- */

static const char grid_text[] =
    "[sweep]\nname = readtest\n\n[problem q]\ntype = quadratic\na = 1, 2, 3\n\n"
    "[optimizer gd]\nlr = 0.1, 0.2\n";

static void test_store_file(void **state)
{
    char path[128], *name = NULL;
    gd_sweep s;
    gd_store *st = NULL;
    gd_columns cols;
    gd_error err = {{0}, 0};
    double v;
    test_path(path, sizeof path, "store.h5");
    assert_int_equal(gd_sweep_parse(&s, "read.ini", grid_text, strlen(grid_text), 0, &err), 0);
    assert_int_equal(gd_store_create(&st, path, &s, "test", &err), 0);
    assert_int_equal(gd_store_close(st, 0.5, 0, &err), 0);
    assert_int_equal(gd_columns_build(&cols, &err), 0);

    gd_reader *r = open_ok(path);
    assert_int_equal(gd_reader_rows(r), s.n_runs);
    for (size_t i = 0; i < cols.count; i++) {
        assert_int_equal(gd_reader_has_column(r, cols.col[i].name), 1);
        assert_int_equal(gd_reader_column_width(r, cols.col[i].name),
                         cols.col[i].type == GD_COL_STR ? cols.col[i].size : 0);
    }
    double written[6];
    assert_int_equal(s.n_runs, 6);
    assert_int_equal(gd_reader_column_f64(r, "written", 0, 6, written, &err), 0);
    for (size_t i = 0; i < 6; i++)
        assert_true(written[i] == 0);
    assert_int_equal(gd_reader_attr_text(r, "name", &name, &err), 0);
    assert_string_equal(name, "readtest");
    free(name);
    assert_int_equal(gd_reader_attr_number(r, "n_runs", &v, &err), 0);
    assert_true(v == 6);
    assert_int_equal(gd_reader_attr_number(r, "complete", &v, &err), 0);
    assert_true(v == 0);
    gd_reader_close(r);
    gd_columns_free(&cols);
    gd_sweep_free(&s);
}

/* ---- a file another process writes ----------------------------------------------------- */

static int locking_off(void)
{
    const char *v = getenv("HDF5_USE_FILE_LOCKING");
    return v && (strcmp(v, "FALSE") == 0 || strcmp(v, "0") == 0);
}

static void test_file_held_by_a_writer(void **state)
{
    char path[128];
    int ready[2], done[2];
    if (locking_off())
        skip();
    test_path(path, sizeof path, "held.h5");
    make_good_file(path);
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char c = 1;
        hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        c = f >= 0 ? 1 : 0;
        if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
            _exit(2);
        _exit(f >= 0 ? 0 : 1);
    }
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 1);
    open_fails(path, "is locked by another process");
    assert_int_equal(write(done[1], &c, 1), 1);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    gd_reader_close(open_ok(path));
    close(ready[0]);
    close(ready[1]);
    close(done[0]);
    close(done[1]);
}

static int setup(void **state)
{
    return test_dir_create("read");
}

static int teardown(void **state)
{
    return test_dir_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_missing_and_not_files),
        cmocka_unit_test(test_open_not_gdsweep),
        cmocka_unit_test(test_truncated_file),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_shard_attributes),
        cmocka_unit_test(test_columns_as_numbers),
        cmocka_unit_test(test_several_columns_at_once),
        cmocka_unit_test(test_columns_as_text),
        cmocka_unit_test(test_column_errors),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_store_file),
        cmocka_unit_test(test_file_held_by_a_writer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
