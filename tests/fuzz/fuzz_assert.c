/* fuzz_assert.c - the one way a fuzz target asserts an invariant: print it and abort (libFuzzer,
 * the sanitizers and the replay test all see the abort as a failure; cmocka is not linked
 * into libFuzzer targets). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

void gd_fuzz_assert_true(int ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz: invariant broken: %s\n", what);
    abort();
}
