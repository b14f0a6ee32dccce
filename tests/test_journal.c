/* test_journal.c - the rollback journal (src/store/journal.c) and the HDF5 driver that
 * commits through it (src/store/journal_vfd.c).
 *
 * The format: merged ranges as computed by hand; a journal saved, the file then torn and
 * grown, restored byte for byte to a copy kept in memory; journals cut short, damaged,
 * empty, missing or made for another file ignored. The driver: a real HDF5 file torn
 * between two commits (the journal the driver would have written, then part of the new
 * bytes) reads as the older commit to a reader, which writes nothing, and a writer's open
 * rolls it back to the older commit's bytes exactly and removes the journal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/store/journal.h"
#include "../src/store/store_internal.h"
#include "test_files.h"

/* ---- files as byte arrays ------------------------------------------------------------ */

typedef struct bytes {
    unsigned char *data;
    size_t len;
} bytes;

static bytes slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    bytes b = {NULL, 0};
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    b.len = (size_t)ftell(f);
    rewind(f);
    b.data = malloc(b.len ? b.len : 1);
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, b.len, f), b.len);
    fclose(f);
    return b;
}

/* Rewrites the file in place (same inode) with b's bytes. */
static void put_back(const char *path, const bytes *b)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(gd_write_at(fd, b->data, b->len, 0), 0);
    close(fd);
}

static void assert_file_is(const char *path, const bytes *want)
{
    bytes got = slurp(path);
    assert_int_equal(got.len, want->len);
    assert_memory_equal(got.data, want->data, want->len);
    free(got.data);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* 1 when a journal holds a commit not yet completed (an empty one is the commit point). */
static int journal_pending(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

/* ---- the format ---------------------------------------------------------------------- */

static void test_merge_ranges(void **state)
{
    (void)state;
    gd_journal_range r[] = {{300, 10}, {0, 5}, {100, 50}, {5, 5}, {120, 10}, {149, 2}, {400, 0}};
    size_t n = gd_journal_merge_ranges(r, 7);
    /* by hand: [0,5)+[5,10) touch; [100,150) holds [120,130) and meets [149,151) */
    gd_journal_range want[] = {{0, 10}, {100, 51}, {300, 10}, {400, 0}};
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].addr, want[i].addr);
        assert_int_equal(r[i].len, want[i].len);
    }
}

/* The last range holds only zeros (stored as a length alone). */
static const gd_journal_range saved_ranges[] = {{100, 50}, {5000, 3000}, {8200, 1000}};
enum { ORIGINAL_SIZE = 10000 };

/* A file of a known pattern with a journal of two of its ranges; returns the pattern. */
static bytes file_with_journal(const char *file, const char *journal)
{
    bytes orig = {malloc(ORIGINAL_SIZE), ORIGINAL_SIZE};
    for (size_t i = 0; i < orig.len; i++)
        orig.data[i] = i >= 8100 && i < 9300 ? 0 : (unsigned char)(i * 7 % 251 + 1);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fwrite(orig.data, 1, orig.len, f);
    fclose(f);
    int jfd = open(journal, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct stat sb;
    assert_true(jfd >= 0 && stat(file, &sb) == 0);
    const unsigned char *old[3];
    for (size_t i = 0; i < 3; i++)
        old[i] = orig.data + saved_ranges[i].addr;
    assert_int_equal(gd_journal_save(jfd, &sb, ORIGINAL_SIZE, saved_ranges, old, 3), 0);
    close(jfd);
    return orig;
}

/* The commit torn: the journaled ranges half overwritten, the file grown. */
static void tear(const char *file)
{
    int fd = open(file, O_RDWR);
    unsigned char junk[4096];
    memset(junk, 0xEE, sizeof junk);
    assert_int_equal(gd_write_at(fd, junk, 25, 100), 0);
    assert_int_equal(gd_write_at(fd, junk, 1500, 6000), 0);
    assert_int_equal(gd_write_at(fd, junk, 700, 8400), 0);
    assert_int_equal(gd_write_at(fd, junk, sizeof junk, 20000), 0);
    close(fd);
}

static void test_restore_is_byte_exact(void **state)
{
    (void)state;
    char file[256], journal[256];
    test_path(file, sizeof file, "restore.bin");
    test_path(journal, sizeof journal, "restore.bin.journal");
    bytes orig = file_with_journal(file, journal);
    tear(file);
    struct stat sb;
    assert_int_equal(stat(file, &sb), 0);
    gd_journal j;
    assert_int_equal(gd_journal_load(journal, &sb, &j), 1);
    assert_int_equal(j.size, ORIGINAL_SIZE);
    assert_int_equal(j.count, 3);
    int fd = open(file, O_RDWR);
    assert_int_equal(gd_journal_restore(fd, &j), 0);
    close(fd);
    gd_journal_free(&j);
    assert_file_is(file, &orig);
    free(orig.data);
}

/* The journal (cut short, damaged, missing or for another inode) loads as none. */
static void expect_ignored(const char *journal, const struct stat *sb)
{
    gd_journal j;
    assert_int_equal(gd_journal_load(journal, sb, &j), 0);
    assert_null(j.ranges);
}

static void test_damaged_or_stale_journals_are_ignored(void **state)
{
    (void)state;
    char file[256], journal[256], other[256];
    test_path(file, sizeof file, "stale.bin");
    test_path(journal, sizeof journal, "stale.bin.journal");
    test_path(other, sizeof other, "other.bin");
    bytes orig = file_with_journal(file, journal);
    bytes whole = slurp(journal);
    struct stat sb, other_sb;
    assert_int_equal(stat(file, &sb), 0);
    put_back(other, &orig);
    assert_int_equal(stat(other, &other_sb), 0);
    expect_ignored(journal, &other_sb); /* made for another file */
    size_t cuts[] = {0, 7, 60, whole.len / 2, whole.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        bytes cut = {whole.data, cuts[i]};
        put_back(journal, &cut);
        expect_ignored(journal, &sb);
    }
    size_t flips[] = {3, 20, 40, 70, whole.len - 1}; /* magic, size, count, digest, body */
    for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
        whole.data[flips[i]] ^= 0x10;
        put_back(journal, &whole);
        expect_ignored(journal, &sb);
        whole.data[flips[i]] ^= 0x10;
    }
    put_back(journal, &whole);
    gd_journal j;
    assert_int_equal(gd_journal_load(journal, &sb, &j), 1); /* the intact one still loads */
    gd_journal_free(&j);
    unlink(journal);
    expect_ignored(journal, &sb);
    free(whole.data);
    free(orig.data);
}

/* ---- the driver ---------------------------------------------------------------------- */

enum { VALUES = 2000 };

static hid_t journal_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    assert_true(fapl >= 0);
    assert_int_equal(gd_h5_use_journal(fapl, NULL), 0);
    return fapl;
}

static void write_values(hid_t file, int first)
{
    int v[VALUES];
    for (int i = 0; i < VALUES; i++)
        v[i] = first + i;
    hid_t d = H5Dopen2(file, "v", H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(d);
}

static int first_value(const char *path)
{
    hid_t fapl = journal_fapl();
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    assert_true(file >= 0);
    int v[VALUES];
    hid_t d = H5Dopen2(file, "v", H5P_DEFAULT);
    assert_true(d >= 0 && H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(d);
    assert_true(H5Fclose(file) >= 0);
    for (int i = 1; i < VALUES; i++)
        assert_int_equal(v[i], v[0] + i);
    return v[0];
}

/* Commit A: a new file through the driver, v = 1... */
static bytes make_commit_a(const char *path)
{
    hid_t fapl = journal_fapl();
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    assert_true(file >= 0);
    hsize_t n = VALUES;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t d = H5Dcreate2(file, "v", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    H5Dclose(d);
    H5Sclose(space);
    write_values(file, 1);
    assert_true(H5Fflush(file, H5F_SCOPE_LOCAL) >= 0);
    assert_int_equal(gd_h5_start_journal(file), 0);
    assert_true(H5Fclose(file) >= 0);
    return slurp(path);
}

/* Commit B over A: v = 100001..., and a new attribute (metadata rewritten). */
static bytes make_commit_b(const char *path)
{
    hid_t fapl = journal_fapl();
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    assert_true(file >= 0);
    write_values(file, 100001);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(file, "note", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    double x = 2.5;
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, &x) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    assert_true(H5Fclose(file) >= 0);
    return slurp(path);
}

/* The ranges of `a` that `b` changes (b's bytes past a's end are not journaled). */
static size_t changed_ranges(const bytes *a, const bytes *b, gd_journal_range *r, size_t cap)
{
    size_t n = 0, common = a->len < b->len ? a->len : b->len;
    for (size_t i = 0; i < common;) {
        if (a->data[i] == b->data[i]) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < common && a->data[i] != b->data[i])
            i++;
        assert_true(n < cap);
        r[n++] = (gd_journal_range){start, i - start};
    }
    return n;
}

/* A on disk with the journal of A -> B, then the first half of B's changes and B's tail. */
static void tear_between(const char *path, const char *journal, const bytes *a, const bytes *b)
{
    gd_journal_range r[4096];
    size_t n = changed_ranges(a, b, r, 4096);
    assert_true(n > 1);
    put_back(path, a);
    int fd = open(path, O_RDWR), jfd = open(journal, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct stat sb;
    assert_true(fd >= 0 && jfd >= 0 && fstat(fd, &sb) == 0);
    static const unsigned char *old[4096];
    for (size_t i = 0; i < n; i++)
        old[i] = a->data + r[i].addr;
    assert_int_equal(gd_journal_save(jfd, &sb, a->len, r, old, n), 0);
    for (size_t i = 0; i < n / 2; i++)
        assert_int_equal(gd_write_at(fd, b->data + r[i].addr, r[i].len, r[i].addr), 0);
    if (b->len > a->len)
        assert_int_equal(gd_write_at(fd, b->data + a->len, b->len - a->len, a->len), 0);
    close(jfd);
    close(fd);
}

/* A child process takes the commit lock on path (exclusive: a writer, else shared: a
 * reader), says so on `ready`, holds it until `release` is readable, then exits. */
static pid_t lock_holder(const char *path, int exclusive, int ready[2], int release[2])
{
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(release), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        int fd = open(path, exclusive ? O_RDWR : O_RDONLY);
        int rc = exclusive ? gd_commit_lock_writer(fd) : gd_commit_lock_reader(fd, 1);
        char c = rc == (exclusive ? 1 : 0);
        if (write(ready[1], &c, 1) != 1 || read(release[0], &c, 1) < 0)
            _exit(2);
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 1);
    return child;
}

static void let_go(pid_t child, int ready[2], int release[2])
{
    char c = 1;
    int status = 0;
    assert_int_equal(write(release[1], &c, 1), 1);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < 2; i++) {
        close(ready[i]);
        close(release[i]);
    }
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* While another process commits, a reader waits and gives up after its wait; while another
 * process reads, a commit waits its wait and then goes on without the lock (0); with no
 * one else, each gets the lock. Record locks are per process, hence the children. */
static void test_commit_lock_excludes_readers_and_writers(void **state)
{
    (void)state;
    char file[256];
    int ready[2], release[2];
    test_path(file, sizeof file, "lock.bin");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    int fd = open(file, O_RDWR);
    assert_true(fd >= 0);

    pid_t writer = lock_holder(file, 1, ready, release);
    double t0 = seconds_now();
    assert_int_equal(gd_commit_lock_reader(fd, 0.2), -1);
    assert_true(seconds_now() - t0 >= 0.2);
    let_go(writer, ready, release);
    assert_int_equal(gd_commit_lock_reader(fd, 0.2), 0);
    gd_commit_unlock(fd);

    pid_t reader = lock_holder(file, 0, ready, release);
    t0 = seconds_now();
    assert_int_equal(gd_commit_lock_writer_wait(fd, 0.2), 0); /* went on without it */
    assert_true(seconds_now() - t0 >= 0.2);
    let_go(reader, ready, release);
    assert_int_equal(gd_commit_lock_writer_wait(fd, 0.2), 1);
    gd_commit_unlock(fd);
    close(fd);
    unlink(file);
}

static void test_torn_commit_reads_and_rolls_back(void **state)
{
    (void)state;
    char path[256], journal[256];
    test_path(path, sizeof path, "torn.h5");
    test_path(journal, sizeof journal, "torn.h5.journal");
    bytes a = make_commit_a(path);
    assert_false(exists(journal)); /* a completed commit leaves none */
    assert_int_equal(first_value(path), 1);
    bytes b = make_commit_b(path);
    assert_false(exists(journal));
    assert_int_equal(first_value(path), 100001);
    tear_between(path, journal, &a, &b);
    bytes torn = slurp(path);
    assert_int_equal(first_value(path), 1); /* a reader sees commit A... */
    assert_file_is(path, &torn);            /* ...and writes nothing */
    assert_true(exists(journal));
    hid_t fapl = journal_fapl();
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, fapl); /* a writer rolls back */
    H5Pclose(fapl);
    assert_true(file >= 0);
    assert_false(journal_pending(journal)); /* restored: emptied or removed */
    assert_true(H5Fclose(file) >= 0);
    assert_false(exists(journal));
    assert_file_is(path, &a);
    assert_int_equal(first_value(path), 1);
    free(torn.data);
    free(a.data);
    free(b.data);
}

/* Commit C over A: every 100th value changed (changes 400 bytes apart, in one image: the
 * commit writes them and the unchanged bytes between in one pwrite). The file is A's bytes
 * with exactly those values replaced. */
static void test_sparse_changes_commit_exactly(void **state)
{
    (void)state;
    char path[256];
    test_path(path, sizeof path, "sparse.h5");
    bytes a = make_commit_a(path);
    hid_t fapl = journal_fapl();
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    hid_t d = H5Dopen2(file, "v", H5P_DEFAULT);
    assert_true(d >= 0);
    haddr_t at = H5Dget_offset(d);
    assert_true(at != HADDR_UNDEF && at + VALUES * sizeof(int) <= a.len);
    int v[VALUES];
    assert_true(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    for (int i = 0; i < VALUES; i += 100)
        v[i] = -7 - i;
    assert_true(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(d);
    assert_true(H5Fclose(file) >= 0);
    memcpy(a.data + at, v, sizeof v);
    assert_file_is(path, &a);
    free(a.data);
}

static int setup(void **state)
{
    (void)state;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return test_dir_create("journal");
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_ranges),
        cmocka_unit_test(test_restore_is_byte_exact),
        cmocka_unit_test(test_damaged_or_stale_journals_are_ignored),
        cmocka_unit_test(test_torn_commit_reads_and_rolls_back),
        cmocka_unit_test(test_sparse_changes_commit_exactly),
        cmocka_unit_test(test_commit_lock_excludes_readers_and_writers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
