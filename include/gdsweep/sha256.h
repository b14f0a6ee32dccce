/* sha256.h - SHA-256 (FIPS 180-4), used to fingerprint the grid file of a sweep.
 *
 * Plain streaming interface: init, update any number of times, final. No allocation,
 * no failure modes. */
#ifndef GDSWEEP_SHA256_H
#define GDSWEEP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GD_SHA256_BYTES 32
#define GD_SHA256_HEX 65 /* 64 hex digits and the terminating NUL */

typedef struct gd_sha256 {
    uint32_t h[8];           /* chaining state */
    uint64_t length;         /* bytes hashed so far */
    unsigned char block[64]; /* pending input */
    size_t fill;             /* bytes pending in block */
} gd_sha256;

void gd_sha256_init(gd_sha256 *c);
void gd_sha256_update(gd_sha256 *c, const void *data, size_t len);
void gd_sha256_final(gd_sha256 *c, unsigned char digest[GD_SHA256_BYTES]);

/* final, as the lower-case hex digest. */
void gd_sha256_final_hex(gd_sha256 *c, char hex[GD_SHA256_HEX]);

/* One call: the lower-case hex digest of data[0..len). */
void gd_sha256_hex(const void *data, size_t len, char hex[GD_SHA256_HEX]);

#endif
