/* grid_file_names.c - the table of names a grid gives its GD_PATH and GD_NAME keys.
 *
 * GD_PATH (file names) and GD_NAME values (columns, datasets: names that are not opened)
 * are indices into the sweep's one table of names, kept as written ([0] is "" for "none
 * given"); each distinct name once, found through an open-addressing index of
 * 2 * GD_GRID_FILE_NAMES_MAX slots (FNV-1a hashes), so a 10^7-item list costs one hash
 * per item. A name is opened relative to the grid file's directory. */
#include "grid_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (2 * GD_GRID_FILE_NAMES_MAX) /* a power of two, at least twice the names */

static uint64_t name_hash(const char *text, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
    return h;
}

/* The slot that holds text's index, or the empty slot where it would go. */
static uint32_t *slot_of(const gd_sweep *s, const char *text, size_t len)
{
    size_t i = (size_t)name_hash(text, len) & (SLOTS - 1);
    for (;; i = (i + 1) & (SLOTS - 1)) {
        uint32_t at = s->file_name_slots[i];
        if (at == 0 || (strlen(s->file_names[at]) == len &&
                        memcmp(s->file_names[at], text, len) == 0))
            return &s->file_name_slots[i];
    }
}

/* The table with its "" entry and its index, made on the first name. */
static int start_table(gd_sweep *s)
{
    if (s->file_names)
        return 0;
    s->file_names = calloc(GD_GRID_FILE_NAMES_MAX + 1, sizeof *s->file_names);
    s->file_name_slots = calloc(SLOTS, sizeof *s->file_name_slots);
    if (!s->file_names || !s->file_name_slots || !(s->file_names[0] = strdup("")))
        return -1;
    s->n_file_names = 1;
    return 0;
}

/* A name the table can hold: short enough, and no control character (a tab or a newline
 * would break the lines of the file's input_files attribute). */
static int check_name(const char *key, const char *text, size_t len, gd_error *err)
{
    if (len >= GD_PATH_MAX)
        return gd_fail(err, "%s: a name of %zu bytes; use one shorter than %d", key, len,
                       GD_PATH_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return gd_fail(err, "%s: the name '%.*s' holds a control character; "
                           "use a name without one", key, (int)len, text);
    return 0;
}

int gd_grid_file_name(gd_sweep *s, const char *key, const char *text, size_t len,
                      double *index, gd_error *err)
{
    if (check_name(key, text, len, err) < 0)
        return -1;
    if (start_table(s) < 0)
        return gd_fail_runtime(err, "%s: out of memory for file names", key);
    uint32_t *slot = slot_of(s, text, len);
    if (*slot == 0) {
        if (s->n_file_names > GD_GRID_FILE_NAMES_MAX)
            return gd_fail(err, "%s: the grid gives more than %d distinct names (files, "
                           "columns); use fewer", key, GD_GRID_FILE_NAMES_MAX);
        if (!(s->file_names[s->n_file_names] = strndup(text, len)))
            return gd_fail_runtime(err, "%s: out of memory for file names", key);
        *slot = (uint32_t)s->n_file_names++;
    }
    *index = (double)*slot;
    return 0;
}

void gd_grid_file_names_free(gd_sweep *s)
{
    for (size_t i = 0; s->file_names && i < s->n_file_names; i++)
        free(s->file_names[i]);
    free(s->file_names);
    free(s->file_name_slots);
    s->file_names = NULL;
    s->file_name_slots = NULL;
    s->n_file_names = 0;
}

const char *gd_sweep_file_name(const gd_sweep *s, double v)
{
    size_t i = (size_t)v;
    return v > 0 && i < s->n_file_names ? s->file_names[i] : "";
}

int gd_sweep_file_path(const gd_sweep *s, double v, char *buf, size_t size)
{
    const char *name = gd_sweep_file_name(s, v);
    const char *slash = strrchr(s->path, '/');
    int n = !name[0] || name[0] == '/' || !slash
                ? snprintf(buf, size, "%s", name)
                : snprintf(buf, size, "%.*s/%s", (int)(slash - s->path), s->path, name);
    return n >= 0 && (size_t)n < size ? 0 : -1;
}
