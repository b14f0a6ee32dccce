/* test_sweep_files.c - file names in the grid (GD_PATH keys), reading them, the identity.
 *
 * Uses denoise's `image` key, the first file key of the registry, with PNG files written
 * here through libpng's simplified API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>

#include "gdsweep/grid.h"

static char dir[] = "/tmp/gd_sweep_filesXXXXXX";

static int make_dir(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* A w x h 8-bit gray PNG whose pixels are (i * w + j + shift) mod 256. */
static void write_png(const char *name, unsigned w, unsigned h, int shift)
{
    char path[256];
    unsigned char *px = malloc((size_t)w * h);
    for (size_t k = 0; k < (size_t)w * h; k++)
        px[k] = (unsigned char)(k + (size_t)shift);
    png_image img = {.version = PNG_IMAGE_VERSION, .width = w, .height = h,
                     .format = PNG_FORMAT_GRAY};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_true(png_image_write_to_file(&img, path, 0, px, 0, NULL));
    free(px);
}

static void load(gd_sweep *s, const char *text)
{
    char path[256];
    gd_error err = {{0}, 0};
    snprintf(path, sizeof path, "%s/grid.ini", dir);
    if (gd_sweep_parse(s, path, text, strlen(text), 0, &err) != 0)
        fail_msg("parse: %s", err.msg);
}

/* Names are kept as written, once each; a relative one is opened from the grid's
 * directory, an absolute one as it is. */
static void test_names_index_one_table(void **unused)
{
    gd_sweep s;
    char path[512], want[512];
    load(&s, "[problem d]\ntype = denoise\nimage = a.png, sub/b (1).png, a.png, /abs/c.png\n"
             "[optimizer gd]\n");
    assert_int_equal(s.n_file_names, 4);
    assert_string_equal(gd_sweep_file_name(&s, GD_PATH_NONE), "");
    assert_string_equal(gd_sweep_file_name(&s, 2), "sub/b (1).png");
    assert_int_equal(s.n_runs, 4);
    gd_run_desc d;
    const double want_index[] = {1, 2, 1, 3};
    for (uint64_t id = 0; id < 4; id++) {
        gd_sweep_decode(&s, id, &d);
        assert_true(d.problem_params[4] == want_index[id]);
    }
    gd_sweep_file_path(&s, 2, path, sizeof path);
    snprintf(want, sizeof want, "%s/sub/b (1).png", dir);
    assert_string_equal(path, want);
    gd_sweep_file_path(&s, 3, path, sizeof path);
    assert_string_equal(path, "/abs/c.png");
    gd_sweep_file_path(&s, GD_PATH_NONE, path, sizeof path);
    assert_string_equal(path, "");
    gd_sweep_free(&s);
    assert_int_equal(s.n_file_names, 0);
}

/* Without file keys the identity is the grid's hash (old outputs resume). */
static void test_no_files_identity_is_hash(void **unused)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    load(&s, "[problem d]\ntype = denoise\nsize = 4\n[optimizer gd]\n");
    assert_int_equal(gd_sweep_read_files(&s, &err), 0);
    assert_string_equal(s.identity, s.hash);
    gd_run_desc d;
    gd_sweep_decode(&s, 0, &d);
    assert_null(gd_sweep_files_of(&s, &d));
    assert_null(gd_sweep_input_files_text(&s));
    gd_sweep_free(&s);
}

static void identity_of(const char *grid, char out[GD_SHA256_HEX])
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    load(&s, grid);
    if (gd_sweep_read_files(&s, &err) != 0)
        fail_msg("read: %s", err.msg);
    memcpy(out, s.identity, GD_SHA256_HEX);
    gd_sweep_free(&s);
}

/* Every run meets its file: the instance takes its size from the image; the identity
 * follows the contents, and input_files lists names and hashes. */
static void test_files_are_read_and_hashed(void **unused)
{
    const char *grid = "[problem d]\ntype = denoise\nimage = one.png, two.png\nnoise = 0, 0.1\n"
                       "[optimizer gd]\n";
    write_png("one.png", 3, 2, 0);
    write_png("two.png", 4, 5, 9);
    gd_sweep s;
    gd_error err = {{0}, 0};
    load(&s, grid);
    assert_int_equal(gd_sweep_read_files(&s, &err), 0);
    assert_string_not_equal(s.identity, s.hash);
    const size_t want_n[] = {6, 20, 6, 20};
    for (uint64_t id = 0; id < s.n_runs; id++) {
        gd_run_desc d;
        gd_problem p;
        gd_sweep_decode(&s, id, &d);
        const gd_problem_files *files = gd_sweep_files_of(&s, &d);
        assert_non_null(files);
        assert_non_null(gd_problem_files_find(files, "image"));
        if (gd_sweep_setup_instance(&s, &d, &p, &err) != 0)
            fail_msg("setup: %s", err.msg);
        assert_int_equal(p.n, want_n[id]);
        if (d.problem_params[1] == 0) /* noise = 0: the start point is the file's image */
            assert_true(p.x0[1] == (id % 2 ? 10.0 : 1.0) / 255.0);
        gd_problem_destroy(&p);
    }
    char *listed = gd_sweep_input_files_text(&s);
    assert_non_null(listed);
    assert_non_null(strstr(listed, "1\tone.png\t"));
    assert_non_null(strstr(listed, "\n2\ttwo.png\t"));
    char identity[GD_SHA256_HEX], changed[GD_SHA256_HEX];
    memcpy(identity, s.identity, GD_SHA256_HEX);
    free(listed);
    gd_sweep_free(&s);

    write_png("two.png", 4, 5, 10);
    identity_of(grid, changed);
    assert_string_not_equal(identity, changed);
    write_png("two.png", 4, 5, 9);
    identity_of(grid, changed);
    assert_string_equal(identity, changed);
}

/* A file that cannot be read, or is no image, stops the load with its grid line. */
static void test_bad_file_names_its_line(void **unused)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    char notes[256];
    snprintf(notes, sizeof notes, "%s/notes.png", dir);
    FILE *f = fopen(notes, "w");
    fputs("hello\n", f);
    fclose(f);
    load(&s, "[problem d]\ntype = denoise\nnoise = 0.1\nimage = none.png\n[optimizer gd]\n");
    assert_int_equal(gd_sweep_read_files(&s, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "grid.ini:4: image: "));
    assert_non_null(strstr(err.msg, "none.png: cannot open"));
    gd_sweep_free(&s);
    load(&s, "[problem d]\ntype = denoise\nimage = notes.png\n[optimizer gd]\n");
    assert_int_equal(gd_sweep_read_files(&s, &err), -1);
    assert_non_null(strstr(err.msg, "grid.ini:3: image = "));
    assert_non_null(strstr(err.msg, "is neither a PNG nor a PGM file"));
    gd_sweep_free(&s);
}

/* The numeric gradient's dimension limit (64) applies to the file's image, once read: an
 * 8x8 image passes whatever `size` says, a 9x9 one is refused at the gradient's line. */
static void test_numeric_limit_uses_the_file(void **unused)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    write_png("eight.png", 8, 8, 0);
    write_png("nine.png", 9, 9, 0);
    load(&s, "[problem d]\ntype = denoise\nimage = eight.png\ngradient = numeric\n"
             "[optimizer gd]\n");
    assert_int_equal(gd_sweep_read_files(&s, &err), 0);
    gd_sweep_free(&s);
    load(&s, "[problem d]\ntype = denoise\nimage = eight.png, nine.png\ngradient = numeric\n"
             "[optimizer gd]\n");
    assert_int_equal(gd_sweep_read_files(&s, &err), -1);
    assert_non_null(strstr(err.msg, "grid.ini:4: [problem d]: dimension 81 is more than 64 "
                                    "with gradient = numeric (with size = 100"));
    assert_non_null(strstr(err.msg, "image = nine.png"));
    gd_sweep_free(&s);
}

/* A long list that repeats a few names reads each set once (distinct names only). */
static void test_repeated_names_read_once(void **unused)
{
    size_t items = 1000000, size = items * 9 + 128;
    char *text = malloc(size);
    size_t used = (size_t)snprintf(text, size, "[problem d]\ntype = denoise\nimage = ");
    for (size_t i = 0; i < items; i++)
        used += (size_t)snprintf(text + used, size - used, "%s%s", i ? "," : "",
                                 i % 2 ? "one.png" : "two.png");
    snprintf(text + used, size - used, "\n[optimizer gd]\n");
    write_png("one.png", 3, 2, 0);
    write_png("two.png", 4, 5, 9);
    gd_sweep s;
    gd_error err = {{0}, 0};
    char path[256];
    snprintf(path, sizeof path, "%s/grid.ini", dir);
    if (gd_sweep_parse(&s, path, text, strlen(text), 0, &err) != 0)
        fail_msg("parse: %s", err.msg);
    assert_int_equal(s.n_file_names, 3);
    assert_int_equal(s.n_runs, items);
    assert_int_equal(gd_sweep_read_files(&s, &err), 0);
    assert_int_equal(s.files->count, 2);
    assert_int_equal(s.files->n_contents, 2);
    gd_sweep_free(&s);
    free(text);
}

/* Name keys (GD_NAME: curvefit's x and y) are part of a set: one file read once, one set
 * per combination of names, each giving its texts; the runs find theirs. */
static void test_name_keys_make_sets(void **unused)
{
    char path[256];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("t,u,v\n0,1,2\n1,2,4\n2,5,6\n", f);
    fclose(f);
    gd_sweep s;
    gd_error err = {{0}, 0};
    load(&s, "[problem c]\ntype = curvefit\ndata = d.csv\nx = t\ny = u, v, u\n"
             "degree = 1\n[optimizer gd]\n");
    assert_int_equal(s.n_runs, 3);
    assert_int_equal(gd_sweep_read_files(&s, &err), 0);
    assert_int_equal(s.files->count, 2);
    assert_int_equal(s.files->n_contents, 1);
    const char *want[] = {"u", "v", "u"};
    for (uint64_t id = 0; id < 3; id++) {
        gd_run_desc d;
        gd_sweep_decode(&s, id, &d);
        const gd_problem_files *set = gd_sweep_files_of(&s, &d);
        assert_non_null(set);
        assert_string_equal(gd_problem_files_name(set, "x"), "t");
        assert_string_equal(gd_problem_files_name(set, "y"), want[id]);
        assert_null(gd_problem_files_name(set, "data")); /* a file key, not a name key */
    }
    char *names = gd_sweep_names_text(&s);
    assert_non_null(names);
    assert_string_equal(names, "2\tt\n3\tu\n4\tv\n");
    free(names);
    gd_sweep_free(&s);
}

/* A name that fits alone but not after the grid's directory is refused, not cut short
 * (a shorter path would open another file). */
static void test_path_too_long_with_the_directory(void **unused)
{
    size_t len = 4090, size = len + 128;
    char *text = malloc(size);
    int head = snprintf(text, size, "[problem d]\ntype = denoise\nimage = ");
    memset(text + head, 'a', len);
    snprintf(text + head + len, size - (size_t)head - len, "\n[optimizer gd]\n");
    gd_sweep s;
    gd_error err = {{0}, 0};
    load(&s, text);
    assert_int_equal(gd_sweep_read_files(&s, &err), -1);
    assert_non_null(strstr(err.msg, "grid.ini:3: image = aaa"));
    assert_non_null(strstr(err.msg, "the path is longer than 4095 bytes"));
    gd_sweep_free(&s);
    free(text);
}

/* A file name with a control character would break input_files' lines: refused. */
static void test_control_characters_refused(void **unused)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    char path[256];
    const char *text = "[problem d]\ntype = denoise\nimage = a\tb.png\n[optimizer gd]\n";
    snprintf(path, sizeof path, "%s/grid.ini", dir);
    assert_int_equal(gd_sweep_parse(&s, path, text, strlen(text), 0, &err), -1);
    assert_non_null(strstr(err.msg, "grid.ini:3: image: the name 'a\\tb.png' holds a "
                                    "control character"));
}

/* The table of names is bounded (each new name is compared with the others). */
static void test_too_many_names(void **unused)
{
    size_t size = 5000 * 12 + 64;
    char *text = malloc(size);
    size_t used = (size_t)snprintf(text, size, "[problem d]\ntype = denoise\nimage = ");
    for (int i = 0; i < 5000; i++)
        used += (size_t)snprintf(text + used, size - used, "%sf%d.png", i ? "," : "", i);
    snprintf(text + used, size - used, "\n[optimizer gd]\n");
    gd_sweep s;
    gd_error err = {{0}, 0};
    char path[256];
    snprintf(path, sizeof path, "%s/grid.ini", dir);
    assert_int_equal(gd_sweep_parse(&s, path, text, strlen(text), 0, &err), -1);
    assert_non_null(strstr(err.msg, "grid.ini:3: image: the grid gives more than 4096 distinct "
                                    "names"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_index_one_table),
        cmocka_unit_test(test_no_files_identity_is_hash),
        cmocka_unit_test(test_files_are_read_and_hashed),
        cmocka_unit_test(test_bad_file_names_its_line),
        cmocka_unit_test(test_numeric_limit_uses_the_file),
        cmocka_unit_test(test_too_many_names),
        cmocka_unit_test(test_repeated_names_read_once),
        cmocka_unit_test(test_control_characters_refused),
        cmocka_unit_test(test_path_too_long_with_the_directory),
        cmocka_unit_test(test_name_keys_make_sets),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
