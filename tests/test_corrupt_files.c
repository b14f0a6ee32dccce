/* test_corrupt_files.c - damaged gdsweep files, read as the reader, `gdsweep status` and
 * `--resume` read them: truncated at many lengths and a byte changed at many offsets.
 *
 * A real file is made by the gdsweep binary (GD_BINARY) from a small grid; each variant
 * is written next to it and read three ways in a child process (test_corrupt_util.h):
 * through the reader (every root attribute, every column of the runs table, every 1-D
 * dataset), by gd_status_main, and by gd_store_reopen then close (a resume that finds
 * nothing to do). The rule: a clear error, never a crash. So the child must come back,
 * and a refusal must be one line that names the file. Offsets: every GD_CORRUPT_STRIDE-th
 * byte (default 199; .ci/hardening.sh runs 11) of the first 32 KiB, where HDF5 keeps the
 * superblock, object headers, attributes and B-trees of a small file, and 64 spread over
 * the rest (raw data); GD_CORRUPT_SHARD=I/N flips only every Nth of those from the Ith
 * (1-based), so N processes share one stride's variants (.ci/hardening.sh runs 2). A
 * crash is told apart as inside libhdf5 or in gdsweep's code, and either fails;
 * GD_CORRUPT_ONLY=OFFSET:XOR,... replays given variants (docs/HARDENING.md). Files with wrong attributes, missing datasets and tables of the
 * wrong type, made with the HDF5 API, are in test_corrupt_layout.c. */
#define _GNU_SOURCE /* dladdr, in test_corrupt_util.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_files.h"
#include "test_corrupt_util.h"

#define METADATA_BYTES 32768
#define DEFAULT_STRIDE 199
#define DATA_SAMPLES 64

static void test_good_file_reads_clean(void **state)
{
    corrupt_fixture *fx = *state;
    snprintf(fx->what, sizeof fx->what, "the good file");
    corrupt_expect expect = corrupt_read_all(fx, fx->good);
    assert_false(expect.broken);
    assert_int_equal(expect.reader_rc, 0);
    assert_int_equal(expect.status_rc, 0);
    assert_int_equal(expect.resume_rc, 0);
}

static void test_truncated(void **state)
{
    corrupt_fixture *fx = *state;
    size_t lengths[80], n = 0;
    static const size_t fixed[] = {0, 1, 7, 8, 95, 96, 512, 1024, 2048, 4096, 8192};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        lengths[n++] = fixed[i];
    for (size_t k = 1; k < 64; k++)
        lengths[n++] = fx->size * k / 64;
    lengths[n++] = fx->size - 1;
    size_t refused = 0, broken = 0;
    for (size_t i = 0; i < n; i++) {
        if (lengths[i] >= fx->size)
            continue;
        snprintf(fx->what, sizeof fx->what, "cut to %zu bytes", lengths[i]);
        corrupt_write_variant(fx, fx->bytes, lengths[i]);
        corrupt_expect e = corrupt_read_all(fx, fx->variant);
        refused += e.reader_rc != 0;
        broken += e.broken || e.hdf5_crash;
    }
    printf("truncated: %zu lengths, %zu refused by the reader, %zu broke the rule\n", n,
           refused, broken);
    assert_int_equal(broken, 0);
    /* A file cut before its metadata's end cannot open. */
    assert_true(refused >= 11);
}

static size_t env_stride(void)
{
    const char *s = getenv("GD_CORRUPT_STRIDE");
    long v = s ? strtol(s, NULL, 10) : DEFAULT_STRIDE;
    return v >= 1 ? (size_t)v : DEFAULT_STRIDE;
}

/* GD_CORRUPT_SHARD="I/N": variant k is flipped when k % N == I - 1; unset, all (1/1). */
static void env_shard(size_t *index, size_t *count)
{
    const char *s = getenv("GD_CORRUPT_SHARD");
    unsigned long i = 1, n = 1;
    if (s && (sscanf(s, "%lu/%lu", &i, &n) != 2 || n < 1 || i < 1 || i > n))
        fail_msg("GD_CORRUPT_SHARD=%s: want I/N with 1 <= I <= N", s);
    *index = i - 1;
    *count = n;
}

/* One byte at off changed by x (xor), the rest intact. */
static corrupt_expect flip(corrupt_fixture *fx, size_t off, unsigned char x)
{
    unsigned char *copy = malloc(fx->size);
    assert_non_null(copy);
    memcpy(copy, fx->bytes, fx->size);
    copy[off] ^= x;
    snprintf(fx->what, sizeof fx->what, "byte %zu xor 0x%02x", off, x);
    corrupt_write_variant(fx, copy, fx->size);
    free(copy);
    return corrupt_read_all(fx, fx->variant);
}

/* GD_CORRUPT_ONLY="OFFSET:XOR,..." (as a failure prints them): just those variants. */
static int only_listed(corrupt_fixture *fx, const char *list)
{
    size_t broken = 0;
    for (const char *p = list; *p;) {
        char *end;
        size_t off = strtoul(p, &end, 10);
        unsigned x = *end == ':' ? (unsigned)strtoul(end + 1, &end, 16) : 0xff;
        if (off < fx->size) {
            corrupt_expect e = flip(fx, off, (unsigned char)x);
            broken += e.broken || e.hdf5_crash;
        }
        p = *end == ',' ? end + 1 : end + strlen(end);
    }
    return (int)broken;
}

static void test_flipped_bytes(void **state)
{
    corrupt_fixture *fx = *state;
    static const unsigned char patterns[] = {0xff, 0x01, 0x80, 0x10};
    if (getenv("GD_CORRUPT_ONLY")) {
        assert_int_equal(only_listed(fx, getenv("GD_CORRUPT_ONLY")), 0);
        return;
    }
    size_t stride = env_stride(), meta = fx->size < METADATA_BYTES ? fx->size : METADATA_BYTES;
    size_t tried = 0, refused = 0, broken = 0, in_hdf5 = 0, shard, shards;
    env_shard(&shard, &shards);
    for (size_t k = shard; k < meta / stride + DATA_SAMPLES; k += shards) {
        size_t off = k * stride < meta ? k * stride
                                       : meta + (fx->size - meta) * (k - meta / stride) /
                                                    DATA_SAMPLES;
        if (off >= fx->size)
            break;
        corrupt_expect e = flip(fx, off, patterns[k % 4]);
        tried++;
        refused += e.reader_rc != 0 || e.status_rc != 0 || e.resume_rc != 0;
        broken += e.broken;
        in_hdf5 += e.hdf5_crash;
    }
    printf("flipped: %zu offsets (stride %zu, shard %zu/%zu): %zu refused somewhere, %zu "
           "crashed inside libhdf5, %zu broke the rule in gdsweep\n", tried, stride, shard + 1,
           shards, refused, in_hdf5, broken);
    assert_int_equal(broken, 0);
    /* A crash inside libhdf5 is a crash of gdsweep too. The file format makes HDF5 check
     * what it reads (checksummed metadata, no global heap: docs/HARDENING.md). */
    assert_int_equal(in_hdf5, 0);
    /* Changing the signature alone is refused; some metadata bytes matter. */
    assert_true(flip(fx, 0, 0xff).reader_rc != 0);
    assert_true(refused > 0);
}

/* ---- fields HDF5 does not check, changed on purpose ------------------------------- */

/* Offset of the only occurrence of pattern in the good file (fails if not exactly one). */
static size_t find_once(const corrupt_fixture *fx, const void *pattern, size_t len)
{
    size_t at = SIZE_MAX, hits = 0;
    for (size_t i = 0; i + len <= fx->size; i++)
        if (memcmp(fx->bytes + i, pattern, len) == 0)
            at = i, hits++;
    if (hits != 1)
        fail_msg("the file layout changed: %zu matches of a %zu-byte pattern", hits, len);
    return at;
}

static void put_le(unsigned char *at, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        at[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *at, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)at[i] << (8 * i);
    return v;
}

/* libhdf5's own checksum of metadata (exported, not in its public headers). */
uint32_t H5_checksum_metadata(const void *data, size_t len, uint32_t initval);

/* The object header chunk ("OHDR", version 2: the 1.8 format) of the good file that holds
 * byte off: [*start, *end), the 4-byte checksum at *end. Fails if none does. */
static void header_chunk(const corrupt_fixture *fx, size_t off, size_t *start, size_t *end)
{
    for (size_t i = 0; i + 8 < fx->size; i++) {
        const unsigned char *h = fx->bytes + i;
        if (memcmp(h, "OHDR", 4) != 0 || h[4] != 2)
            continue;
        size_t p = 6 + (h[5] & 0x20 ? 16 : 0) + (h[5] & 0x10 ? 4 : 0);
        size_t width = (size_t)1 << (h[5] & 3), size = 0;
        for (size_t k = 0; k < width; k++)
            size |= (size_t)h[p + k] << (8 * k);
        size_t e = i + p + width + size;
        if (off > i && off < e && e + 4 <= fx->size &&
            H5_checksum_metadata(h, e - i, 0) == (uint32_t)get_le(fx->bytes + e, 4)) {
            *start = i, *end = e;
            return;
        }
    }
    fail_msg("no checksummed object header holds byte %zu", off);
}

/* The good file with `bytes` bytes at off set to v and its object header's checksum made
 * right again (damage HDF5 cannot see); every way of reading must refuse. */
static void refused_everywhere(corrupt_fixture *fx, const char *what, size_t off, uint64_t v,
                               size_t bytes)
{
    size_t start, end;
    header_chunk(fx, off, &start, &end);
    unsigned char *copy = malloc(fx->size);
    assert_non_null(copy);
    memcpy(copy, fx->bytes, fx->size);
    put_le(copy + off, v, bytes);
    put_le(copy + end, H5_checksum_metadata(copy + start, end - start, 0), 4);
    corrupt_write_variant(fx, copy, fx->size);
    free(copy);
    snprintf(fx->what, sizeof fx->what, "%s", what);
    corrupt_expect e = corrupt_read_all(fx, fx->variant);
    assert_false(e.broken);
    assert_false(e.hdf5_crash);
    assert_int_equal(e.reader_rc, -1);
    assert_int_equal(e.status_rc, GD_EXIT_USAGE);
    assert_int_equal(e.resume_rc, -1);
}

/* The runs table's dataspace and row type, in the messages HDF5 1.10 writes for the 1.8
 * format (dataspace version 2, compound datatype version 3: member names unpadded, member
 * offsets in as few bytes as the row size needs), each located by content and changed
 * with the header's checksum fixed: before the reader and resume checked them, status
 * read 2^55 rows (a hang) and HDF5 read past its buffers. */
static void test_unchecked_fields(void **state)
{
    corrupt_fixture *fx = *state;
    unsigned char space[20] = {2, 1, 1, 1};              /* version 2, rank 1, has max */
    put_le(space + 4, fx->sweep.n_runs, 8);
    put_le(space + 12, fx->sweep.n_runs, 8);
    size_t dims = find_once(fx, space, sizeof space) + 4;
    refused_everywhere(fx, "runs: 2^55 rows of at most n_runs", dims, (1ULL << 55) + 9, 8);

    unsigned char compound[8] = {0x36};                  /* class 6, version 3 */
    put_le(compound + 1, fx->cols.count, 2);
    put_le(compound + 4, fx->cols.row_size, 4);
    size_t type = find_once(fx, compound, sizeof compound);
    refused_everywhere(fx, "runs: row size + 79", type + 4, fx->cols.row_size + 79, 4);

    size_t width = fx->cols.row_size < 256 ? 1 : fx->cols.row_size < 65536 ? 2 : 4;
    size_t member = find_once(fx, "decay_steps\0", 12) + 12;
    uint64_t was = get_le(fx->bytes + member, width);
    assert_true(was > 0 && was < fx->cols.row_size);
    refused_everywhere(fx, "runs: decay_steps at offset past the row", member,
                       fx->cols.row_size + 8, width);

    /* A member's type follows its offset; an integer's precision is at +10. */
    size_t iters = find_once(fx, "iterations\0", 11) + 11 + width;
    assert_int_equal(fx->bytes[iters + 4], 8);                     /* an 8-byte integer */
    assert_int_equal(get_le(fx->bytes + iters + 10, 2), 64);
    refused_everywhere(fx, "runs: iterations with 320-bit precision", iters + 10, 320, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file_reads_clean),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_unchecked_fields),
    };
    return cmocka_run_group_tests(tests, corrupt_setup, corrupt_teardown);
}
