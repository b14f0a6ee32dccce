/* fuzz.h - the fuzz entry points: run by libFuzzer (GD_FUZZ builds) or by replay.c.
 *
 * An entry takes any bytes and returns 0; a broken invariant prints one line to stderr
 * and aborts, so libFuzzer, the sanitizers and the replay test all see it as a crash. */
#ifndef GDSWEEP_FUZZ_H
#define GDSWEEP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The name libFuzzer calls; defined once per fuzz target (fuzz_grid.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: invariant broken: what" and aborts when ok is false. */
void gd_fuzz_assert_true(int ok, const char *what);

#endif
