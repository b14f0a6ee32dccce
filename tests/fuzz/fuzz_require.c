/* fuzz_require.c - the one way a fuzz target reports a broken invariant: abort. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

void gd_fuzz_require(int ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz: invariant broken: %s\n", what);
    abort();
}
