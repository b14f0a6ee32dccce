/* grid_parse.c - grid text -> raw sections and (key, value, line) entries, via libinih.
 *
 * libinih (Debian's build: 200-byte lines, no line numbers in the handler, section
 * names cut at 49 bytes, no callback for a section without keys) is driven through
 * ini_parse_stream with our own reader. The reader counts lines, refuses a line longer
 * than GD_GRID_LINE_MAX bytes besides its ending (inih would silently read the rest as a
 * new line), a NUL and a CR anywhere but right before the LF (inih would drop what
 * follows it), hands inih each line with a plain LF ending, and reads the
 * section headers itself, so that headers carry line numbers, long labels survive and
 * an empty section ([optimizer adam] with all defaults) still exists. The handler only
 * records entries; indented continuation lines are joined to the key's value with a
 * comma. Validation happens later, once the whole file is read (grid_build.c).
 * On any error the raw record is freed and err holds one "PATH:LINE: ..." line. */
#include "grid_internal.h"

#include <ctype.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parse_state {
    gd_grid_raw *raw;
    const char *path;
    const char *pos, *end;  /* unread text */
    const char *cur;        /* the line inih is working on */
    int line;               /* its number */
    int fail_line;          /* line of our first error, 0 when none */
    size_t *slots, n_slots; /* hash table of the sections (section_slot) */
    gd_error *err;
} parse_state;

static const char *const kind_names[] = {"sweep", "problem", "optimizer", NULL};

static int fail(parse_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(parse_state *st, const char *fmt, ...)
{
    char msg[GD_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st->fail_line = st->line;
    return gd_grid_fail_at(st->err, st->path, st->line, "%s", msg);
}

static int out_of_memory(parse_state *st)
{
    st->fail_line = st->line;
    return gd_fail_runtime(st->err, "%s:%d: out of memory reading the grid", st->path,
                           st->line);
}

static int label_ok(const char *label)
{
    size_t n = strlen(label);
    if (n == 0 || n >= GD_LABEL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)label[i]) && !strchr("_-.", label[i]))
            return 0;
    return 1;
}

static int kind_of(const char *word)
{
    for (int k = 0; kind_names[k]; k++)
        if (strcmp(kind_names[k], word) == 0)
            return k;
    return -1;
}

/* Checks "[kind label]" words (kind, label, extra) and returns the kind, or -1. */
static int check_header(parse_state *st, const char *kind, const char *label, const char *extra)
{
    int k = kind_of(kind);
    if (k < 0)
        return fail(st, "unknown section kind '%s'; use [sweep], [problem LABEL] or "
                        "[optimizer LABEL]", kind);
    if (k == GD_SECTION_SWEEP && label[0])
        return fail(st, "[%s %s] takes no label; write [sweep]", kind, label);
    if (k != GD_SECTION_SWEEP && !label[0])
        return fail(st, "section [%s] has no label; write [%s LABEL], e.g. [%s quad]", kind,
                    kind, kind);
    if (extra[0])
        return fail(st, "section [%s %s %s] has more than one label; write [%s LABEL] "
                        "(labels have no spaces)", kind, label, extra, kind);
    if (k != GD_SECTION_SWEEP && !label_ok(label))
        return fail(st, "label '%s' is not valid; use 1 to %d letters, digits, '_', '-' or "
                        "'.'", label, GD_LABEL_MAX - 1);
    return k;
}

static size_t section_hash(int kind, const char *label)
{
    size_t h = 1469598103934665603ULL ^ (size_t)kind;
    for (const unsigned char *p = (const unsigned char *)label; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* Slot of (kind, label) in the open-addressing table of section indexes + 1 (0: empty). */
static size_t *section_slot(const parse_state *st, int kind, const char *label)
{
    size_t mask = st->n_slots - 1, i = section_hash(kind, label) & mask;
    for (;; i = (i + 1) & mask) {
        size_t at = st->slots[i];
        const gd_grid_section *s = at ? &st->raw->sections[at - 1] : NULL;
        if (!s || ((int)s->kind == kind && strcmp(s->label, label) == 0))
            return &st->slots[i];
    }
}

/* Keeps the table at most half full, so that a lookup is O(1): parsing stays linear. */
static int grow_slots(parse_state *st)
{
    if (2 * (st->raw->n_sections + 1) <= st->n_slots)
        return 0;
    size_t n = st->n_slots ? 2 * st->n_slots : 64;
    size_t *old = st->slots, old_n = st->n_slots;
    if (!(st->slots = calloc(n, sizeof *st->slots))) {
        st->slots = old;
        return out_of_memory(st);
    }
    st->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i]) {
            const gd_grid_section *s = &st->raw->sections[old[i] - 1];
            *section_slot(st, (int)s->kind, s->label) = old[i];
        }
    free(old);
    return 0;
}

static int check_unique(parse_state *st, int kind, const char *label)
{
    if (grow_slots(st) < 0)
        return -1;
    size_t at = *section_slot(st, kind, label);
    if (!at)
        return 0;
    const gd_grid_section *s = &st->raw->sections[at - 1];
    return fail(st, "section [%s%s%s] appears twice (first at line %d); %s", kind_names[kind],
                *label ? " " : "", label, s->line,
                *label ? "give each section its own label" : "merge them");
}

/* items with room for n + 1 elements of `size` bytes (doubling *cap), or NULL. */
static void *grow(void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t bigger = *cap ? 2 * *cap : 8;
    void *p = realloc(items, bigger * size);
    if (p)
        *cap = bigger;
    return p;
}

static int add_section(parse_state *st, int kind, const char *label)
{
    gd_grid_raw *raw = st->raw;
    gd_grid_section *all = grow(raw->sections, raw->n_sections, &raw->cap, sizeof *all);
    if (!all)
        return out_of_memory(st);
    raw->sections = all;
    gd_grid_section *s = &raw->sections[raw->n_sections++];
    memset(s, 0, sizeof *s);
    s->kind = (gd_section_kind)kind;
    snprintf(s->label, sizeof s->label, "%s", label);
    s->line = st->line;
    *section_slot(st, kind, s->label) = raw->n_sections;
    return 0;
}

/* A header line: '[' in column 1 (after a BOM on line 1). Lines without ']' are left to
 * inih, which reports them as syntax errors. */
static int read_header(parse_state *st, const char *open, const char *line_end)
{
    const char *close = memchr(open, ']', (size_t)(line_end - open));
    if (!close)
        return 0;
    const char *rest = close + 1 + strspn(close + 1, " \t");
    if (rest < line_end && !strchr(";#\r\n", *rest))
        return fail(st, "text after ']' in a section header; remove it or make it a "
                        "comment");
    char words[3][GD_LABEL_MAX * 2] = {{0}};
    const char *p = open + 1;
    for (int w = 0; w < 3; w++) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t]");
        if (n >= sizeof words[w])
            n = sizeof words[w] - 1;
        memcpy(words[w], p, n);
        p += strcspn(p, " \t]");
    }
    int kind = check_header(st, words[0], words[1], words[2]);
    if (kind < 0 || check_unique(st, kind, words[1]) < 0)
        return -1;
    return add_section(st, kind, words[1]);
}

static int read_line_start(parse_state *st, const char *line_end)
{
    const char *p = st->cur;
    if (st->line == 1 && line_end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    if (*p == '[')
        return read_header(st, p, line_end);
    const char *first = p + strspn(p, " \t");
    if (first < line_end && *first == '[')
        return fail(st, "indented section header; start it in column 1");
    return 0;
}

/* The checks on one line of len bytes (its LF included) before inih sees it: no NUL, no
 * CR but one right before the LF, at most GD_GRID_LINE_MAX bytes besides its ending.
 * Returns the length without the ending, or -1. */
static long check_line(parse_state *st, const char *line, size_t len)
{
    size_t body = len > 0 && line[len - 1] == '\n' ? len - 1 : len;
    if (body > 0 && line[body - 1] == '\r' && body < len)
        body--;
    if (memchr(line, '\0', len))
        return fail(st, "NUL byte in the grid file; save it as plain text");
    const char *cr = memchr(line, '\r', body);
    if (cr)
        return fail(st, "carriage return (CR) inside the line, at byte %zu; save the file "
                        "with LF or CRLF line endings (a CR alone does not end a line)",
                    (size_t)(cr - line) + 1);
    if (body > GD_GRID_LINE_MAX)
        return fail(st, "line is %zu bytes long, more than %d (not counting its line "
                        "ending); split the value over indented continuation lines",
                    body, GD_GRID_LINE_MAX);
    return (long)body;
}

/* inih's line reader: hands over one line at a time, its ending always a plain LF. */
static char *reader(char *str, int num, void *stream)
{
    parse_state *st = stream;
    if (st->fail_line || st->pos >= st->end)
        return NULL;
    const char *nl = memchr(st->pos, '\n', (size_t)(st->end - st->pos));
    size_t len = nl ? (size_t)(nl - st->pos) + 1 : (size_t)(st->end - st->pos);
    st->cur = st->pos;
    st->line++;
    long body = check_line(st, st->pos, len);
    if (body < 0 || body + 2 > num)
        return body < 0 ? NULL : (fail(st, "line too long for libinih"), NULL);
    memcpy(str, st->pos, (size_t)body);
    str[body] = '\n';
    str[body + 1] = '\0';
    st->pos += len;
    if (read_line_start(st, st->cur + body) < 0)
        return NULL;
    return str;
}

static int append_entry(parse_state *st, gd_grid_section *sec, const char *key,
                        const char *value)
{
    gd_grid_entry *all = grow(sec->entries, sec->n_entries, &sec->cap, sizeof *all);
    if (!all)
        return out_of_memory(st);
    sec->entries = all;
    gd_grid_entry *e = &sec->entries[sec->n_entries];
    e->key = strdup(key);
    e->value = strdup(value);
    e->line = st->line;
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return out_of_memory(st);
    }
    sec->n_entries++;
    return 0;
}

/* An indented line after a key: inih hands it over as more text for that key. */
static int continue_entry(parse_state *st, gd_grid_entry *e, const char *more)
{
    if (strchr(more, '='))
        return fail(st, "indented line is read as a continuation of '%s'; remove the "
                        "indentation of '%s'", e->key, more);
    size_t old = strlen(e->value);
    int comma = old > 0 && e->value[old - 1] != ',' && more[0] != ',';
    char *v = realloc(e->value, old + strlen(more) + 2);
    if (!v)
        return out_of_memory(st);
    strcpy(v + old, comma ? "," : "");
    strcat(v, more);
    e->value = v;
    return 0;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    parse_state *st = user;
    if (st->fail_line)
        return 1;
    if (!value)
        value = "";
    gd_grid_raw *raw = st->raw;
    if (raw->n_sections == 0)
        return fail(st, "'%s' is outside any section; put it under [sweep], [problem LABEL] "
                        "or [optimizer LABEL]", key) == 0;
    gd_grid_section *sec = &raw->sections[raw->n_sections - 1];
    gd_grid_entry *last = sec->n_entries ? &sec->entries[sec->n_entries - 1] : NULL;
    int indented = st->cur[0] == ' ' || st->cur[0] == '\t';
    if (indented && last && last->line < st->line && strcmp(last->key, key) == 0)
        return continue_entry(st, last, value) == 0;
    const gd_grid_entry *seen = gd_grid_entry_find(sec, key);
    if (seen)
        return fail(st, "'%s' is given twice in this section (first at line %d); give it "
                        "once, with a list of values", key, seen->line) == 0;
    return append_entry(st, sec, key, value) == 0;
}

const gd_grid_entry *gd_grid_entry_find(const gd_grid_section *sec, const char *key)
{
    for (size_t i = 0; i < sec->n_entries; i++)
        if (strcmp(sec->entries[i].key, key) == 0)
            return &sec->entries[i];
    return NULL;
}

void gd_grid_raw_free(gd_grid_raw *raw)
{
    for (size_t i = 0; i < raw->n_sections; i++) {
        gd_grid_section *s = &raw->sections[i];
        for (size_t j = 0; j < s->n_entries; j++) {
            free(s->entries[j].key);
            free(s->entries[j].value);
        }
        free(s->entries);
    }
    free(raw->sections);
    memset(raw, 0, sizeof *raw);
}

/* inih found a line it cannot read: quote it. */
static int syntax_error(parse_state *st, const char *text, int line)
{
    const char *p = text;
    for (int i = 1; i < line && p < st->end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(st->end - p));
        p = nl ? nl + 1 : st->end;
    }
    size_t len = strcspn(p, "\r\n");
    if (len > 60)
        len = 60;
    return gd_grid_fail_at(st->err, st->path, line,
                           "cannot read '%.*s': expected [section], key = value or a ; "
                           "comment", (int)len, p);
}

int gd_grid_read(gd_grid_raw *raw, const char *path, const char *text, size_t len,
                 gd_error *err)
{
    memset(raw, 0, sizeof *raw);
    parse_state st = {.raw = raw, .path = path, .pos = text, .end = text + len, .err = err};
    int ret = ini_parse_stream(reader, &st, handler, &st);
    free(st.slots);
    int rc = 0;
    if (st.fail_line && (ret <= 0 || ret >= st.fail_line))
        rc = -1;
    else if (ret > 0)
        rc = syntax_error(&st, text, ret);
    else if (ret < 0)
        rc = gd_fail_runtime(err, "%s: libinih could not read the grid (error %d)", path, ret);
    if (rc < 0)
        gd_grid_raw_free(raw);
    return rc;
}
