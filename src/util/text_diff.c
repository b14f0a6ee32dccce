/* text_diff.c - where two texts first differ (see gdsweep/text_diff.h). */
#include "gdsweep/text_diff.h"

#include <stdio.h>
#include <string.h>

/* Length of the line starting at s, without its newline. */
static size_t line_len(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl ? (size_t)(nl - s) : strlen(s);
}

static void quote_line(const char *s, char *out, size_t size)
{
    size_t n = line_len(s);
    if (!*s)
        snprintf(out, size, "(end of file)");
    else
        snprintf(out, size, "'%.*s%s'", (int)(n > 60 ? 60 : n), s, n > 60 ? "..." : "");
}

int gd_text_first_difference(const char *a, const char *a_name, const char *b,
                             const char *b_name, char *buf, size_t size)
{
    int line = 1;
    while (*a || *b) {
        size_t na = line_len(a), nb = line_len(b);
        if (na != nb || memcmp(a, b, na) != 0 || (!*a) != (!*b)) {
            char qa[80], qb[80];
            quote_line(a, qa, sizeof qa);
            quote_line(b, qb, sizeof qb);
            snprintf(buf, size, "line %d is %s in %s and %s in %s", line, qa, a_name, qb,
                     b_name);
            return 1;
        }
        a += na + (a[na] == '\n');
        b += nb + (b[nb] == '\n');
        line++;
    }
    snprintf(buf, size, "the texts are the same");
    return 0;
}
