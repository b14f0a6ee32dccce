/* error.h - the one error record every module fills and the CLI prints.
 *
 * Functions that can fail take a `gd_error *` and return 0 on success or -1
 * (via gd_fail) on failure, with a one-line message that names the file:line
 * or the flag involved and what to do about it. Nothing else prints errors. */
#ifndef GDSWEEP_ERROR_H
#define GDSWEEP_ERROR_H

#define GD_ERROR_MAX 1024

/* Exit codes of the gdsweep command. */
enum { GD_EXIT_OK = 0, GD_EXIT_RUNTIME = 1, GD_EXIT_USAGE = 2, GD_EXIT_INTERRUPTED = 3 };

typedef struct gd_error {
    char msg[GD_ERROR_MAX];
    int exit_code; /* GD_EXIT_USAGE for bad input, GD_EXIT_RUNTIME otherwise */
} gd_error;

/* Formats msg (printf-style), sets exit_code = GD_EXIT_USAGE, returns -1. */
int gd_fail(gd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Same, for failures at run time (I/O, memory): exit_code = GD_EXIT_RUNTIME. */
int gd_fail_runtime(gd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
