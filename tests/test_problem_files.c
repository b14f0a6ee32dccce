/* test_problem_files.c - the problem contract's data seam: a problem that reads a file.
 *
 * "target" is a test-only problem type (not in the registry): its file key `data` (a GD_PATH
 * key) names a text file of numbers v_1..v_n, and f(x) = scale * sum (x_i - v_i)^2, so its dimension
 * and cost come from the file and its setup reads the file through the cache. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gdsweep/problem.h"
#include "gdsweep/problem_files.h"

/* ---- the test problem ------------------------------------------------------------------ */

static const gd_param_spec target_params[] = {
    {.key = "scale", .kind = GD_REAL, .def = 1, .lo = 0, .hi = INFINITY, .lo_open = true,
     .hi_open = true, .doc = "weight of the squares"},
    {.key = "data", .kind = GD_PATH, .def = GD_PATH_NONE, .doc = "the numbers v"},
    {.key = NULL},
};

/* The numbers of the data file, parsed into v (NULL: only counted); returns the count. */
static size_t target_values(const gd_problem_files *files, double *v)
{
    const gd_problem_file *f = gd_problem_files_find(files, "data");
    size_t n = 0;
    char *end;
    for (const char *at = f ? (const char *)f->bytes : ""; ; at = end, n++) {
        double x = strtod(at, &end);
        if (end == at)
            return n;
        if (v)
            v[n] = x;
    }
}

static size_t target_dimension(const gd_problem_files *files, const double *pp)
{
    return target_values(files, NULL);
}

static double target_cost(const gd_problem_files *files, const double *pp)
{
    return (double)target_values(files, NULL) + 1;
}

static int target_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                        gd_rng_key key, gd_error *err);

static double target_loss_grad(const gd_problem *p, const double *x, double *g)
{
    const double *v = p->data;
    double f = 0;
    for (size_t i = 0; i < p->n; i++) {
        f += v[p->n] * (x[i] - v[i]) * (x[i] - v[i]);
        if (g)
            g[i] = 2 * v[p->n] * (x[i] - v[i]);
    }
    return f;
}

static double target_loss(const gd_problem *p, const double *x)
{
    return target_loss_grad(p, x, NULL);
}

static void target_destroy(gd_problem *p)
{
    free(p->data);
    free(p->x0);
}

static const gd_problem_type target = {
    .name = "target",
    .doc = "test only: scale * sum (x - v)^2, v read from the file `data`",
    .params = target_params,
    .dimension = target_dimension,
    .cost = target_cost,
    .setup = target_setup,
    .destroy = target_destroy,
    .loss = target_loss,
    .loss_grad = target_loss_grad,
};

/* p->data: v (n values) then scale; x0 = 0; optimum 0 at x = v. */
static int target_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                        gd_rng_key key, gd_error *err)
{
    if (!gd_problem_files_find(files, "data"))
        return gd_fail(err, "target: no file given for data; give data = FILE");
    size_t n = target_values(files, NULL);
    if (n == 0)
        return gd_fail(err, "target: the data file holds no number");
    double *v = malloc((n + 1) * sizeof *v), *x0 = calloc(n, sizeof *x0);
    if (!v || !x0) {
        free(v);
        free(x0);
        return gd_fail_runtime(err, "target: out of memory");
    }
    target_values(files, v);
    v[n] = pp[0];
    *p = (gd_problem){.type = &target, .n = n, .x0 = x0, .has_optimum = 1, .f_opt = 0,
                      .data = v};
    return 0;
}

/* ---- fixtures --------------------------------------------------------------------------- */

/* Writes text to a new temporary file; its path goes into path (24 bytes). */
static void write_temp(char *path, const char *text)
{
    strcpy(path, "/tmp/gd_filesXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void rewrite(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Sets up *p as an instance of t with its files from cache c (as gd_sweep_setup_instance
 * does with the sweep's cache). */
static int setup_with_files(gd_problem *p, gd_problem_files_cache *c, const gd_problem_type *t,
                            const char *const *paths, const double *pp, gd_rng_key key,
                            gd_error *err)
{
    const gd_problem_files *files;
    memset(p, 0, sizeof *p);
    if (gd_problem_files_get(c, t, paths, &files, err) != 0)
        return -1;
    return t->setup(p, files, pp, key, err);
}

static gd_problem target_instance(gd_problem_files_cache *c, const char *path)
{
    const char *paths[] = {path};
    const double pp[] = {2.0, 1};
    gd_problem p;
    gd_error err = {{0}, 0};
    if (setup_with_files(&p, c, &target, paths, pp, (gd_rng_key){0}, &err) != 0)
        fail_msg("setup: %s", err.msg);
    return p;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Registered types asked without file names (none given: every type without file keys,
 * and denoise without `image`): GD_NO_FILES, nothing read or cached. */
static void test_types_without_files_get_none(void **unused)
{
    gd_problem_files_cache c = {0};
    gd_error err = {{0}, 0};
    for (size_t i = 0; gd_problems[i]; i++) {
        const gd_problem_files *f = (const gd_problem_files *)&c; /* anything but NULL */
        assert_int_equal(gd_problem_files_get(&c, gd_problems[i], NULL, &f, &err), 0);
        assert_null(f);
    }
    assert_int_equal(c.count, 0);
    assert_int_equal(c.n_contents, 0);
    assert_int_equal(gd_problem_file_key_count(gd_problem_find("denoise")), 1);
    assert_string_equal(gd_problem_file_key(gd_problem_find("denoise"), 0), "image");
    assert_null(gd_problem_files_find(GD_NO_FILES, "data"));
    gd_problem_files_cache_free(&c);
}

/* The file decides the dimension, the cost and the instance; its hash is its content's. */
static void test_problem_reads_its_file(void **unused)
{
    char path[24], hash[GD_SHA256_HEX];
    const char *text = "1.5 -2 4\n";
    write_temp(path, text);
    gd_problem_files_cache c = {0};
    gd_problem p = target_instance(&c, path);
    const gd_problem_files *files = c.sets[0];
    assert_int_equal(p.n, 3);
    assert_int_equal(target.dimension(files, (double[]){2.0}), 3);
    assert_true(target.cost(files, (double[]){2.0}) == 4.0);
    const double at_v[] = {1.5, -2, 4}, zero[] = {0, 0, 0};
    assert_true(target.loss(&p, at_v) == 0.0);
    assert_true(target.loss(&p, zero) == 2.0 * (2.25 + 4 + 16));
    const gd_problem_file *f = gd_problem_files_find(files, "data");
    assert_non_null(f);
    assert_string_equal(f->path, path);
    assert_int_equal(f->len, strlen(text));
    gd_sha256_hex(text, strlen(text), hash);
    assert_string_equal(f->hash, hash);
    assert_null(gd_problem_files_find(files, "image"));
    gd_problem_destroy(&p);
    gd_problem_files_cache_free(&c);
    assert_int_equal(c.count, 0);
    unlink(path);
}

/* Read once per process: a second instance shares the set, even after the file changed;
 * another cache (another process) reads the new content. */
static void test_files_are_read_once_and_shared(void **unused)
{
    char path[24];
    write_temp(path, "1 2");
    gd_problem_files_cache c = {0}, other = {0};
    gd_problem a = target_instance(&c, path);
    rewrite(path, "1 2 3 4");
    gd_problem b = target_instance(&c, path);
    assert_int_equal(c.count, 1);
    assert_int_equal(a.n, 2);
    assert_int_equal(b.n, 2);
    gd_problem fresh = target_instance(&other, path);
    assert_int_equal(fresh.n, 4);
    gd_problem_destroy(&a);
    gd_problem_destroy(&b);
    gd_problem_destroy(&fresh);
    gd_problem_files_cache_free(&c);
    gd_problem_files_cache_free(&other);
    unlink(path);
}

/* ---- decoded forms ---------------------------------------------------------------------- */

static int decodes; /* how many times count_decode ran */

/* A decoded form: the file's length in a new size_t; "bad" does not decode. */
static void *count_decode(const gd_problem_file *f, gd_error *err)
{
    decodes++;
    if (f->len >= 3 && memcmp(f->bytes, "bad", 3) == 0) {
        gd_fail(err, "%s: bad", f->path);
        return NULL;
    }
    size_t *len = malloc(sizeof *len);
    *len = f->len;
    return len;
}

static void *threaded_decode(void *arg)
{
    gd_error err = {{0}, 0};
    return (void *)gd_problem_file_decoded(arg, count_decode, free, &err);
}

/* A file is decoded once, whatever the sets, calls and threads that ask (each gets the same
 * object); a failure is not kept (the next call tries again); a file that is not the
 * cache's is refused. */
static void test_decoded_once_per_file(void **unused)
{
    char path[24], bad[24];
    write_temp(path, "1 2 3");
    write_temp(bad, "bad");
    gd_problem_files_cache c = {0};
    const gd_problem_files *one, *two, *worse;
    gd_error err = {{0}, 0};
    const char *paths[] = {path}, *bad_paths[] = {bad}, *names[GD_MAX_PARAMS] = {"n"};
    assert_int_equal(gd_problem_files_get(&c, &target, paths, &one, &err), 0);
    assert_int_equal(gd_problem_files_get_named(&c, &target, paths, names, &two, &err), 0);
    assert_ptr_not_equal(one, two); /* two sets, one content */
    decodes = 0;
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, threaded_decode,
                                        (void *)&(i % 2 ? one : two)->files[0]), 0);
    void *seen[4];
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], &seen[i]);
    assert_int_equal(decodes, 1);
    for (int i = 0; i < 4; i++)
        assert_ptr_equal(seen[i], seen[0]);
    assert_int_equal(*(const size_t *)seen[0], 5);
    assert_int_equal(gd_problem_files_get(&c, &target, bad_paths, &worse, &err), 0);
    assert_null(gd_problem_file_decoded(&worse->files[0], count_decode, free, &err));
    assert_null(gd_problem_file_decoded(&worse->files[0], count_decode, free, &err));
    assert_int_equal(decodes, 3);
    gd_problem_file loose = worse->files[0];
    loose.content = NULL;
    assert_null(gd_problem_file_decoded(&loose, count_decode, free, &err));
    assert_non_null(strstr(err.msg, "not a file of the files cache"));
    gd_problem_files_cache_free(&c);
    unlink(path);
    unlink(bad);
}

/* A missing file: a usage error naming the key and the path; nothing cached. */
static void test_missing_file_fails_with_its_name(void **unused)
{
    gd_problem_files_cache c = {0};
    gd_problem p;
    gd_error err = {{0}, 0};
    const char *paths[] = {"/nonexistent/gd_values.txt"};
    assert_int_equal(setup_with_files(&p, &c, &target, paths, (double[]){1.0}, (gd_rng_key){0},
                                      &err), -1);
    assert_non_null(strstr(err.msg, "data: /nonexistent/gd_values.txt: cannot open the file"));
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_int_equal(c.count, 0);
    assert_null(p.type);
    assert_int_equal(setup_with_files(&p, &c, &target, NULL, (double[]){1.0}, (gd_rng_key){0},
                                      &err), -1);
    assert_non_null(strstr(err.msg, "target: no file given for data"));
    const char *no_path[] = {NULL};
    assert_int_equal(setup_with_files(&p, &c, &target, no_path, (double[]){1.0},
                                      (gd_rng_key){0}, &err), -1);
    assert_non_null(strstr(err.msg, "target: no file given for data"));
    gd_problem_files_cache_free(&c);
}

/* The sweep's identity: the grid hash itself without files (existing outputs resume);
 * with files it follows their content, not their path. */
static void test_identity_is_grid_hash_without_files(void **unused)
{
    char grid[GD_SHA256_HEX], id[GD_SHA256_HEX], id2[GD_SHA256_HEX], a[24], b[24];
    gd_sha256_hex("[sweep]\n", 8, grid);
    const gd_problem_files *none[] = {GD_NO_FILES, GD_NO_FILES};
    gd_problem_files_identity(grid, none, 2, id);
    assert_string_equal(id, grid);
    gd_problem_files_identity(grid, NULL, 0, id);
    assert_string_equal(id, grid);

    write_temp(a, "1 2");
    write_temp(b, "1 2");
    gd_problem_files_cache c = {0};
    gd_problem pa = target_instance(&c, a), pb = target_instance(&c, b);
    assert_int_equal(c.count, 2);
    const gd_problem_files *with_a[] = {GD_NO_FILES, c.sets[0]}, *with_b[] = {c.sets[1]};
    gd_problem_files_identity(grid, with_a, 2, id);
    gd_problem_files_identity(grid, with_b, 1, id2);
    assert_int_equal(strlen(id), 64);
    assert_string_not_equal(id, grid);
    assert_string_equal(id, id2); /* same content, another path */
    gd_problem_destroy(&pa);
    gd_problem_destroy(&pb);
    gd_problem_files_cache_free(&c);

    rewrite(b, "1 3");
    pb = target_instance(&c, b);
    gd_problem_files_identity(grid, (const gd_problem_files *const *)c.sets, 1, id2);
    assert_string_not_equal(id, id2);
    gd_problem_destroy(&pb);
    gd_problem_files_cache_free(&c);
    unlink(a);
    unlink(b);
}

/* A type with two file keys: a path named by both keys (or by two sets) is read once; a
 * key that names no file is left out of the set; no file at all is GD_NO_FILES. */
static const gd_param_spec pair_params[] = {
    {.key = "left", .kind = GD_PATH, .def = GD_PATH_NONE, .doc = "a file"},
    {.key = "gain", .kind = GD_REAL, .def = 1, .lo = 0, .hi = 1, .doc = "a number"},
    {.key = "right", .kind = GD_PATH, .def = GD_PATH_NONE, .doc = "another file"},
    {.key = NULL},
};
static const gd_problem_type pair = {.name = "pair", .params = pair_params};

static void test_keys_share_contents_and_may_name_none(void **unused)
{
    char a[24], b[24];
    write_temp(a, "first");
    write_temp(b, "second");
    gd_problem_files_cache c = {0};
    gd_error err = {{0}, 0};
    const gd_problem_files *both, *same, *left_only, *none;
    assert_int_equal(gd_problem_file_key_count(&pair), 2);
    assert_string_equal(gd_problem_file_key(&pair, 1), "right");
    assert_null(gd_problem_file_key(&pair, 2));
    assert_int_equal(gd_problem_files_get(&c, &pair, (const char *[]){a, a}, &both, &err), 0);
    assert_int_equal(gd_problem_files_get(&c, &pair, (const char *[]){a, b}, &same, &err), 0);
    assert_int_equal(gd_problem_files_get(&c, &pair, (const char *[]){a, NULL}, &left_only,
                                          &err), 0);
    assert_int_equal(gd_problem_files_get(&c, &pair, (const char *[]){NULL, NULL}, &none,
                                          &err), 0);
    assert_null(none);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.n_contents, 2);
    assert_int_equal(both->count, 2);
    assert_ptr_equal(both->files[0].bytes, both->files[1].bytes);
    assert_ptr_equal(both->files[0].bytes, same->files[0].bytes);
    assert_string_equal((const char *)same->files[1].bytes, "second");
    assert_string_equal(same->files[1].key, "right");
    assert_int_equal(left_only->count, 1);
    assert_non_null(gd_problem_files_find(left_only, "left"));
    assert_null(gd_problem_files_find(left_only, "right"));
    char hash[GD_SHA256_HEX];
    gd_sha256_hex("second", 6, hash);
    assert_string_equal(gd_problem_files_hash_of(&c, b), hash);
    assert_null(gd_problem_files_hash_of(&c, "/nonexistent"));
    gd_problem_files_cache_free(&c);
    unlink(a);
    unlink(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_without_files_get_none),
        cmocka_unit_test(test_problem_reads_its_file),
        cmocka_unit_test(test_files_are_read_once_and_shared),
        cmocka_unit_test(test_decoded_once_per_file),
        cmocka_unit_test(test_missing_file_fails_with_its_name),
        cmocka_unit_test(test_identity_is_grid_hash_without_files),
        cmocka_unit_test(test_keys_share_contents_and_may_name_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
