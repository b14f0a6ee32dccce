/* override_load.c - loading a grid with its overrides, errors named by argument (override.h).
 *
 * The folded text is parsed like any grid; its messages carry the folded text's line
 * numbers ("PATH:LINE: ..."). A line an override wrote is the argument's fault: its
 * message is given as "argument N 'LABEL.KEY=VALUE': ..."; a line of the grid file is
 * given its number in the file (overrides that replace continued values or add keys move
 * the lines after them). Rewriting the location is the one place that edits a message:
 * the grid's checks cannot know about arguments. Checks made after loading (the files the
 * grid names) are located the same way by folding the file again. */
#include "grid_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/override.h"
#include "gdsweep/path_check.h"

int gd_override_is(const char *operand)
{
    size_t name = strcspn(operand, "=");
    return operand[name] == '=' && strcspn(operand, "/") > name;
}

/* The line number at the start of err's "PATH:LINE: " message, or 0. */
static long message_line(const gd_error *err, const char *path, const char **rest)
{
    size_t n = strlen(path);
    if (strncmp(err->msg, path, n) != 0 || err->msg[n] != ':')
        return 0;
    char *end;
    long line = strtol(err->msg + n + 1, &end, 10);
    if (end == err->msg + n + 1 || strncmp(end, ": ", 2) != 0)
        return 0;
    *rest = end + 2;
    return line;
}

/* Names, in err, the argument or the file line that folded line made. */
static void relocate(gd_error *err, const char *path, const gd_folded *f,
                     const gd_override *ov)
{
    const char *rest = NULL;
    long line = message_line(err, path, &rest);
    if (line < 1 || (size_t)line > f->n_lines || f->origin[line] == line)
        return;
    gd_error was = *err;
    int origin = f->origin[line];
    const char *what = was.msg + (rest - err->msg);
    if (origin > 0)
        gd_fail(err, "%s:%d: %s", path, origin, what);
    else
        gd_fail(err, "argument %d '%s': %s", ov[-origin - 1].arg, ov[-origin - 1].text, what);
    err->exit_code = was.exit_code;
}

void gd_override_locate_error(gd_error *err, const char *path, const gd_override *ov,
                              size_t n)
{
    char *text = NULL;
    size_t len = 0;
    gd_folded f;
    gd_error ignored;
    if (n == 0 || gd_path_read_regular(path, GD_GRID_TEXT_MAX, "grid file", &text, &len,
                                       &ignored) < 0)
        return;
    if (gd_override_fold(path, text, len, ov, n, &f, &ignored) == 0) {
        relocate(err, path, &f, ov);
        gd_folded_free(&f);
    }
    free(text);
}

int gd_sweep_load_overridden(gd_sweep *s, const char *path, const gd_override *ov, size_t n,
                             int allow_huge, gd_error *err)
{
    if (n == 0)
        return gd_sweep_load(s, path, allow_huge, err);
    char *text = NULL;
    size_t len = 0;
    gd_folded f;
    memset(s, 0, sizeof *s);
    if (gd_path_read_regular(path, GD_GRID_TEXT_MAX, "grid file", &text, &len, err) < 0)
        return -1;
    int rc = gd_override_fold(path, text, len, ov, n, &f, err);
    free(text);
    if (rc != 0)
        return -1;
    rc = gd_sweep_parse(s, path, f.text, f.len, allow_huge, err);
    if (rc != 0)
        relocate(err, path, &f, ov);
    gd_folded_free(&f);
    return rc;
}
