/* error.c - filling the gd_error record (see gdsweep/error.h). */
#include "gdsweep/error.h"

#include <stdarg.h>
#include <stdio.h>

static int fail_with(gd_error *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        err->exit_code = code;
    }
    return -1;
}

int gd_fail(gd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_with(err, GD_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return -1;
}

int gd_fail_runtime(gd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_with(err, GD_EXIT_RUNTIME, fmt, ap);
    va_end(ap);
    return -1;
}
