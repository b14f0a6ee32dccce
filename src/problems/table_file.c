/* table_file.c - a table of numbers from a problem's CSV file: libcsv and strtod.
 *
 * libcsv (strict mode) calls on_field after each field and on_row after each row. The
 * text is handed to it one physical line at a time, so that `line` is the line on which
 * the field or row it reports ends. The first failure is kept in the reader and later
 * callbacks do nothing; the header's names are checked for duplicates once the row ends
 * (sorted, so a wide header costs n log n). See table_file.h for the format. */
#include "table_file.h"

#include "file_text.h"

#include <csv.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL_SHOWN 32 /* bytes of a bad cell quoted in a message */

typedef struct reader {
    const char *path;
    gd_table *t;
    size_t line;     /* the physical line being parsed, from 1 */
    size_t row;      /* rows completed, the header included */
    size_t field;    /* fields seen in the current row */
    size_t cap;      /* values allocated */
    size_t names_cap;
    size_t lines_cap; /* entries allocated in t->lines */
    int failed;
    gd_error *err;
} reader;

static void fail_memory(reader *r)
{
    r->failed = 1;
    gd_fail_runtime(r->err, "%s:%zu: out of memory", r->path, r->line);
}

/* ---- the header ------------------------------------------------------------------------- */

static void add_name(reader *r, const char *cell, size_t len)
{
    gd_table *t = r->t;
    if (len == 0) {
        r->failed = 1;
        gd_fail(r->err, "%s:%zu: column %zu has no name; name every column in the first "
                "row", r->path, r->line, r->field + 1);
        return;
    }
    if (t->cols == r->names_cap) {
        size_t cap = r->names_cap ? 2 * r->names_cap : 8;
        char **more = realloc(t->names, cap * sizeof *more);
        if (!more) {
            fail_memory(r);
            return;
        }
        t->names = more;
        r->names_cap = cap;
    }
    if (!(t->names[t->cols] = strdup(cell))) {
        fail_memory(r);
        return;
    }
    t->cols++;
}

typedef struct named_column {
    const char *name;
    size_t col;
} named_column;

static int by_name_then_column(const void *a, const void *b)
{
    const named_column *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->col > y->col) - (x->col < y->col);
}

/* Refuses a name that repeats an earlier column's (the leftmost repeat reported). */
static void check_unique(reader *r)
{
    const gd_table *t = r->t;
    named_column *sorted = malloc(t->cols * sizeof *sorted);
    if (!sorted) {
        fail_memory(r);
        return;
    }
    for (size_t c = 0; c < t->cols; c++)
        sorted[c] = (named_column){t->names[c], c};
    qsort(sorted, t->cols, sizeof *sorted, by_name_then_column);
    size_t first = t->cols, repeat = t->cols;
    for (size_t k = 1; k < t->cols; k++)
        if (strcmp(sorted[k].name, sorted[k - 1].name) == 0 && sorted[k].col < repeat) {
            repeat = sorted[k].col;
            first = sorted[k - 1].col;
        }
    free(sorted);
    if (repeat < t->cols) {
        r->failed = 1;
        gd_fail(r->err, "%s:%zu: column %zu (%s) has the name of column %zu; give every "
                "column its own name", r->path, r->line, repeat + 1, t->names[repeat],
                first + 1);
    }
}

/* ---- the data rows ---------------------------------------------------------------------- */

/* The cell as a message shows it: at most CELL_SHOWN bytes, control bytes as '?'. */
static void cell_shown(const char *cell, size_t len, char *out)
{
    size_t n = len < CELL_SHOWN ? len : CELL_SHOWN;
    for (size_t k = 0; k < n; k++)
        out[k] = (unsigned char)cell[k] < 0x20 || cell[k] == 0x7f ? '?' : cell[k];
    strcpy(out + n, len > CELL_SHOWN ? "..." : "");
}

/* A whole finite number: strtod reads every byte of the cell. */
static int parse_number(const char *cell, size_t len, double *v)
{
    char *end;
    if (len == 0)
        return -1;
    *v = strtod(cell, &end);
    return end == cell + len && isfinite(*v) ? 0 : -1;
}

/* Room for one more row of values. */
static int reserve_row(reader *r)
{
    gd_table *t = r->t;
    size_t need = (t->rows + 1) * t->cols;
    if (need <= r->cap)
        return 0;
    size_t cap = r->cap ? 2 * r->cap : 64 * t->cols;
    double *more = realloc(t->values, cap * sizeof *more);
    if (!more)
        return -1;
    t->values = more;
    r->cap = cap;
    return 0;
}

static void add_cell(reader *r, const char *cell, size_t len)
{
    gd_table *t = r->t;
    if (r->field >= t->cols) /* a ragged row: on_row says so */
        return;
    if (r->field == 0 && reserve_row(r) < 0) {
        fail_memory(r);
        return;
    }
    if (parse_number(cell, len, &t->values[t->rows * t->cols + r->field]) == 0)
        return;
    char shown[CELL_SHOWN + 4];
    cell_shown(cell, len, shown);
    r->failed = 1;
    gd_fail(r->err, "%s:%zu:%zu (%s): '%s' is not a number", r->path, r->line, r->field + 1,
            t->names[r->field], shown);
}

/* Records the line on which the row being completed ends. */
static int note_line(reader *r)
{
    gd_table *t = r->t;
    if (t->rows == r->lines_cap) {
        size_t cap = r->lines_cap ? 2 * r->lines_cap : 64;
        size_t *more = realloc(t->lines, cap * sizeof *more);
        if (!more) {
            fail_memory(r);
            return -1;
        }
        t->lines = more;
        r->lines_cap = cap;
    }
    t->lines[t->rows] = r->line;
    return 0;
}

/* ---- libcsv's callbacks and the parse --------------------------------------------------- */

static void on_field(void *cell, size_t len, void *data)
{
    reader *r = data;
    if (r->failed)
        return;
    if (r->row == 0)
        add_name(r, cell, len);
    else
        add_cell(r, cell, len);
    r->field++;
}

static void on_row(int terminator, void *data)
{
    reader *r = data;
    if (r->failed)
        return;
    if (r->row == 0) {
        check_unique(r);
    } else if (r->field != r->t->cols) {
        r->failed = 1;
        gd_fail(r->err, "%s:%zu: %zu fields, the header has %zu", r->path, r->line, r->field,
                r->t->cols);
        return;
    } else if (note_line(r) == 0) {
        r->t->rows++;
    }
    r->row++;
    r->field = 0;
}

/* Parses text one physical line at a time; fails on libcsv's own errors. */
static int parse_lines(struct csv_parser *p, reader *r, const unsigned char *text, size_t len)
{
    size_t at = 0;
    while (at < len && !r->failed) {
        const unsigned char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) + 1 : len - at;
        if (csv_parse(p, text + at, n, on_field, on_row, r) != n)
            break;
        at += n;
        r->line += nl != NULL;
    }
    if (!r->failed && at == len && csv_fini(p, on_field, on_row, r) == 0)
        return r->failed ? -1 : 0;
    if (r->failed)
        return -1;
    if (csv_error(p) == CSV_EPARSE)
        return gd_fail(r->err, "%s:%zu: a quote out of place or never closed; quote a field "
                       "whole and write a quote inside it as \"\"", r->path, r->line);
    return gd_fail_runtime(r->err, "%s:%zu: %s", r->path, r->line,
                           csv_strerror(csv_error(p)));
}

/* The table of text (a byte-order mark skipped); every failure in err. */
static int read_text(const char *path, const unsigned char *text, size_t len, gd_table *t,
                     gd_error *err)
{
    static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};
    struct csv_parser p;
    reader r = {.path = path, .t = t, .line = 1, .err = err};
    if (len >= 3 && memcmp(text, bom, 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return gd_fail_runtime(err, "%s: out of memory starting libcsv", path);
    int rc = parse_lines(&p, &r, text, len);
    csv_free(&p);
    if (rc == 0 && r.row == 0)
        return gd_fail(err, "%s: no header row; give a CSV file whose first row names the "
                       "columns", path);
    if (rc == 0 && t->rows == 0)
        return gd_fail(err, "%s: no data row after the header", path);
    return rc;
}

int gd_table_read(const gd_problem_file *f, gd_table *t, gd_error *err)
{
    gd_file_text text;
    memset(t, 0, sizeof *t);
    if (gd_file_text_get(f, GD_PROBLEM_FILE_MAX, &text, err) < 0)
        return -1;
    int rc = read_text(f->path, text.bytes, text.len, t, err);
    gd_file_text_free(&text);
    if (rc < 0)
        gd_table_free(t);
    return rc;
}

ptrdiff_t gd_table_column(const gd_table *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (strcmp(t->names[c], name) == 0)
            return (ptrdiff_t)c;
    return -1;
}

static void *table_decode(const gd_problem_file *f, gd_error *err)
{
    gd_table *t = malloc(sizeof *t);
    if (!t) {
        gd_fail_runtime(err, "%s: out of memory", f->path);
        return NULL;
    }
    if (gd_table_read(f, t, err) == 0)
        return t;
    free(t);
    return NULL;
}

static void table_release(void *t)
{
    gd_table_free(t);
    free(t);
}

const gd_table *gd_table_of(const gd_problem_file *f, gd_error *err)
{
    return gd_problem_file_decoded(f, table_decode, table_release, err);
}

void gd_table_column_list(const gd_table *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < t->cols && used < size; c++) {
        int n = snprintf(buf + used, size - used, "%s%s", c ? ", " : "", t->names[c]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

void gd_table_free(gd_table *t)
{
    for (size_t c = 0; t->names && c < t->cols; c++)
        free(t->names[c]);
    free(t->names);
    free(t->values);
    free(t->lines);
    memset(t, 0, sizeof *t);
}
