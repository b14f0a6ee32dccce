/* table_file.h - a table of numbers from a problem's CSV file (through libcsv).
 *
 * Package-private to src/problems/. The file's bytes come from the problem files cache
 * (problem_files.h); nothing here opens a file. The text is RFC 4180 CSV: comma-separated,
 * fields with commas, quotes or line breaks quoted whole ("" is a quote inside), LF or
 * CRLF line ends, a UTF-8 byte-order mark at the start allowed, empty lines skipped,
 * spaces around an unquoted field dropped. A file that starts with the gzip magic bytes is
 * inflated first (zlib), to at most GD_PROBLEM_FILE_MAX bytes. The first row names the
 * columns (every name non-empty and unique); every other row holds one finite number
 * (C strtod, the whole cell) per column.
 *
 * Failure: every bad input is one usage error that names the file and where, as
 * PATH:LINE: (the row) or PATH:LINE:COLUMN (name): (the cell), LINE the physical line,
 * from 1, on which the row or the cell ends (a quoted field may span lines); out of memory
 * is a runtime error. Thread-safe: each call has its own parser. */
#ifndef GDSWEEP_TABLE_FILE_H
#define GDSWEEP_TABLE_FILE_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem_files.h"

/* A table read from a file; owns its names and values until gd_table_free. */
typedef struct gd_table {
    size_t rows, cols;  /* data rows (the header not counted), columns */
    char **names;       /* cols column names, from the header row */
    double *values;     /* rows * cols numbers, row-major: row r, column c at r * cols + c */
    size_t *lines;      /* rows entries: the physical line (from 1) on which row r ends */
} gd_table;

/* Reads the table in f into *t. Returns 0, or -1 with err filled and *t zeroed. */
int gd_table_read(const gd_problem_file *f, gd_table *t, gd_error *err);

/* The table of f parsed once per file and process and shared, read-only, by every caller
 * (gd_problem_file_decoded: the instances of a large table share one parse; f must come
 * from a files cache). Returns it, or NULL with err filled as gd_table_read does. */
const gd_table *gd_table_of(const gd_problem_file *f, gd_error *err);

/* The index of the column called name, or -1 when the table has none. */
ptrdiff_t gd_table_column(const gd_table *t, const char *name);

/* The column names, comma-separated, into buf (size bytes; cut with "..." when longer). */
void gd_table_column_list(const gd_table *t, char *buf, size_t size);

/* Frees what gd_table_read allocated and zeroes *t. Safe on a zeroed table. */
void gd_table_free(gd_table *t);

#endif
