/* test_h5_input.c - numeric datasets from a problem's HDF5 file, and images from them.
 *
 * The file is written here with HDF5's own API (1-D and 2-D datasets of integer and
 * floating types, a group, a string, a scalar, NaN and an infinity), read back whole like
 * the problem files cache does, and read from memory: values must equal the written
 * numbers converted to double; every refusal must be one usage error naming
 * KEY = FILE:/PATH and its cause (the index of a NaN). An image from a uint16 dataset
 * scales by 65535, an int8 one by 127; a float one must lie in [0, 1]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hdf5.h>
#include <math.h>

#include "../src/problems/h5_input.h"
#include "../src/problems/image_file.h"
#include "test_files.h"

static const uint8_t u8[2][3] = {{0, 7, 255}, {128, 1, 254}};
static const int16_t i16[3][2] = {{-32768, 32767}, {0, -1}, {5, 1000}};
static const float f32[4] = {0.25f, -1.5f, 3.0e38f, 1e-30f};
static const double f64[2][2] = {{0.5, 1.0}, {0.0, 0.125}};
static const uint16_t u16[2][2] = {{0, 65535}, {1, 40000}};
static const int8_t i8[2][2] = {{0, 127}, {64, 1}};
static const double with_nan[2][3] = {{0, 0, 0}, {0, 0, NAN}};
static const double with_inf[5] = {0, 1, 2, INFINITY, 4};
static const double out_of_range[2][2] = {{0, 1.5}, {0, 0}};

static unsigned char *bytes;
static gd_problem_file file;

/* Dataset name of file type `type` (values in the native type mem). */
static void put_as(hid_t at, const char *name, hid_t type, hid_t mem, int rank,
                   const hsize_t *dims, const void *values)
{
    hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t d = H5Dcreate2(at, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dwrite(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0);
    H5Dclose(d);
    H5Pclose(lcpl);
    H5Sclose(space);
}

static void put(hid_t at, const char *name, hid_t type, int rank, const hsize_t *dims,
                const void *values)
{
    put_as(at, name, type, type, rank, dims, values);
}

static void write_file(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    put(f, "u8", H5T_NATIVE_UINT8, 2, (hsize_t[]){2, 3}, u8);
    put_as(f, "i16", H5T_STD_I16BE, H5T_NATIVE_INT16, 2, (hsize_t[]){3, 2}, i16);
    put(f, "group/f32", H5T_NATIVE_FLOAT, 1, (hsize_t[]){4}, f32);
    put(f, "f64", H5T_NATIVE_DOUBLE, 2, (hsize_t[]){2, 2}, f64);
    put(f, "u16", H5T_NATIVE_UINT16, 2, (hsize_t[]){2, 2}, u16);
    put(f, "i8", H5T_NATIVE_INT8, 2, (hsize_t[]){2, 2}, i8);
    put(f, "nan", H5T_NATIVE_DOUBLE, 2, (hsize_t[]){2, 3}, with_nan);
    put(f, "inf", H5T_NATIVE_DOUBLE, 1, (hsize_t[]){5}, with_inf);
    put(f, "range", H5T_NATIVE_DOUBLE, 2, (hsize_t[]){2, 2}, out_of_range);
    put(f, "scalar", H5T_NATIVE_DOUBLE, 0, NULL, f64);
    put(f, "empty", H5T_NATIVE_DOUBLE, 1, (hsize_t[]){0}, f64);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 4);
    put(f, "text", str, 1, (hsize_t[]){2}, "abcdefgh");
    H5Tclose(str);
    assert_true(H5Fclose(f) >= 0);
}

/* The file written and read back whole, as the cache holds it. */
static int make_file(void **state)
{
    char path[256];
    if (test_dir_create("h5_input") < 0)
        return -1;
    test_path(path, sizeof path, "in.h5");
    write_file(path);
    FILE *in = fopen(path, "rb");
    fseek(in, 0, SEEK_END);
    long len = ftell(in);
    rewind(in);
    bytes = malloc((size_t)len);
    size_t got = fread(bytes, 1, (size_t)len, in);
    fclose(in);
    file = (gd_problem_file){.key = "image", .path = "in.h5", .bytes = bytes,
                             .len = (size_t)got, .hash = ""};
    return got == (size_t)len ? 0 : -1;
}

static int remove_file(void **state)
{
    free(bytes);
    return test_dir_remove();
}

/* Reads path (rank) into out, which must succeed with rows x cols and type_max. */
static void read_ok(const char *path, int rank, size_t rows, size_t cols, double type_max,
                    double *out)
{
    gd_h5_dataset d;
    gd_error err = {{0}, 0};
    if (gd_h5_input_read(&file, path, rank, &d, out, rows * cols, &err) != 0)
        fail_msg("%s: %s", path, err.msg);
    assert_int_equal(d.rows, rows);
    assert_int_equal(d.cols, cols);
    assert_true(d.type_max == type_max);
}

static void test_values_of_each_type(void **state)
{
    double out[8];
    read_ok("/u8", 2, 2, 3, 255, out);
    for (int k = 0; k < 6; k++)
        assert_true(out[k] == (double)u8[k / 3][k % 3]);
    read_ok("/i16", 2, 3, 2, 32767, out);
    for (int k = 0; k < 6; k++)
        assert_true(out[k] == (double)i16[k / 2][k % 2]);
    read_ok("/group/f32", 1, 4, 1, 0, out);
    for (int k = 0; k < 4; k++)
        assert_true(out[k] == (double)f32[k]);
    read_ok("f64", 2, 2, 2, 0, out); /* a relative path names the same dataset */
    for (int k = 0; k < 4; k++)
        assert_true(out[k] == f64[k / 2][k % 2]);
}

/* path (rank) must be refused: one usage line naming image = in.h5:path and want. */
static void refused(const char *path, int rank, const char *want)
{
    gd_h5_dataset d;
    gd_error err = {{0}, 0};
    double out[16];
    char named[64];
    snprintf(named, sizeof named, "image = in.h5:%s: ", path);
    if (gd_h5_input_read(&file, path, rank, &d, out, 16, &err) == 0)
        fail_msg("%s: read", path);
    if (err.exit_code != GD_EXIT_USAGE || !strstr(err.msg, named) || !strstr(err.msg, want) ||
        strchr(err.msg, '\n'))
        fail_msg("%s: want one usage line with '%s' and '%s', got: %s", path, named, want,
                 err.msg);
}

static void test_refusals(void **state)
{
    refused("/missing", 2, "no such dataset");
    refused("/group/missing/deeper", 1, "no such dataset");
    refused("/group", 1, "no such dataset"); /* a group is no dataset */
    refused("/u8", 1, "2-dimensional; give a 1-D dataset");
    refused("/group/f32", 2, "1-dimensional; give a 2-D dataset");
    refused("/scalar", 1, "0-dimensional; give a 1-D dataset");
    refused("/text", 1, "not numeric");
    refused("/nan", 2, "value [1][2] is nan");
    refused("/inf", 1, "value [3] is inf");
    refused("/empty", 1, "0 x 1 elements");
}

static void test_not_an_hdf5_file(void **state)
{
    gd_problem_file text = file;
    text.bytes = (const unsigned char *)"x,y\n1,2\n";
    text.len = 8;
    gd_h5_dataset d;
    gd_error err = {{0}, 0};
    assert_int_equal(gd_h5_input_read(&text, "/x", 1, &d, NULL, 0, &err), -1);
    assert_non_null(strstr(err.msg, "image = in.h5:/x: not an HDF5 file"));
    text.len = file.len / 2; /* cut short */
    text.bytes = file.bytes;
    assert_int_equal(gd_h5_input_read(&text, "/u8", 2, &d, NULL, 0, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
}

/* The image of dataset path, h x w; NULL with err when refused. */
static int image_of(const char *path, double *out, size_t *h, size_t *w, gd_error *err)
{
    gd_problem_file f = file;
    f.dataset = path;
    if (gd_image_size(&f, h, w, err) < 0)
        return -1;
    return gd_image_read(&f, out, err);
}

static void test_images_scale_by_the_type(void **state)
{
    double out[8];
    size_t h, w;
    gd_error err = {{0}, 0};
    assert_int_equal(image_of("/u16", out, &h, &w, &err), 0);
    assert_int_equal(h * 10 + w, 22);
    for (int k = 0; k < 4; k++)
        assert_true(out[k] == (double)u16[k / 2][k % 2] / 65535.0);
    assert_int_equal(image_of("/u8", out, &h, &w, &err), 0);
    assert_int_equal(h * 10 + w, 23);
    for (int k = 0; k < 6; k++)
        assert_true(out[k] == (double)u8[k / 3][k % 3] / 255.0);
    assert_int_equal(image_of("/i8", out, &h, &w, &err), 0);
    for (int k = 0; k < 4; k++)
        assert_true(out[k] == (double)i8[k / 2][k % 2] / 127.0);
    assert_int_equal(image_of("/f64", out, &h, &w, &err), 0);
    for (int k = 0; k < 4; k++)
        assert_true(out[k] == f64[k / 2][k % 2]);
    assert_int_equal(image_of("/i16", out, &h, &w, &err), -1);
    assert_non_null(strstr(err.msg, "image = in.h5:/i16: value [0][0] is -32768, outside"));
    assert_int_equal(image_of("/range", out, &h, &w, &err), -1);
    assert_non_null(strstr(err.msg, "value [0][1] is 1.5, outside [0, 1]"));
    assert_int_equal(image_of("/group/f32", out, &h, &w, &err), -1);
    assert_non_null(strstr(err.msg, "1-dimensional; give a 2-D dataset"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_of_each_type),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_not_an_hdf5_file),
        cmocka_unit_test(test_images_scale_by_the_type),
    };
    return cmocka_run_group_tests(tests, make_file, remove_file);
}
