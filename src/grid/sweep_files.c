/* sweep_files.c - the files a grid names: reading them once, the identity, a run's set.
 *
 * gd_sweep_read_files reads, once per process, every set of files a section can give its
 * instances (each combination of its file keys' distinct names, grid_file_names.c; the
 * other keys do not change which files an instance reads), into the sweep's cache, and
 * hashes their contents into the sweep's identity (problem_files.h). Runs then find their
 * set without reading anything: lookups never change the cache, so rank 0's compute
 * thread and the plan may look up at the same time. */
#include "grid_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the files ------------------------------------------------------------------ */

/* The paths of the files a problem section's run reads, one per GD_PATH key of its type
 * in spec order (NULL: none given), and the texts of its GD_NAME keys by spec index
 * (NULL: none given, or no name key), from its parameter values pp. */
typedef struct file_paths {
    char text[GD_MAX_PARAMS][GD_PATH_MAX];
    const char *of_key[GD_MAX_PARAMS];
    const char *names[GD_MAX_PARAMS];
} file_paths;

/* Fills fp; -1 with err when a path (the grid's directory and the name) is too long. */
static int paths_of(const gd_sweep *s, const gd_problem_type *t, const double *pp,
                    file_paths *fp, gd_error *err)
{
    size_t k = 0;
    for (size_t i = 0; t->params && t->params[i].key; i++) {
        fp->names[i] = t->params[i].kind == GD_NAME && pp[i] != GD_PATH_NONE
                           ? gd_sweep_file_name(s, pp[i])
                           : NULL;
        if (t->params[i].kind != GD_PATH)
            continue;
        if (gd_sweep_file_path(s, pp[i], fp->text[k], sizeof fp->text[k]) < 0)
            return gd_fail(err, "%s = %s: with the grid's directory the path is longer "
                           "than %d bytes; use a shorter one", t->params[i].key,
                           gd_sweep_file_name(s, pp[i]), GD_PATH_MAX - 1);
        fp->of_key[k] = fp->text[k][0] ? fp->text[k] : NULL;
        k++;
    }
    return 0;
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

/* The smallest and largest of dim's values. */
static void value_range(const gd_dim *dim, double *lo, double *hi)
{
    *lo = *hi = dim->values[0];
    for (size_t j = 1; j < gd_grid_dim_listed(dim); j++) {
        *lo = dim->values[j] < *lo ? dim->values[j] : *lo;
        *hi = dim->values[j] > *hi ? dim->values[j] : *hi;
    }
}

/* The type's check_files at each corner of the keys it reads (problem.h,
 * check_files_params), the other values as in pp. */
static int check_set(const gd_problem_section *ps, const gd_problem_files *set,
                     const double *pp, gd_error *err)
{
    const gd_problem_layout *pl = ps->layout;
    unsigned reads = ps->type->check_files_params;
    double at[GD_MAX_PARAMS], lo[GD_MAX_PARAMS], hi[GD_MAX_PARAMS];
    size_t key[GD_MAX_PARAMS], n = 0;
    for (size_t i = 0; i < pl->n_type_dims; i++) {
        at[i] = pp[i];
        if (reads >> i & 1) {
            value_range(&pl->dims[i], &lo[n], &hi[n]);
            key[n++] = i;
        }
    }
    for (unsigned long corner = 0; corner < 1ul << n; corner++) {
        int repeat = 0;
        for (size_t k = 0; k < n; k++) {
            at[key[k]] = corner >> k & 1 ? hi[k] : lo[k];
            repeat |= (corner >> k & 1) && lo[k] == hi[k];
        }
        if (!repeat && ps->type->check_files(set, at, err) < 0)
            return -1;
    }
    return 0;
}

/* Reads the set of one combination pp of the section's values; checks it when new. */
static int read_combo(gd_sweep *s, const gd_problem_section *ps, const double *pp,
                      set_list *read, gd_error *err)
{
    file_paths *fp = malloc(sizeof *fp);
    const gd_problem_files *set = GD_NO_FILES;
    if (!fp)
        return gd_fail_runtime(err, "[problem %s]: out of memory", ps->label);
    size_t known = s->files->count;
    int rc = paths_of(s, ps->type, pp, fp, err);
    if (rc == 0)
        rc = gd_problem_files_get_named(s->files, ps->type, fp->of_key, fp->names, &set,
                                        err);
    free(fp);
    if (rc == 0 && s->files->count > known && ps->type->check_files) /* a new set */
        rc = check_set(ps, set, pp, err);
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

/* The distinct values of each file or name key of a section, in first-seen order (a list
 * of 10^7 items naming a few files is a few combinations), and how many combinations they
 * make. */
typedef struct file_choices {
    double *values[GD_MAX_PARAMS]; /* NULL for keys that are neither file nor name keys */
    size_t count[GD_MAX_PARAMS];
} file_choices;

static void choices_free(file_choices *c)
{
    for (size_t i = 0; i < GD_MAX_PARAMS; i++)
        free(c->values[i]);
}

/* Collects dim's distinct values (indices below n_names) into *out, *n of them. */
static int distinct_values(const gd_dim *dim, size_t n_names, double **out, size_t *n)
{
    unsigned char *seen = calloc(n_names ? n_names : 1, 1);
    *out = malloc((n_names ? n_names : 1) * sizeof **out);
    *n = 0;
    for (size_t j = 0; seen && *out && j < dim->count; j++) {
        size_t v = (size_t)dim->values[j];
        if (v < n_names && !seen[v]) {
            seen[v] = 1;
            (*out)[(*n)++] = dim->values[j];
        }
    }
    int ok = seen && *out;
    free(seen);
    return ok ? 0 : -1;
}

/* The section's choices; refuses more than GD_GRID_FILE_SETS_MAX combinations. */
static int choices_of(const gd_sweep *s, const gd_problem_section *ps, file_choices *c,
                      gd_error *err)
{
    const gd_problem_layout *pl = ps->layout;
    size_t names = s->n_file_names ? s->n_file_names : 1;
    double combos = 1;
    for (size_t i = 0; i < pl->n_type_dims; i++) {
        if (!gd_param_is_text(pl->dims[i].spec->kind))
            continue;
        if (distinct_values(&pl->dims[i], names, &c->values[i], &c->count[i]) < 0)
            return gd_fail_runtime(err, "[problem %s]: out of memory", ps->label);
        combos *= (double)c->count[i];
    }
    if (combos > GD_GRID_FILE_SETS_MAX)
        return gd_grid_fail_at(err, s->path, file_key_line(ps), "[problem %s]: its file and "
                               "name keys combine into %.0f sets of files, more than %d; "
                               "give fewer names", ps->label, combos, GD_GRID_FILE_SETS_MAX);
    return 0;
}

/* Every combination of the section's file and name keys' distinct names (an odometer, last key
 * fastest); the other keys keep their first value. */
static int read_section(gd_sweep *s, const gd_problem_section *ps, set_list *read,
                        gd_error *err)
{
    const gd_problem_layout *pl = ps->layout;
    file_choices c = {{0}, {0}};
    size_t digit[GD_MAX_PARAMS] = {0};
    double pp[GD_MAX_PARAMS] = {0};
    int rc = choices_of(s, ps, &c, err);
    for (size_t i = 0; i < pl->n_type_dims; i++)
        pp[i] = c.values[i] ? c.values[i][0] : pl->dims[i].values[0];
    while (rc == 0) {
        rc = read_combo(s, ps, pp, read, err);
        size_t i = pl->n_type_dims;
        while (rc == 0 && i-- > 0) {
            if (!c.values[i])
                continue;
            digit[i] = digit[i] + 1 == c.count[i] ? 0 : digit[i] + 1;
            pp[i] = c.values[i][digit[i]];
            if (digit[i] != 0)
                break;
        }
        if (i == (size_t)-1)
            break;
    }
    choices_free(&c);
    return rc;
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

void gd_grid_files_free(gd_sweep *s)
{
    if (s->files)
        gd_problem_files_cache_free(s->files);
    free(s->files);
    s->files = NULL;
}

char *gd_sweep_input_files_text(const gd_sweep *s)
{
    size_t size = 1;
    for (size_t i = 1; s->files && i < s->n_file_names; i++)
        size += 32 + strlen(s->file_names[i]) + GD_SHA256_HEX;
    char *text = size > 1 ? malloc(size) : NULL, path[GD_PATH_MAX];
    size_t used = 0;
    for (size_t i = 1; text && i < s->n_file_names; i++) {
        const char *hash = gd_sweep_file_path(s, (double)i, path, sizeof path) == 0
                               ? gd_problem_files_hash_of(s->files, path)
                               : NULL;
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

/* Marks in used[] (n_file_names entries) the names the section's name keys give. */
static void mark_names(const gd_sweep *s, const gd_problem_section *ps, unsigned char *used)
{
    const gd_problem_layout *pl = ps->layout;
    for (size_t i = 0; i < pl->n_type_dims; i++)
        for (size_t j = 0; pl->dims[i].spec->kind == GD_NAME && j < pl->dims[i].count; j++) {
            size_t v = (size_t)pl->dims[i].values[j];
            if (v > 0 && v < s->n_file_names)
                used[v] = 1;
        }
}

char *gd_sweep_names_text(const gd_sweep *s)
{
    unsigned char *used = s->n_file_names ? calloc(s->n_file_names, 1) : NULL;
    size_t size = 1, n_used = 0;
    for (size_t p = 0; used && p < s->n_problems; p++)
        mark_names(s, &s->problems[p], used);
    for (size_t i = 1; used && i < s->n_file_names; i++)
        if (used[i]) {
            size += 24 + strlen(s->file_names[i]);
            n_used++;
        }
    char *text = n_used ? malloc(size) : NULL;
    size_t at = 0;
    for (size_t i = 1; text && i < s->n_file_names; i++)
        if (used[i])
            at += (size_t)snprintf(text + at, size - at, "%zu\t%s\n", i, s->file_names[i]);
    free(used);
    return text;
}

/* ---- a run's files ---------------------------------------------------------------------- */

/* The set of type t's instance with values pp, read by gd_sweep_read_files (found: a
 * lookup never reads or changes the cache); GD_NO_FILES when no key names a file; -1 with
 * err when the sweep's files were not read. */
static int files_for(const gd_sweep *s, const gd_problem_type *t, const double *pp,
                     const gd_problem_files **set, gd_error *err)
{
    *set = GD_NO_FILES;
    if (!gd_problem_names_a_file(t, pp))
        return 0;
    if (!s->files)
        return gd_fail_runtime(err, "%s: the grid's files were not read "
                               "(gd_sweep_read_files)", t->name);
    file_paths *fp = malloc(sizeof *fp);
    if (!fp)
        return gd_fail_runtime(err, "%s: out of memory", t->name);
    int rc = paths_of(s, t, pp, fp, err);
    if (rc == 0)
        *set = gd_problem_files_find_set(s->files, t, fp->of_key, fp->names);
    free(fp);
    if (rc == 0 && !*set)
        return gd_fail_runtime(err, "%s: a set of files the grid names was not read",
                               t->name);
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
    if (files_for(s, t, d->problem_params, &set, err) < 0 ||
        t->setup(p, set, d->problem_params, gd_sweep_instance_key(s, d), err) < 0)
        return -1;
    if (!s->store_data)
        gd_problem_drop_file_inputs(p, GD_STORE_DATA_MAX);
    return 0;
}
