/* override_fold.c - LABEL.KEY=VALUE overrides folded into the grid text (gdsweep/override.h).
 *
 * The grid file is read raw first (grid_parse.c: its sections, and each key's first and
 * last line), so its own errors are the loader's. Then each override is split, its label
 * found among the sections ("sweep" is [sweep]) and its key among the section's keys:
 * a key the section has gets its lines (the key's and its continuation lines) replaced
 * by one line "KEY = VALUE"; a key it lacks is added after the section's last key (after
 * its header when it has none), overrides in argument order; with no [sweep] section,
 * "[sweep]" and the [sweep] overrides are added at the end. A new line takes the ending
 * (LF or CRLF) of the line it follows or replaces. Whether the key exists for the
 * section's type is left to the grid's own checks, which name the override's line
 * (override_load.c turns that into the argument). Owns nothing after it returns. */
#include "grid_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/override.h"

#define KEY_MAX 192

/* One override, split and placed. */
typedef struct placed {
    char label[GD_LABEL_MAX], key[KEY_MAX];
    const char *value;      /* into the argument, blanks trimmed */
    size_t value_len;
    size_t section;         /* index + 1 in raw; 0: a [sweep] the grid lacks */
    int first, last;        /* the grid lines replaced, or 0 */
    int after;              /* the line it follows when added (0: replaced, or at the end) */
} placed;

static int arg_fail(gd_error *err, const gd_override *ov, const char *fmt, const char *a,
                    const char *b)
{
    char msg[GD_ERROR_MAX];
    snprintf(msg, sizeof msg, fmt, a, b);
    return gd_fail(err, "argument %d '%s': %s", ov->arg, ov->text, msg);
}

/* ---- one argument --------------------------------------------------------------------- */

static const char *const form_fix =
    "an override is LABEL.KEY=VALUE (a section's label, one of its keys, its value), e.g. "
    "adam.lr=0.01 or sweep.repeats=5%s%s";

/* A value as the grid would read it back: one line, no ';' that starts a comment. */
static int check_value(const gd_override *ov, const char *v, size_t n, gd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
            return arg_fail(err, ov, "its value holds a control character (a line break?); "
                            "give the value on one line%s%s", "", "");
        if (v[i] == ';' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t'))
            return arg_fail(err, ov, "a ';' after a blank starts a comment in a grid; "
                            "remove it (or the blank before it)%s%s", "", "");
    }
    return 0;
}

/* "LABEL.KEY=VALUE" into p (the label ends at the last '.' before the '='). */
static int split(const gd_override *ov, placed *p, gd_error *err)
{
    const char *t = ov->text, *eq = strchr(t, '='), *dot = NULL;
    for (const char *c = t; eq && c < eq; c++)
        if (*c == '.')
            dot = c;
    if (!dot || dot == t || dot + 1 == eq)
        return arg_fail(err, ov, form_fix, "", "");
    size_t label_len = (size_t)(dot - t), key_len = (size_t)(eq - dot - 1);
    if (label_len >= sizeof p->label || key_len >= sizeof p->key ||
        strcspn(dot + 1, " \t=:;#[]") < key_len || strcspn(t, " \t[]") < label_len)
        return arg_fail(err, ov, form_fix, "; labels and keys have no blanks", "");
    memcpy(p->label, t, label_len);
    p->label[label_len] = '\0';
    memcpy(p->key, dot + 1, key_len);
    p->key[key_len] = '\0';
    const char *v = eq + 1, *end = v + strlen(v);
    while (*v == ' ' || *v == '\t')
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    p->value = v;
    p->value_len = (size_t)(end - v);
    return check_value(ov, v, p->value_len, err);
}

/* ---- where it goes -------------------------------------------------------------------- */

static const char *const kind_words[] = {"sweep", "problem", "optimizer"};

/* "[problem quad], [optimizer adam], ..." into buf, cut with "..." when long. */
static void list_labels(const gd_grid_raw *raw, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "sweep");
    for (size_t i = 0; i < raw->n_sections && used < size; i++) {
        const gd_grid_section *sec = &raw->sections[i];
        if (sec->kind == GD_SECTION_SWEEP)
            continue;
        if (used > size / 2) {
            snprintf(buf + used, size - used, ", ...");
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, ", %s ([%s %s])", sec->label,
                                 kind_words[sec->kind], sec->label);
    }
}

/* The section p's label names (index + 1 into p->section, 0 for a [sweep] to add). */
static int find_section(const gd_grid_raw *raw, const gd_override *ov, placed *p,
                        gd_error *err)
{
    int sweep = strcmp(p->label, "sweep") == 0;
    size_t found = 0;
    for (size_t i = 0; i < raw->n_sections; i++) {
        const gd_grid_section *sec = &raw->sections[i];
        if (sweep ? sec->kind != GD_SECTION_SWEEP : strcmp(sec->label, p->label) != 0)
            continue;
        if (found)
            return arg_fail(err, ov, "'%s' labels both a problem and an optimizer section; "
                            "give them different labels to override their keys%s", p->label,
                            "");
        found = i + 1;
    }
    if (!found && !sweep) {
        char labels[GD_ERROR_MAX / 2];
        list_labels(raw, labels, sizeof labels);
        return arg_fail(err, ov, "no section is labelled '%s'; the labels are: %s",
                        p->label, labels);
    }
    p->section = found;
    return 0;
}

/* The lines p replaces, or the line it follows. */
static void place(const gd_grid_raw *raw, placed *p)
{
    if (!p->section)
        return;
    const gd_grid_section *sec = &raw->sections[p->section - 1];
    const gd_grid_entry *e = gd_grid_entry_find(sec, p->key);
    if (e) {
        p->first = e->line;
        p->last = e->last_line;
    } else {
        p->after = sec->n_entries ? sec->entries[sec->n_entries - 1].last_line : sec->line;
    }
}

static int check_twice(const gd_override *ov, const placed *p, size_t i, gd_error *err)
{
    for (size_t j = 0; j < i; j++)
        if (p[j].section == p[i].section && strcmp(p[j].key, p[i].key) == 0 &&
            !strcmp(p[j].label, p[i].label)) {
            char name[GD_LABEL_MAX + KEY_MAX + 2], earlier[32];
            snprintf(name, sizeof name, "%s.%s", p[i].label, p[i].key);
            snprintf(earlier, sizeof earlier, "%d", ov[j].arg);
            return arg_fail(err, &ov[i], "%s is given again (first in argument %s); give "
                            "each key once", name, earlier);
        }
    return 0;
}

/* ---- the folded text ------------------------------------------------------------------ */

typedef struct writer {
    gd_folded *f;
    size_t cap_lines;
} writer;

static int note_line(writer *w, int origin)
{
    gd_folded *f = w->f;
    if (f->n_lines + 2 > w->cap_lines) {
        size_t cap = w->cap_lines ? 2 * w->cap_lines : 256;
        int *o = realloc(f->origin, cap * sizeof *o);
        if (!o)
            return -1;
        f->origin = o;
        w->cap_lines = cap;
    }
    f->origin[++f->n_lines] = origin;
    return 0;
}

static void put(gd_folded *f, const char *s, size_t n)
{
    memcpy(f->text + f->len, s, n);
    f->len += n;
    f->text[f->len] = '\0';
}

static int put_override(writer *w, const placed *p, int i, const char *ending)
{
    gd_folded *f = w->f;
    put(f, p->key, strlen(p->key));
    put(f, " = ", 3);
    put(f, p->value, p->value_len);
    put(f, ending, strlen(ending));
    return note_line(w, -(i + 1));
}

/* One line of the grid text: its bytes (ending included) and its ending. */
typedef struct text_line {
    const char *at;
    size_t len;
    const char *ending; /* "\n", "\r\n", or "" for a last line without one */
} text_line;

static text_line line_at(const char *at, const char *end)
{
    const char *nl = memchr(at, '\n', (size_t)(end - at));
    text_line l = {at, nl ? (size_t)(nl - at) + 1 : (size_t)(end - at), ""};
    if (nl)
        l.ending = nl > at && nl[-1] == '\r' ? "\r\n" : "\n";
    return l;
}

/* Writes the lines [from, to] of the grid (the one written by an override replacing
 * them, or the line itself), then the overrides added after one of them. */
static int put_lines(writer *w, const placed *p, size_t n, int from, int to, text_line l,
                     int replaced_by)
{
    const char *ending = l.ending[0] ? l.ending : "\n";
    int rc = 0;
    if (replaced_by >= 0)
        rc = put_override(w, &p[replaced_by], replaced_by, ending);
    else {
        put(w->f, l.at, l.len);
        rc = note_line(w, from);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (p[i].after >= from && p[i].after <= to) {
            if (w->f->len && w->f->text[w->f->len - 1] != '\n')
                put(w->f, "\n", 1);
            rc = put_override(w, &p[i], (int)i, ending);
        }
    return rc;
}

static int replacing(const placed *p, size_t n, int line)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].first == line)
            return (int)i;
    return -1;
}

/* The [sweep] section the grid lacks, with the [sweep] overrides, at the end. */
static int put_new_sweep(writer *w, const placed *p, size_t n)
{
    int rc = 0, header = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (p[i].section)
            continue;
        if (!header++) {
            if (w->f->len && w->f->text[w->f->len - 1] != '\n')
                put(w->f, "\n", 1);
            put(w->f, "[sweep]\n", 8);
            rc = note_line(w, -((int)i + 1));
        }
        if (rc == 0)
            rc = put_override(w, &p[i], (int)i, "\n");
    }
    return rc;
}

static int write_folded(const char *text, size_t len, const placed *p, const gd_override *ov,
                        size_t n, gd_folded *f)
{
    size_t size = len + 16;
    for (size_t i = 0; i < n; i++)
        size += strlen(ov[i].text) + 8;
    writer w = {f, 0};
    if (!(f->text = malloc(size)))
        return -1;
    f->text[0] = '\0';
    const char *at = text, *end = text + len;
    int rc = 0;
    for (int line = 1; rc == 0 && at < end; line++) {
        text_line l = line_at(at, end);
        int by = replacing(p, n, line), to = by >= 0 ? p[by].last : line;
        for (; line < to; line++) /* the continuation lines it replaces */
            at += l.len, l = line_at(at, end);
        rc = put_lines(&w, p, n, by >= 0 ? p[by].first : line, to, l, by);
        at += l.len;
    }
    return rc == 0 ? put_new_sweep(&w, p, n) : rc;
}

int gd_override_fold(const char *path, const char *text, size_t len, const gd_override *ov,
                     size_t n, gd_folded *out, gd_error *err)
{
    memset(out, 0, sizeof *out);
    placed *p = calloc(n ? n : 1, sizeof *p);
    gd_grid_raw raw = {0};
    int rc = p ? 0 : gd_fail_runtime(err, "out of memory for the overrides");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = split(&ov[i], &p[i], err);
    if (rc == 0)
        rc = gd_grid_read(&raw, path, text, len, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = find_section(&raw, &ov[i], &p[i], err);
        if (rc == 0)
            rc = check_twice(ov, p, i, err);
        if (rc == 0)
            place(&raw, &p[i]);
    }
    if (rc == 0 && write_folded(text, len, p, ov, n, out) != 0)
        rc = gd_fail_runtime(err, "%s: out of memory folding the overrides in", path);
    gd_grid_raw_free(&raw);
    free(p);
    if (rc != 0)
        gd_folded_free(out);
    return rc;
}

void gd_folded_free(gd_folded *f)
{
    free(f->text);
    free(f->origin);
    memset(f, 0, sizeof *f);
}
