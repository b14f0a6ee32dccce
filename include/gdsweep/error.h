/* error.h - the one error record every module fills and the one printer of it.
 *
 * Functions that can fail take a `gd_error *` and return 0 on success or -1
 * (via gd_fail) on failure, with a one-line message that names the file:line
 * or the flag involved and what to do about it. A caller that knows more (the file, the
 * line) adds it with gd_error_prefix (before) or gd_error_append (after), never by
 * writing into msg or copying it to rebuild it.
 * Only gd_error_print writes an error to stderr: every command's, and gd_par_abort's
 * with its rank put before the message by gd_error_prefix. */
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

/* The way to add context: puts CONTEXT (printf-style) and ": " before err's message,
 * which is made safe and shortened like any message; keeps err's exit code; returns -1. */
int gd_error_prefix(gd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Same, after the message: "MESSAGE; MORE"; keeps err's exit code; returns -1. */
int gd_error_append(gd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The one printer: "gdsweep: MESSAGE" (or "gdsweep COMMAND: MESSAGE" when command is not
 * NULL) as one line on stderr. Returns the exit status: err's exit code, or
 * GD_EXIT_RUNTIME when none was set. */
int gd_error_print(const gd_error *err, const char *command);

/* A line that is not an error (a warning, a note about a lock): "gdsweep: TEXT" on stderr,
 * made safe like a message. */
void gd_note_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
