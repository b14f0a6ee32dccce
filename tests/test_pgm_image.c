/* test_pgm_image.c - PGM images (libnetpbm) for denoise: values, maxval scaling, refusals.
 *
 * Each PGM is built here, byte by byte, from samples the test chooses; the decoded value of
 * sample v must be exactly v / maxval (computed here), for 8-bit and 16-bit (big-endian)
 * binary files, plain text files and headers with comments. Bad headers, cut data and
 * samples over maxval must be one usage error naming the key and the file; decoding from
 * several threads at once (libnetpbm's error handling is process-global) must stay right. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/problems/image_file.h"

#define W 5
#define H 3
#define TEXT_MAX 4096

/* A PGM in memory: header text then samples. */
typedef struct pgm {
    unsigned char bytes[TEXT_MAX];
    size_t len;
} pgm;

static gd_problem_file as_file(const pgm *p)
{
    return (gd_problem_file){.key = "image", .path = "test.pgm", .bytes = p->bytes,
                             .len = p->len, .hash = ""};
}

/* The sample at (i, j): spread over [0, maxval], both ends included. */
static unsigned sample(size_t i, size_t j, unsigned maxval)
{
    size_t k = i * W + j;
    return k == 0 ? 0 : k == W * H - 1 ? maxval : (unsigned)((k * 7919u) % (maxval + 1u));
}

/* A binary (P5) PGM of W x H samples with header text (up to the maxval line). */
static void binary_pgm(pgm *p, const char *header, unsigned maxval)
{
    p->len = (size_t)snprintf((char *)p->bytes, TEXT_MAX, "%s", header);
    for (size_t i = 0; i < H; i++)
        for (size_t j = 0; j < W; j++) {
            unsigned v = sample(i, j, maxval);
            if (maxval > 255)
                p->bytes[p->len++] = (unsigned char)(v >> 8);
            p->bytes[p->len++] = (unsigned char)(v & 255);
        }
}

static void plain_pgm(pgm *p, unsigned maxval)
{
    p->len = (size_t)snprintf((char *)p->bytes, TEXT_MAX, "P2\n# plain\n%d %d\n%u\n", W, H,
                              maxval);
    for (size_t k = 0; k < W * H; k++)
        p->len += (size_t)snprintf((char *)p->bytes + p->len, TEXT_MAX - p->len, "%u%c",
                                   sample(k / W, k % W, maxval), k % W == W - 1 ? '\n' : ' ');
}

static void assert_scaled(const pgm *p, unsigned maxval)
{
    gd_problem_file f = as_file(p);
    gd_error err = {{0}, 0};
    size_t h, w;
    double out[W * H];
    if (gd_image_size(&f, &h, &w, &err) != 0 || gd_image_read(&f, out, &err) != 0)
        fail_msg("decode: %s", err.msg);
    assert_int_equal(h, H);
    assert_int_equal(w, W);
    for (size_t k = 0; k < W * H; k++)
        if (out[k] != (double)sample(k / W, k % W, maxval) / (double)maxval)
            fail_msg("maxval %u: pixel %zu is %.17g, want %u / %u", maxval, k, out[k],
                     sample(k / W, k % W, maxval), maxval);
}

static void test_binary_8_and_16_bit(void **state)
{
    const unsigned maxvals[] = {255, 65535, 1, 100, 256, 1000};
    for (size_t m = 0; m < sizeof maxvals / sizeof *maxvals; m++) {
        char header[64];
        snprintf(header, sizeof header, "P5\n%d %d\n%u\n", W, H, maxvals[m]);
        pgm p;
        binary_pgm(&p, header, maxvals[m]);
        assert_scaled(&p, maxvals[m]);
    }
}

static void test_comments_in_the_header(void **state)
{
    pgm p;
    binary_pgm(&p, "P5 # gray\n# made by the test\n5 # width\n3\n# maxval next\n255\n", 255);
    assert_scaled(&p, 255);
}

static void test_plain_pgm(void **state)
{
    pgm p;
    plain_pgm(&p, 255);
    assert_scaled(&p, 255);
    plain_pgm(&p, 4095);
    assert_scaled(&p, 4095);
}

/* p must be refused: a usage error naming the key and the file, on one line. */
static void assert_refused(const pgm *p, const char *what)
{
    gd_problem_file f = as_file(p);
    gd_error err = {{0}, 0};
    double out[W * H + 64];
    size_t h, w;
    int rc = gd_image_size(&f, &h, &w, &err);
    if (rc == 0)
        rc = gd_image_read(&f, out, &err);
    if (rc == 0)
        fail_msg("%s: decoded", what);
    if (err.exit_code != GD_EXIT_USAGE || !strstr(err.msg, "image = test.pgm") ||
        strchr(err.msg, '\n'))
        fail_msg("%s: want one usage line naming image = test.pgm, got %d: %s", what,
                 err.exit_code, err.msg);
}

static void test_bad_headers(void **state)
{
    const char *headers[] = {"P5\n", "P5\n5\n", "P5\nfive 3\n255\n", "P5\n5 3\n0\n",
                             "P5\n5 3\n65536\n", "P5\n5 -3\n255\n", "P5\n5 3\n-1\n",
                             "P6\n5 3\n255\n", "P2\n5 3\n255\n1 2 x\n"};
    for (size_t k = 0; k < sizeof headers / sizeof *headers; k++) {
        pgm p;
        p.len = (size_t)snprintf((char *)p.bytes, TEXT_MAX, "%s", headers[k]);
        assert_refused(&p, headers[k]);
    }
}

static void test_cut_data_and_samples_over_maxval(void **state)
{
    pgm p;
    binary_pgm(&p, "P5\n5 3\n255\n", 255);
    p.len -= 1;
    assert_refused(&p, "8-bit, one byte short");
    binary_pgm(&p, "P5\n5 3\n65535\n", 65535);
    p.len -= 3;
    assert_refused(&p, "16-bit, a sample and a half short");
    binary_pgm(&p, "P5\n5 3\n100\n", 100);
    p.bytes[p.len - 2] = 101;
    assert_refused(&p, "a sample over maxval");
    plain_pgm(&p, 255);
    p.len = 20;
    assert_refused(&p, "plain, cut in the samples");
}

/* One thread's work: good and bad files in turn, each result checked. */
static void *decode_many(void *arg)
{
    pgm good, bad;
    binary_pgm(&good, "P5\n5 3\n1000\n", 1000);
    binary_pgm(&bad, "P5\n5 3\n255\n", 255);
    bad.len -= 2;
    for (int round = 0; round < 200; round++) {
        gd_problem_file g = as_file(&good), b = as_file(&bad);
        gd_error err = {{0}, 0};
        double out[W * H];
        if (gd_image_read(&g, out, &err) != 0 || out[W * H - 1] != 1.0 ||
            gd_image_read(&b, out, &err) == 0 || !strstr(err.msg, "test.pgm"))
            return "wrong";
    }
    return NULL;
}

static void test_threads_at_once(void **state)
{
    pthread_t t[4];
    for (int k = 0; k < 4; k++)
        assert_int_equal(pthread_create(&t[k], NULL, decode_many, NULL), 0);
    for (int k = 0; k < 4; k++) {
        void *result;
        assert_int_equal(pthread_join(t[k], &result), 0);
        assert_null(result);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_8_and_16_bit),
        cmocka_unit_test(test_comments_in_the_header),
        cmocka_unit_test(test_plain_pgm),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_cut_data_and_samples_over_maxval),
        cmocka_unit_test(test_threads_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
