/* grid_parse.c - grid text -> raw sections and (key, value, line) entries, via libinih.
 *
 * libinih (Debian's build: 200-byte lines, no line numbers in the handler, section
 * names cut at 49 bytes, no callback for a section without keys) is driven through
 * ini_parse_stream with our own reader. The reader counts lines, refuses a NUL and a CR
 * anywhere but right before the LF (inih would drop what follows it), hands inih each
 * line with a plain LF ending (a line too long for inih's buffer with its value held
 * aside: shorten_long_line, so lines have no length limit), and reads the
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
    gd_grid_names names;    /* index of the section names and keys */
    char *long_value;       /* the value of a line too long for inih (shorten_long_line) */
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

static int check_unique(parse_state *st, int kind, const char *label)
{
    size_t at = gd_grid_names_section(&st->names, st->raw, kind, label);
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
    if (gd_grid_names_add(&st->names, raw, raw->n_sections - 1, 0) < 0)
        return out_of_memory(st);
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
 * CR but one right before the LF. Returns the length without the ending, or -1. */
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
    return (long)body;
}

/* inih's scan: the first of `stops` in [p, end), or an inline ';' comment after a blank;
 * end when neither. */
static const char *scan_to(const char *p, const char *end, const char *stops)
{
    for (int was_blank = 0; p < end; p++) {
        if ((stops && strchr(stops, *p)) || (was_blank && *p == ';'))
            return p;
        was_blank = isspace((unsigned char)*p);
    }
    return end;
}

/* Keeps [p, end) less its inline comment and surrounding blanks as st->long_value. */
static int keep_long_value(parse_state *st, const char *p, const char *end)
{
    end = scan_to(p, end, NULL);
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    free(st->long_value);
    if (!(st->long_value = strndup(p, (size_t)(end - p))))
        return out_of_memory(st);
    return 0;
}

/* A line longer than inih's buffer (INI_MAX_LINE, 200 bytes in Debian's build, no
 * realloc): parsed here the way inih parses it, and handed over with its value replaced
 * by LONG_VALUE, which the handler swaps back for st->long_value. So a line has no length
 * limit but the file's (GD_GRID_TEXT_MAX). Writes the short line into str. */
#define LONG_VALUE "\x01"
static int shorten_long_line(parse_state *st, const char *line, size_t body, char *str, int num)
{
    const char *end = line + body, *start = line;
    if (st->line == 1 && body >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
        start += 3;
    while (start < end && isspace((unsigned char)*start))
        start++;
    const gd_grid_raw *raw = st->raw;
    int after_key = raw->n_sections && raw->sections[raw->n_sections - 1].n_entries;
    if (start == end)
        snprintf(str, (size_t)num, "\n");
    else if (strchr(";#", *start))
        snprintf(str, (size_t)num, ";\n");
    else if (*start == '[')
        snprintf(str, (size_t)num, "[long]\n"); /* read_header reads the real one */
    else if (start > line && after_key) {
        snprintf(str, (size_t)num, " " LONG_VALUE "\n");
        return keep_long_value(st, start, end);
    } else {
        const char *eq = scan_to(start, end, "=:"), *key_end = eq;
        while (key_end > start && isspace((unsigned char)key_end[-1]))
            key_end--;
        if (eq == end || *eq == ';')
            snprintf(str, (size_t)num, LONG_VALUE "\n"); /* inih's syntax error */
        else if (key_end - start > num - 8)
            return fail(st, "key '%.40s...' is %zu bytes long; keys are short names",
                        start, (size_t)(key_end - start));
        else {
            snprintf(str, (size_t)num, "%.*s=" LONG_VALUE "\n", (int)(key_end - start),
                     start);
            return keep_long_value(st, eq + 1, end);
        }
    }
    return 0;
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
    if (st->line % GD_GRID_STOP_LINES == 0 && gd_grid_check_stop(st->path, st->err) < 0) {
        st->fail_line = st->line;
        return NULL;
    }
    free(st->long_value);
    st->long_value = NULL;
    long body = check_line(st, st->pos, len);
    if (body < 0)
        return NULL;
    if (body + 2 <= num) {
        memcpy(str, st->pos, (size_t)body);
        str[body] = '\n';
        str[body + 1] = '\0';
    } else if (shorten_long_line(st, st->pos, (size_t)body, str, num) < 0)
        return NULL;
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
    e->len = strlen(value);
    e->cap = e->len + 1;
    e->line = e->last_line = st->line;
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return out_of_memory(st);
    }
    sec->n_entries++;
    if (gd_grid_names_add(&st->names, st->raw, st->raw->n_sections - 1, sec->n_entries) < 0)
        return out_of_memory(st);
    return 0;
}

/* An indented line after a key: inih hands it over as more text for that key. */
static int continue_entry(parse_state *st, gd_grid_entry *e, const char *more)
{
    if (strchr(more, '='))
        return fail(st, "indented line is read as a continuation of '%s'; remove the "
                        "indentation of '%s'", e->key, more);
    size_t more_len = strlen(more);
    int comma = e->len > 0 && e->value[e->len - 1] != ',' && more[0] != ',';
    size_t need = e->len + (size_t)comma + more_len + 1;
    if (need > e->cap) { /* doubling: a list over a million lines joins in linear time */
        size_t cap = need > 2 * e->cap ? need : 2 * e->cap;
        char *v = realloc(e->value, cap);
        if (!v)
            return out_of_memory(st);
        e->value = v;
        e->cap = cap;
    }
    if (comma)
        e->value[e->len++] = ',';
    memcpy(e->value + e->len, more, more_len + 1);
    e->len += more_len;
    e->last_line = st->line;
    return 0;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    parse_state *st = user;
    if (st->fail_line)
        return 1;
    if (!value)
        value = "";
    if (st->long_value && strcmp(value, LONG_VALUE) == 0)
        value = st->long_value;
    gd_grid_raw *raw = st->raw;
    if (raw->n_sections == 0)
        return fail(st, "'%s' is outside any section; put it under [sweep], [problem LABEL] "
                        "or [optimizer LABEL]", key) == 0;
    gd_grid_section *sec = &raw->sections[raw->n_sections - 1];
    gd_grid_entry *last = sec->n_entries ? &sec->entries[sec->n_entries - 1] : NULL;
    int indented = st->cur[0] == ' ' || st->cur[0] == '\t';
    if (indented && last && last->line < st->line && strcmp(last->key, key) == 0)
        return continue_entry(st, last, value) == 0;
    size_t seen = gd_grid_names_entry(&st->names, raw, raw->n_sections - 1, key);
    if (seen)
        return fail(st, "'%s' is given twice in this section (first at line %d); give it "
                        "once, with a list of values", key, sec->entries[seen - 1].line) == 0;
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
    gd_grid_names_free(&st.names);
    free(st.long_value);
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
