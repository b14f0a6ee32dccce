/* inject.c - test-only failure injection (see gdsweep/inject.h). */
#include "gdsweep/inject.h"

#include <stdlib.h>
#include <string.h>

int gd_inject_failure(const char *point, gd_error *err)
{
    const char *want = getenv("GD_INJECT_FAILURE");
    if (!want || strcmp(want, point) != 0)
        return 0;
    gd_fail_runtime(err, "injected failure: %s (GD_INJECT_FAILURE, for tests)", point);
    return 1;
}
