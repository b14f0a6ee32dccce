/* bench_hash.c - how fast gdsweep fingerprints input files: gd_sha256 over N MiB in memory.
 *
 * Usage: bench_hash [MiB=256] [repeats=3]; prints seconds and MB/s per repeat. Compare
 * with `sha256sum FILE` (read + hash) and `openssl speed -evp sha256`. */
#include "gdsweep/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    size_t n = mib << 20;
    unsigned char *bytes = malloc(n ? n : 1);
    if (!bytes)
        return 1;
    for (size_t i = 0; i < n; i++)
        bytes[i] = (unsigned char)(i * 7);
    for (int r = 0; r < repeats; r++) {
        char hex[GD_SHA256_HEX];
        double t = now();
        gd_sha256_hex(bytes, n, hex);
        t = now() - t;
        printf("gd_sha256 %zu MiB: %.3f s, %.0f MB/s (%.16s...)\n", mib, t, (double)n / t / 1e6,
               hex);
    }
    free(bytes);
    return 0;
}
