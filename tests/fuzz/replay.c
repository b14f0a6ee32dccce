/* replay.c - runs a fuzz target's entry function on files, without libFuzzer.
 *
 * Usage: fuzz_replay_TARGET PATH...  where each PATH is a file or a directory of files
 * (not recursive). Used by ctest to replay the committed regression inputs in every
 * build (gcc, sanitizers, valgrind) and by hand to check a crash found by libFuzzer.
 * One cmocka test: every path reads, at least one input ran, and none broke an invariant
 * (a broken one aborts inside the target, failing the test). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so that ASan catches a read one past the input's end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (exact)
        memcpy(exact, buf, n);
    free(buf);
    if (!exact)
        return -1;
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int run_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        rc = run_file(path);
        (*count)++;
    }
    closedir(d);
    return rc;
}

static int n_paths;
static char **paths;

static void test_every_input_keeps_the_invariants(void **state)
{
    (void)state;
    int count = 0;
    for (int i = 0; i < n_paths; i++) {
        struct stat st;
        int rc = stat(paths[i], &st) != 0 ? -1
                 : S_ISDIR(st.st_mode)    ? run_dir(paths[i], &count)
                                          : (count++, run_file(paths[i]));
        if (rc != 0)
            fail_msg("replay: cannot read %s", paths[i]);
    }
    assert_true(count > 0);
    printf("replay: %d inputs, no invariant broken\n", count);
}

int main(int argc, char **argv)
{
    n_paths = argc - 1;
    paths = argv + 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_input_keeps_the_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
