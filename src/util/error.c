/* error.c - filling, extending and printing the gd_error record (see gdsweep/error.h).
 *
 * The one place every message is made safe to print: control characters and bytes that
 * are not UTF-8 are escaped (\r, \n, \t, \xHH; a backslash is left as it is, so escaping
 * twice changes nothing), and a message longer than the record is shortened in its
 * middle (" ... "), so its start (the file) and its end (the reason and the fix) stay. */
#include "gdsweep/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (not a C1 control), or 0. */
static size_t utf8_length(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0)
        return 0;
    return n;
}

/* Writes s escaped into out (room for 4 * strlen(s) + 1). */
static void escape(const char *s, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_length(p);
        if (n == 1 && *p >= 0x20 && *p != 0x7F)
            *out++ = (char)*p;
        else if (n > 1)
            memcpy(out, p, n), out += n;
        else
            out += sprintf(out, *p == '\r' ? "\\r" : *p == '\n' ? "\\n" : *p == '\t' ? "\\t"
                                                                          : "\\x%02X", *p);
        p += n ? n : 1;
    }
    *out = '\0';
}

/* Copies s into msg, cutting its middle when it is too long (not inside a UTF-8 char). */
static void shorten_into(const char *s, char *msg, size_t size)
{
    size_t len = strlen(s);
    if (len < size) {
        memcpy(msg, s, len + 1);
        return;
    }
    size_t head = size / 3, tail = size - head - 6;
    while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
        head--;
    const char *end = s + len - tail;
    while (((unsigned char)*end & 0xC0) == 0x80)
        end++;
    snprintf(msg, size, "%.*s ... %s", (int)head, s, end);
}

static int fail_with(gd_error *err, int code, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *raw = len >= 0 ? malloc((size_t)len + 1) : NULL;
    char *safe = raw ? malloc(4 * (size_t)len + 1) : NULL;
    if (safe) {
        vsnprintf(raw, (size_t)len + 1, fmt, again);
        escape(raw, safe);
        shorten_into(safe, err->msg, sizeof err->msg);
    } else {
        vsnprintf(err->msg, sizeof err->msg, fmt, again);
    }
    va_end(again);
    free(raw);
    free(safe);
    err->exit_code = code;
    return -1;
}

/* fail_with's arguments as a list, for the functions below. */
static int set_message(gd_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_message(gd_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_with(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

/* Where add_context puts the context: "CONTEXT: MESSAGE" or "MESSAGE; CONTEXT". */
typedef enum { CONTEXT_BEFORE, CONTEXT_AFTER } context_place;

/* The one place a message is rebuilt: err's message with the formatted context. */
static int add_context(gd_error *err, context_place place, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    char old[GD_ERROR_MAX], context[GD_ERROR_MAX];
    snprintf(old, sizeof old, "%s", err->msg);
    vsnprintf(context, sizeof context, fmt, ap);
    if (place == CONTEXT_BEFORE)
        return set_message(err, err->exit_code, "%s: %s", context, old);
    return set_message(err, err->exit_code, "%s; %s", old, context);
}

int gd_error_prefix(gd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_context(err, CONTEXT_BEFORE, fmt, ap);
    va_end(ap);
    return -1;
}

int gd_error_append(gd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_context(err, CONTEXT_AFTER, fmt, ap);
    va_end(ap);
    return -1;
}

int gd_error_print(const gd_error *err, const char *command)
{
    fprintf(stderr, "gdsweep%s%s: %s\n", command ? " " : "", command ? command : "", err->msg);
    fflush(stderr);
    return err->exit_code ? err->exit_code : GD_EXIT_RUNTIME;
}

void gd_note_print(const char *fmt, ...)
{
    gd_error note = {{0}, 0};
    va_list ap;
    va_start(ap, fmt);
    fail_with(&note, GD_EXIT_OK, fmt, ap);
    va_end(ap);
    fprintf(stderr, "gdsweep: %s\n", note.msg);
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
