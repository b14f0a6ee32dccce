/* test_grid_sha256.c - SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/sha256.h"

static void expect_hex(const char *data, size_t len, const char *want)
{
    char hex[GD_SHA256_HEX];
    gd_sha256_hex(data, len, hex);
    assert_string_equal(hex, want);
}

static void test_standard_vectors(void **state)
{
    expect_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_hex(two_blocks, strlen(two_blocks),
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *long_one = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                           "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect_hex(long_one, strlen(long_one),
               "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a_in_pieces(void **state)
{
    static char chunk[1001];
    memset(chunk, 'a', sizeof chunk);
    gd_sha256 c;
    gd_sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        gd_sha256_update(&c, chunk, (size_t)(i % 7 == 0 ? 999 : 1000) + (i % 7 == 1));
    unsigned char d[GD_SHA256_BYTES];
    gd_sha256_final(&c, d);
    static const unsigned char want[GD_SHA256_BYTES] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0,
    };
    assert_memory_equal(d, want, sizeof want);
}

/* Lengths around the padding boundary (55, 56, 63, 64 bytes) agree split or whole. */
static void test_split_equals_whole(void **state)
{
    char buf[130];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)('A' + i % 26);
    for (size_t len = 50; len <= sizeof buf; len++) {
        unsigned char whole[GD_SHA256_BYTES], split[GD_SHA256_BYTES];
        gd_sha256 c;
        gd_sha256_init(&c);
        gd_sha256_update(&c, buf, len);
        gd_sha256_final(&c, whole);
        gd_sha256_init(&c);
        for (size_t i = 0; i < len; i += 3)
            gd_sha256_update(&c, buf + i, len - i < 3 ? len - i : 3);
        gd_sha256_final(&c, split);
        assert_memory_equal(whole, split, sizeof whole);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_vectors),
        cmocka_unit_test(test_million_a_in_pieces),
        cmocka_unit_test(test_split_equals_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
