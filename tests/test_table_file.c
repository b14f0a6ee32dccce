/* test_table_file.c - CSV tables from a problem's file: values, quoting, gzip, every refusal.
 *
 * Each CSV is written here (gzip through zlib's gzopen/gzwrite), read back whole like the
 * problem files cache does, and decoded; numbers must equal strtod of their text exactly,
 * and every bad input must give its one message, naming the file and where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "../src/problems/file_text.h" /* white-box: the inflated size's cap */
#include "../src/problems/table_file.h"
#include "test_files.h"

static int make_dir(void **state)
{
    return test_dir_create("table_file");
}

static int remove_dir(void **state)
{
    return test_dir_remove();
}

/* A file of the test directory, read whole (the problem file's fields the reader uses). */
typedef struct test_file {
    char path[256];
    unsigned char *bytes;
    gd_problem_file f;
} test_file;

static void read_back(test_file *tf)
{
    FILE *in = fopen(tf->path, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    long len = ftell(in);
    rewind(in);
    tf->bytes = malloc((size_t)len + 1);
    assert_int_equal(fread(tf->bytes, 1, (size_t)len, in), (size_t)len);
    fclose(in);
    tf->f = (gd_problem_file){.key = "data", .path = tf->path, .bytes = tf->bytes,
                              .len = (size_t)len, .hash = ""};
}

/* Writes text (len bytes) to the test directory's file name, gzip-compressed when gz. */
static void write_file(test_file *tf, const char *name, const char *text, size_t len, int gz)
{
    test_path(tf->path, sizeof tf->path, name);
    gzFile out = gzopen(tf->path, gz ? "wb" : "wbT"); /* T: written as it is */
    assert_non_null(out);
    assert_int_equal(gzwrite(out, text, (unsigned)len), (int)len);
    assert_int_equal(gzclose(out), Z_OK);
    read_back(tf);
}

static void file_free(test_file *tf)
{
    free(tf->bytes);
}

/* The table of text, which must read. */
static void read_ok(const char *text, gd_table *t)
{
    test_file tf;
    gd_error err = {{0}, 0};
    write_file(&tf, "ok.csv", text, strlen(text), 0);
    if (gd_table_read(&tf.f, t, &err) != 0)
        fail_msg("read: %s", err.msg);
    file_free(&tf);
}

/* Text must be refused with "PATH" + want (a usage error). */
static void read_refused(const char *text, size_t len, const char *want)
{
    test_file tf;
    gd_table t;
    gd_error err = {{0}, 0};
    char full[512];
    write_file(&tf, "bad.csv", text, len, 0);
    snprintf(full, sizeof full, "%s%s", tf.path, want);
    assert_int_equal(gd_table_read(&tf.f, &t, &err), -1);
    assert_string_equal(err.msg, full);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_null(t.names);
    assert_null(t.values);
    file_free(&tf);
}

/* The cell holds strtod's double of text, bit for bit (-0 too). */
static void assert_cell(const gd_table *t, size_t row, size_t col, const char *text)
{
    double want = strtod(text, NULL);
    assert_memory_equal(&t->values[row * t->cols + col], &want, sizeof want);
}

static void assert_shape(const gd_table *t, size_t rows, size_t cols)
{
    assert_int_equal(t->rows, rows);
    assert_int_equal(t->cols, cols);
}

/* Names, shape and values (strtod of the cell, bit for bit), columns found by name. */
static void test_plain_values(void **unused)
{
    gd_table t;
    read_ok("x,y,weight\n0.1,-2.5e-3,7\n1e300,0x1p-3, 42 \n3.141592653589793,-0,1e-310\n", &t);
    assert_shape(&t, 3, 3);
    assert_string_equal(t.names[2], "weight");
    const char *cells[3][3] = {{"0.1", "-2.5e-3", "7"}, {"1e300", "0x1p-3", "42"},
                               {"3.141592653589793", "-0", "1e-310"}};
    for (size_t r = 0; r < 3; r++)
        for (size_t c = 0; c < 3; c++)
            assert_cell(&t, r, c, cells[r][c]);
    assert_int_equal(gd_table_column(&t, "x"), 0);
    assert_int_equal(gd_table_column(&t, "weight"), 2);
    assert_int_equal(gd_table_column(&t, "X"), -1);
    gd_table_free(&t);
    assert_null(t.names);
    assert_int_equal(t.rows, 0);
}

/* A byte-order mark, CRLF line ends, quoted names and cells ("" inside, a comma, a line
 * break), no line end after the last row. */
static void test_quotes_crlf_bom(void **unused)
{
    gd_table t;
    read_ok("\xef\xbb\xbf\"x\",\"y, \"\"the\"\"\r\ntarget\"\r\n\"1.25\",2\r\n-3,\"4e1\"", &t);
    assert_shape(&t, 2, 2);
    assert_string_equal(t.names[0], "x");
    assert_string_equal(t.names[1], "y, \"the\"\r\ntarget");
    assert_cell(&t, 0, 0, "1.25");
    assert_cell(&t, 1, 1, "4e1");
    gd_table_free(&t);
}

/* Empty lines are skipped, a final one too. */
static void test_empty_lines(void **unused)
{
    gd_table t;
    read_ok("x\n1\n\n2\n\n", &t);
    assert_int_equal(t.rows, 2);
    assert_cell(&t, 1, 0, "2");
    gd_table_free(&t);
}

/* A gzip file reads like its text; several members are one text. */
static void test_gzip(void **unused)
{
    test_file tf;
    gd_table t;
    gd_error err = {{0}, 0};
    const char *text = "x,y\r\n0.5,1e-7\r\n2,3\r\n";
    write_file(&tf, "table.csv.gz", text, strlen(text), 1);
    assert_int_equal(gd_table_read(&tf.f, &t, &err), 0);
    assert_int_equal(t.rows, 2);
    assert_cell(&t, 0, 1, "1e-7");
    assert_cell(&t, 1, 0, "2");
    gd_table_free(&t);
    /* the file twice over is two gzip members: the second member's header line is then
     * a data row (line 4), refused, which shows that both members were read */
    size_t len = tf.f.len;
    unsigned char *twice = malloc(2 * len);
    memcpy(twice, tf.bytes, len);
    memcpy(twice + len, tf.bytes, len);
    gd_problem_file two = tf.f;
    two.bytes = twice;
    two.len = 2 * len;
    char want[512];
    snprintf(want, sizeof want, "%s:4:1 (x): 'x' is not a number", tf.path);
    assert_int_equal(gd_table_read(&two, &t, &err), -1);
    assert_string_equal(err.msg, want);
    free(twice);
    file_free(&tf);
}

/* A truncated or corrupt gzip file, and one that inflates past the cap, are refused. */
static void test_gzip_refused(void **unused)
{
    test_file tf;
    gd_table t;
    gd_file_text text;
    gd_error err = {{0}, 0};
    char want[512], *zeros = calloc(100000, 1);
    write_file(&tf, "zeros.csv.gz", zeros, 100000, 1);
    assert_int_equal(gd_file_text_get(&tf.f, 100000, &text, &err), 0);
    assert_int_equal(text.len, 100000);
    gd_file_text_free(&text);
    assert_int_equal(gd_file_text_get(&tf.f, 99999, &text, &err), -1);
    snprintf(want, sizeof want, "%s: inflates to more than 99999 bytes; give a smaller file",
             tf.path);
    assert_string_equal(err.msg, want);
    assert_null(text.owned);
    tf.f.len -= 10;
    assert_int_equal(gd_table_read(&tf.f, &t, &err), -1);
    snprintf(want, sizeof want, "%s: the gzip data end early; give a whole .gz file",
             tf.path);
    assert_string_equal(err.msg, want);
    tf.bytes[3] = 0xff; /* reserved flag bits */
    tf.f.len += 10;
    assert_int_equal(gd_table_read(&tf.f, &t, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    snprintf(want, sizeof want, "%s: not valid gzip data (zlib: ", tf.path);
    assert_memory_equal(err.msg, want, strlen(want));
    free(zeros);
    file_free(&tf);
}

/* Rows with more or fewer fields than the header, at their physical line. */
static void test_ragged_rows(void **unused)
{
    const char *more = "x,y\n1,2\n1,2,3\n";
    read_refused(more, strlen(more), ":3: 3 fields, the header has 2");
    const char *fewer = "x,y\r\n1,2\r\n\r\n4\r\n";
    read_refused(fewer, strlen(fewer), ":4: 1 fields, the header has 2");
    const char *spanning = "\"a\nb\",y\n1,2\n3\n"; /* the header spans lines 1-2 */
    read_refused(spanning, strlen(spanning), ":4: 1 fields, the header has 2");
}

/* A cell that is not a whole finite number names its line, column and name. */
static void test_bad_cells(void **unused)
{
    const char *cells[] = {"", "abc", "nan", "inf", "-Infinity", "1e999", "1.5x", "\"\"",
                           "\"1 2\""};
    const char *shown[] = {"", "abc", "nan", "inf", "-Infinity", "1e999", "1.5x", "", "1 2"};
    for (size_t k = 0; k < sizeof cells / sizeof *cells; k++) {
        char text[128], want[128];
        snprintf(text, sizeof text, "x,y\n1,2\n3,%s\n", cells[k]);
        snprintf(want, sizeof want, ":3:2 (y): '%s' is not a number", shown[k]);
        read_refused(text, strlen(text), want);
    }
    const char nul[] = "x\n1\0002\n";
    read_refused(nul, sizeof nul - 1, ":2:1 (x): '1?2' is not a number");
    const char *long_cell = "x\n0123456789abcdefghij0123456789abcdefghij\n";
    read_refused(long_cell, strlen(long_cell),
                 ":2:1 (x): '0123456789abcdefghij0123456789ab...' is not a number");
}

/* No data, no header, names empty or repeated, quotes out of place. */
static void test_bad_tables(void **unused)
{
    read_refused("x,y\n", 4, ": no data row after the header");
    read_refused("\xef\xbb\xbf\n\n", 5, ": no header row; give a CSV file whose first row "
                 "names the columns");
    const char *empty = "x,,y\n1,2,3\n";
    read_refused(empty, strlen(empty),
                 ":1: column 2 has no name; name every column in the first row");
    const char *twice = "x,y,z,y,x\n1,2,3,4,5\n";
    read_refused(twice, strlen(twice),
                 ":1: column 4 (y) has the name of column 2; give every column its own name");
    const char *quote = "x,y\n1,2\"3\n";
    read_refused(quote, strlen(quote), ":2: a quote out of place or never closed; quote a "
                 "field whole and write a quote inside it as \"\"");
    const char *open = "x,y\n1,\"2\n";
    read_refused(open, strlen(open), ":3: a quote out of place or never closed; quote a "
                 "field whole and write a quote inside it as \"\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_values),     cmocka_unit_test(test_quotes_crlf_bom),
        cmocka_unit_test(test_empty_lines),      cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_gzip_refused),     cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_bad_cells),        cmocka_unit_test(test_bad_tables),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
