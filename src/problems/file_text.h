/* file_text.h - the text of a problem's file: its bytes, or inflated when gzip.
 *
 * Package-private to src/problems/. A file whose first bytes are gzip's magic (1f 8b) is
 * inflated with zlib (concatenated members too) into a buffer the caller frees; any other
 * file is its bytes as they are, borrowed from the problem files cache. The inflated size
 * is capped (problems pass GD_PROBLEM_FILE_MAX, the cap of a file read as it is), so a
 * small file that inflates without end is refused instead of taking the memory.
 * Failure: a usage error naming the file (not gzip after all, truncated, too large), a
 * runtime error when memory runs out. */
#ifndef GDSWEEP_FILE_TEXT_H
#define GDSWEEP_FILE_TEXT_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/problem_files.h"

typedef struct gd_file_text {
    const unsigned char *bytes; /* len bytes of text */
    size_t len;
    unsigned char *owned;       /* the inflated buffer (NULL: bytes are the file's) */
} gd_file_text;

/* The text of f into *t, inflated to at most max bytes. Returns 0, or -1 with err filled
 * and *t zeroed. */
int gd_file_text_get(const gd_problem_file *f, size_t max, gd_file_text *t, gd_error *err);

/* Frees what gd_file_text_get allocated and zeroes *t. Safe on a zeroed text. */
void gd_file_text_free(gd_file_text *t);

#endif
