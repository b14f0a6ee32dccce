/* sha256.c - SHA-256 through Nettle (see gdsweep/sha256.h), with a hex digest. */
#include "gdsweep/sha256.h"

void gd_sha256_init(gd_sha256 *c)
{
    sha256_init(&c->ctx);
}

void gd_sha256_update(gd_sha256 *c, const void *data, size_t len)
{
    sha256_update(&c->ctx, len, data);
}

void gd_sha256_final(gd_sha256 *c, unsigned char digest[GD_SHA256_BYTES])
{
    sha256_digest(&c->ctx, GD_SHA256_BYTES, digest);
}

void gd_sha256_final_hex(gd_sha256 *c, char hex[GD_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[GD_SHA256_BYTES];
    gd_sha256_final(c, d);
    for (int i = 0; i < GD_SHA256_BYTES; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

void gd_sha256_hex(const void *data, size_t len, char hex[GD_SHA256_HEX])
{
    gd_sha256 c;
    gd_sha256_init(&c);
    gd_sha256_update(&c, data, len);
    gd_sha256_final_hex(&c, hex);
}
