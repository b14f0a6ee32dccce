/* problem_files.c - the files problems read: read once per process, hashed, shared.
 *
 * The cache is a list of sets, each owning its files; a lookup compares the type and the
 * paths, so a set is read the first time its (type, paths) is asked for (see
 * gdsweep/problem_files.h). A failed read frees what it allocated and leaves the cache as
 * it was. */
#include "gdsweep/problem_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/problem.h"

static size_t key_count(const gd_problem_type *t)
{
    size_t n = 0;
    while (t->file_keys && t->file_keys[n])
        n++;
    return n;
}

static int same_paths(const gd_problem_files *s, const char *const *paths)
{
    for (size_t k = 0; k < s->count; k++)
        if (strcmp(s->files[k].path, paths[k]) != 0)
            return 0;
    return 1;
}

/* The whole content of in, NUL-terminated (*len bytes before it), or NULL: out of memory
 * (*oom set) or a read error. */
static unsigned char *read_all(FILE *in, size_t *len, int *oom)
{
    size_t cap = 4096, got;
    unsigned char *buf = malloc(cap + 1);
    *len = 0;
    while (buf && (got = fread(buf + *len, 1, cap - *len, in)) > 0) {
        *len += got;
        if (*len < cap)
            continue;
        unsigned char *more = realloc(buf, 2 * cap + 1);
        if (!more)
            free(buf);
        buf = more;
        cap *= 2;
    }
    *oom = !buf;
    if (buf && ferror(in)) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[*len] = 0;
    return buf;
}

/* Reads path whole into *f and hashes it; on failure *f is left zeroed. */
static int read_file(gd_problem_file *f, const char *key, const char *path, gd_error *err)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return gd_fail(err, "%s = %s: cannot open: %s", key, path, strerror(errno));
    size_t len;
    int oom;
    unsigned char *bytes = read_all(in, &len, &oom);
    fclose(in);
    char *copy = bytes ? strdup(path) : NULL;
    if (!copy) {
        int out_of_memory = bytes || oom;
        free(bytes);
        return out_of_memory ? gd_fail_runtime(err, "%s = %s: out of memory reading the file",
                                              key, path)
                            : gd_fail(err, "%s = %s: cannot read the file", key, path);
    }
    *f = (gd_problem_file){key, copy, bytes, len, {0}};
    gd_sha256_hex(bytes, len, f->hash);
    return 0;
}

static void set_free(gd_problem_files *s)
{
    for (size_t k = 0; s && k < s->count; k++) {
        free(s->files[k].path);
        free(s->files[k].bytes);
    }
    if (s)
        free(s->files);
    free(s);
}

/* A new set of type t (n keys) read from paths, or NULL with err filled. */
static gd_problem_files *set_read(const gd_problem_type *t, size_t n, const char *const *paths,
                                  gd_error *err)
{
    gd_problem_files *s = calloc(1, sizeof *s);
    if (s)
        s->files = calloc(n, sizeof *s->files);
    if (!s || !s->files) {
        set_free(s);
        gd_fail_runtime(err, "%s: out of memory reading its files", t->name);
        return NULL;
    }
    s->type = t;
    for (; s->count < n; s->count++) {
        if (read_file(&s->files[s->count], t->file_keys[s->count], paths[s->count],
                      err) != 0) {
            set_free(s);
            return NULL;
        }
    }
    return s;
}

static int cache_add(gd_problem_files_cache *c, gd_problem_files *s, gd_error *err)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 4;
        gd_problem_files **more = realloc(c->sets, cap * sizeof *more);
        if (!more)
            return gd_fail_runtime(err, "out of memory caching the files of %s", s->type->name);
        c->sets = more;
        c->cap = cap;
    }
    c->sets[c->count++] = s;
    return 0;
}

int gd_problem_files_get(gd_problem_files_cache *c, const gd_problem_type *t,
                         const char *const *paths, const gd_problem_files **out,
                         gd_error *err)
{
    size_t n = key_count(t);
    *out = GD_NO_FILES;
    if (n == 0)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!paths || !paths[k])
            return gd_fail(err, "%s: no file given for %s", t->name, t->file_keys[k]);
    for (size_t i = 0; i < c->count; i++)
        if (c->sets[i]->type == t && same_paths(c->sets[i], paths)) {
            *out = c->sets[i];
            return 0;
        }
    gd_problem_files *s = set_read(t, n, paths, err);
    if (!s)
        return -1;
    if (cache_add(c, s, err) != 0) {
        set_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

const gd_problem_file *gd_problem_files_find(const gd_problem_files *f, const char *key)
{
    for (size_t k = 0; f && k < f->count; k++)
        if (strcmp(f->files[k].key, key) == 0)
            return &f->files[k];
    return NULL;
}

int gd_problem_setup(gd_problem *p, gd_problem_files_cache *c, const gd_problem_type *t,
                     const char *const *paths, const double *pp, gd_rng_key key,
                     gd_error *err)
{
    const gd_problem_files *files;
    memset(p, 0, sizeof *p);
    if (gd_problem_files_get(c, t, paths, &files, err) != 0)
        return -1;
    return t->setup(p, files, pp, key, err);
}

void gd_problem_files_cache_free(gd_problem_files_cache *c)
{
    for (size_t i = 0; i < c->count; i++)
        set_free(c->sets[i]);
    free(c->sets);
    memset(c, 0, sizeof *c);
}

static void hash_text(gd_sha256 *h, const char *text)
{
    gd_sha256_update(h, text, strlen(text));
}

void gd_problem_files_identity(const char grid_hash[GD_SHA256_HEX],
                               const gd_problem_files *const *sets, size_t n_sets,
                               char identity[GD_SHA256_HEX])
{
    size_t files = 0;
    for (size_t i = 0; i < n_sets; i++)
        files += sets[i] ? sets[i]->count : 0;
    if (files == 0) {
        memcpy(identity, grid_hash, GD_SHA256_HEX);
        return;
    }
    gd_sha256 h;
    gd_sha256_init(&h);
    hash_text(&h, "gdsweep-identity 1\n");
    hash_text(&h, grid_hash);
    for (size_t i = 0; i < n_sets; i++)
        for (size_t k = 0; sets[i] && k < sets[i]->count; k++) {
            const gd_problem_file *f = &sets[i]->files[k];
            char line[GD_SHA256_HEX + 256];
            snprintf(line, sizeof line, "\n%s %s %s", sets[i]->type->name, f->key, f->hash);
            hash_text(&h, line);
        }
    hash_text(&h, "\n");
    gd_sha256_final_hex(&h, identity);
}
