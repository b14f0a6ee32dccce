/* sweep_files.c - the files a grid names: the table of names, reading them, the identity.
 *
 * GD_PATH values are indices into the sweep's table of file names (as written; [0] is ""
 * for "none given"). gd_sweep_read_files reads, once per process, every set of files a
 * section can give its instances (each combination of its file keys' names; the other
 * keys do not change which files an instance reads), into the sweep's cache, and hashes
 * their contents into the sweep's identity (problem_files.h). Runs then look their set up
 * without reading anything. */
#include "grid_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the table of names ----------------------------------------------------------------- */

static int add_name(gd_sweep *s, char *name)
{
    if (s->n_file_names % 16 == 0) {
        char **more = realloc(s->file_names, (s->n_file_names + 16) * sizeof *more);
        if (!more)
            return -1;
        s->file_names = more;
    }
    s->file_names[s->n_file_names++] = name;
    return 0;
}

static int ensure_none_entry(gd_sweep *s)
{
    if (s->n_file_names > 0)
        return 0;
    char *none = strdup("");
    if (none && add_name(s, none) == 0)
        return 0;
    free(none);
    return -1;
}

int gd_grid_file_name(gd_sweep *s, const char *key, const char *text, size_t len,
                      double *index, gd_error *err)
{
    if (len >= GD_PATH_MAX)
        return gd_fail(err, "%s: a file name of %zu bytes; use one shorter than %d", key, len,
                       GD_PATH_MAX);
    if (ensure_none_entry(s) < 0)
        return gd_fail_runtime(err, "%s: out of memory for file names", key);
    for (size_t i = 1; i < s->n_file_names; i++)
        if (strlen(s->file_names[i]) == len && memcmp(s->file_names[i], text, len) == 0) {
            *index = (double)i;
            return 0;
        }
    if (s->n_file_names > GD_GRID_FILE_NAMES_MAX)
        return gd_fail(err, "%s: the grid names more than %d files; use fewer", key,
                       GD_GRID_FILE_NAMES_MAX);
    char *name = strndup(text, len);
    if (!name || add_name(s, name) < 0) {
        free(name);
        return gd_fail_runtime(err, "%s: out of memory for file names", key);
    }
    *index = (double)(s->n_file_names - 1);
    return 0;
}

void gd_grid_file_names_free(gd_sweep *s)
{
    for (size_t i = 0; i < s->n_file_names; i++)
        free(s->file_names[i]);
    free(s->file_names);
    s->file_names = NULL;
    s->n_file_names = 0;
    if (s->files)
        gd_problem_files_cache_free(s->files);
    free(s->files);
    s->files = NULL;
}

const char *gd_sweep_file_name(const gd_sweep *s, double v)
{
    size_t i = (size_t)v;
    return v > 0 && i < s->n_file_names ? s->file_names[i] : "";
}

void gd_sweep_file_path(const gd_sweep *s, double v, char *buf, size_t size)
{
    const char *name = gd_sweep_file_name(s, v);
    const char *slash = strrchr(s->path, '/');
    if (!name[0] || name[0] == '/' || !slash)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "%.*s/%s", (int)(slash - s->path), s->path, name);
}

/* ---- reading the files ------------------------------------------------------------------ */

/* The paths of the files a problem section's run reads, one per GD_PATH key of its type
 * in spec order (NULL: none given), from its parameter values pp. */
typedef struct file_paths {
    char text[GD_MAX_PARAMS][GD_PATH_MAX];
    const char *of_key[GD_MAX_PARAMS];
} file_paths;

static void paths_of(const gd_sweep *s, const gd_problem_type *t, const double *pp,
                     file_paths *fp)
{
    size_t k = 0;
    for (size_t i = 0; t->params && t->params[i].key; i++) {
        if (t->params[i].kind != GD_PATH)
            continue;
        gd_sweep_file_path(s, pp[i], fp->text[k], sizeof fp->text[k]);
        fp->of_key[k] = fp->text[k][0] ? fp->text[k] : NULL;
        k++;
    }
}

/* The sets read so far, in the order they were met (the identity's order). */
typedef struct set_list {
    const gd_problem_files **sets;
    size_t count, cap;
} set_list;

static int list_add(set_list *l, const gd_problem_files *set)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        const gd_problem_files **more = realloc(l->sets, cap * sizeof *more);
        if (!more)
            return -1;
        l->sets = more;
        l->cap = cap;
    }
    l->sets[l->count++] = set;
    return 0;
}

/* The line of the section's first file key that names a file, for messages. */
static int file_key_line(const gd_problem_section *ps)
{
    const gd_problem_layout *pl = ps->layout;
    for (size_t i = 0; i < pl->n_type_dims; i++)
        if (pl->dims[i].spec->kind == GD_PATH && pl->dims[i].line)
            return pl->dims[i].line;
    return ps->line;
}

/* Reads the set of one combination pp of the section's values; checks it when new. */
static int read_combo(gd_sweep *s, const gd_problem_section *ps, const double *pp,
                      set_list *read, gd_error *err)
{
    file_paths *fp = malloc(sizeof *fp);
    const gd_problem_files *set = GD_NO_FILES;
    if (!fp)
        return gd_fail_runtime(err, "[problem %s]: out of memory", ps->label);
    paths_of(s, ps->type, pp, fp);
    size_t known = s->files->count;
    int rc = gd_problem_files_get(s->files, ps->type, fp->of_key, &set, err);
    free(fp);
    if (rc == 0 && s->files->count > known && ps->type->check_files) /* a new set */
        rc = ps->type->check_files(set, pp, err);
    if (rc < 0)
        return err->exit_code == GD_EXIT_RUNTIME
                   ? -1
                   : gd_grid_locate(err, s->path, file_key_line(ps));
    if (set == GD_NO_FILES)
        return 0;
    if (gd_grid_check_numeric_dimension(s, ps, set, pp, err) < 0)
        return -1;
    if (list_add(read, set) < 0)
        return gd_fail_runtime(err, "[problem %s]: out of memory", ps->label);
    return 0;
}

/* Every combination of the section's file keys' names (an odometer, last key fastest);
 * the other keys keep their first value. */
static int read_section(gd_sweep *s, const gd_problem_section *ps, set_list *read,
                        gd_error *err)
{
    const gd_problem_layout *pl = ps->layout;
    size_t digit[GD_MAX_PARAMS] = {0};
    double pp[GD_MAX_PARAMS] = {0};
    for (size_t i = 0; i < pl->n_type_dims; i++)
        pp[i] = pl->dims[i].values[0];
    for (;;) {
        if (read_combo(s, ps, pp, read, err) < 0)
            return -1;
        size_t i = pl->n_type_dims;
        while (i-- > 0) {
            if (pl->dims[i].spec->kind != GD_PATH)
                continue;
            digit[i] = digit[i] + 1 == pl->dims[i].count ? 0 : digit[i] + 1;
            pp[i] = pl->dims[i].values[digit[i]];
            if (digit[i] != 0)
                break;
        }
        if (i == (size_t)-1)
            return 0;
    }
}

int gd_sweep_read_files(gd_sweep *s, gd_error *err)
{
    set_list read = {0};
    if (!s->files && !(s->files = calloc(1, sizeof *s->files)))
        return gd_fail_runtime(err, "out of memory");
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < s->n_problems; p++)
        if (gd_problem_file_key_count(s->problems[p].type) > 0)
            rc = read_section(s, &s->problems[p], &read, err);
    if (rc == 0)
        gd_problem_files_identity(s->hash, read.sets, read.count, s->identity);
    free(read.sets);
    return rc;
}

char *gd_sweep_input_files_text(const gd_sweep *s)
{
    size_t size = 1;
    for (size_t i = 1; s->files && i < s->n_file_names; i++)
        size += 32 + strlen(s->file_names[i]) + GD_SHA256_HEX;
    char *text = size > 1 ? malloc(size) : NULL, path[GD_PATH_MAX];
    size_t used = 0;
    for (size_t i = 1; text && i < s->n_file_names; i++) {
        gd_sweep_file_path(s, (double)i, path, sizeof path);
        const char *hash = gd_problem_files_hash_of(s->files, path);
        if (hash)
            used += (size_t)snprintf(text + used, size - used, "%zu\t%s\t%s\n", i,
                                     s->file_names[i], hash);
    }
    if (text && used == 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* ---- a run's files ---------------------------------------------------------------------- */

/* The set of type t's instance with values pp (read by gd_sweep_read_files: found, not
 * read; GD_NO_FILES when no key names a file); -1 with err when the sweep's files were not
 * read or the lookup fails. */
static int files_for(const gd_sweep *s, const gd_problem_type *t, const double *pp,
                     const gd_problem_files **set, gd_error *err)
{
    *set = GD_NO_FILES;
    if (!gd_problem_names_a_file(t, pp))
        return 0;
    if (!s->files)
        return gd_fail_runtime(err, "%s: the grid's files were not read", t->name);
    file_paths *fp = malloc(sizeof *fp);
    if (!fp)
        return gd_fail_runtime(err, "%s: out of memory", t->name);
    paths_of(s, t, pp, fp);
    int rc = gd_problem_files_get(s->files, t, fp->of_key, set, err);
    free(fp);
    return rc;
}

const gd_problem_files *gd_sweep_files_of(const gd_sweep *s, const gd_run_desc *d)
{
    const gd_problem_files *set;
    gd_error ignored;
    files_for(s, s->problems[d->problem].type, d->problem_params, &set, &ignored);
    return set;
}

int gd_sweep_setup_instance(const gd_sweep *s, const gd_run_desc *d, gd_problem *p,
                            gd_error *err)
{
    const gd_problem_type *t = s->problems[d->problem].type;
    const gd_problem_files *set;
    memset(p, 0, sizeof *p);
    if (files_for(s, t, d->problem_params, &set, err) < 0)
        return -1;
    return t->setup(p, set, d->problem_params, gd_sweep_instance_key(s, d), err);
}
