/* sha256.h - SHA-256 (FIPS 180-4): fingerprints of grid files, input files and journals.
 *
 * Plain streaming interface over Nettle's sha256 (Debian's nettle-dev; it uses the CPU's
 * SHA instructions where there are some: 16x the hand-written version this replaced, see
 * docs/BENCHMARKS.md): init, update any number of times, final. No allocation, no failure
 * modes. */
#ifndef GDSWEEP_SHA256_H
#define GDSWEEP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#define GD_SHA256_BYTES 32
#define GD_SHA256_HEX 65 /* 64 hex digits and the terminating NUL */

typedef struct gd_sha256 {
    struct sha256_ctx ctx;
} gd_sha256;

void gd_sha256_init(gd_sha256 *c);
void gd_sha256_update(gd_sha256 *c, const void *data, size_t len);
void gd_sha256_final(gd_sha256 *c, unsigned char digest[GD_SHA256_BYTES]);

/* final, as the lower-case hex digest. */
void gd_sha256_final_hex(gd_sha256 *c, char hex[GD_SHA256_HEX]);

/* One call: the lower-case hex digest of data[0..len). */
void gd_sha256_hex(const void *data, size_t len, char hex[GD_SHA256_HEX]);

#endif
