/* problem_files.c - the files problems read: read once per process, hashed, shared.
 *
 * The cache holds each path's content once (read whole, hashed) and a list of sets that
 * point into them; a lookup compares the type and the paths, so a set is made the first
 * time its (type, paths) is asked for, and a file the first time any set names it (see
 * gdsweep/problem_files.h). A name FILE.h5:/PATH reads FILE; the set keeps /PATH beside it. A failed read adds no set (files read whole before it stay
 * cached: they are right). */
#include "gdsweep/problem_files.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gdsweep/path_check.h"
#include "gdsweep/problem.h"

/* The most decoded forms one file keeps (a table, an image, ...). */
#define DECODED_MAX 4

/* A decoded form of a content: what decode made, freed by release. */
typedef struct decoded_form {
    gd_file_decoder decode;
    void *object;
    void (*release)(void *);
} decoded_form;

/* One path's content, read once per cache, and its decoded forms (under lock). */
struct gd_file_content {
    char *path;
    unsigned char *bytes;
    size_t len;
    char hash[GD_SHA256_HEX];
    pthread_mutex_t lock;
    decoded_form forms[DECODED_MAX];
    size_t n_forms;
};

/* Whether the n bytes of name end in suffix, in any case. */
static int ends_with(const char *name, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(name + n - k, suffix, k) == 0;
}

size_t gd_problem_file_part(const char *name)
{
    for (const char *at = strstr(name, ":/"); at; at = strstr(at + 1, ":/")) {
        size_t n = (size_t)(at - name);
        if (ends_with(name, n, ".h5") || ends_with(name, n, ".hdf5"))
            return n;
    }
    return strlen(name);
}

/* Whether file f is what name names: its path and, for FILE.h5:/PATH, its dataset. */
static int names_file(const gd_problem_file *f, const char *name)
{
    size_t n = gd_problem_file_part(name);
    const char *dataset = name[n] ? name + n + 1 : NULL;
    return strncmp(f->path, name, n) == 0 && f->path[n] == '\0' &&
           (dataset ? f->dataset && strcmp(f->dataset, dataset) == 0 : !f->dataset);
}

size_t gd_problem_file_key_count(const gd_problem_type *t)
{
    size_t n = 0;
    for (size_t i = 0; t->params && t->params[i].key; i++)
        n += t->params[i].kind == GD_PATH;
    return n;
}

const char *gd_problem_file_key(const gd_problem_type *t, size_t k)
{
    for (size_t i = 0; t->params && t->params[i].key; i++)
        if (t->params[i].kind == GD_PATH && k-- == 0)
            return t->params[i].key;
    return NULL;
}

int gd_problem_names_a_file(const gd_problem_type *t, const double *pp)
{
    for (size_t i = 0; t->params && t->params[i].key; i++)
        if (t->params[i].kind == GD_PATH && pp[i] != GD_PATH_NONE)
            return 1;
    return 0;
}

/* Whether two optional texts are equal (NULL equals only NULL). */
static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether set s gives exactly these names (per spec index; names NULL: none given). */
static int same_names(const gd_problem_files *s, size_t n_params, const char *const *names)
{
    for (size_t k = 0; k < n_params; k++)
        if (!same_text(s->names[k], names ? names[k] : NULL))
            return 0;
    return 1;
}

/* Whether set s is of type t with exactly these paths (NULL entries: no file) and names. */
static int same_set(const gd_problem_files *s, const gd_problem_type *t, size_t n_keys,
                    const char *const *paths, const char *const *names)
{
    if (s->type != t || !same_names(s, gd_param_count(t->params), names))
        return 0;
    size_t f = 0;
    for (size_t k = 0; k < n_keys; k++) {
        if (!paths[k])
            continue;
        if (f == s->count || strcmp(s->files[f].key, gd_problem_file_key(t, k)) != 0 ||
            !names_file(&s->files[f], paths[k]))
            return 0;
        f++;
    }
    return f == s->count;
}

/* Reads path whole into a new content (hashed), or NULL with err filled: a regular file
 * of at most GD_PROBLEM_FILE_MAX bytes (a FIFO or a device would block or never end). */
static struct gd_file_content *content_read(const char *key, const char *path, gd_error *err)
{
    struct gd_file_content *c = calloc(1, sizeof *c);
    if (!c) {
        gd_fail_runtime(err, "%s = %s: out of memory", key, path);
        return NULL;
    }
    char *bytes = NULL;
    if (gd_path_read_regular(path, GD_PROBLEM_FILE_MAX, "file", &bytes, &c->len, err) < 0 ||
        !(c->path = strdup(path))) {
        if (bytes)
            gd_fail_runtime(err, "%s = %s: out of memory", key, path);
        else
            gd_error_prefix(err, "%s", key);
        free(bytes);
        free(c);
        return NULL;
    }
    c->bytes = (unsigned char *)bytes;
    gd_sha256_hex(c->bytes, c->len, c->hash);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

/* Grows *items (of *cap, holding count) to hold one more; -1 when out of memory. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return 0;
    size_t more = *cap ? 2 * *cap : 4;
    void *bigger = realloc(*items, more * size);
    if (!bigger)
        return -1;
    *items = bigger;
    *cap = more;
    return 0;
}

/* The cache's content of the file part of name, or NULL when not read. */
static struct gd_file_content *content_found(const gd_problem_files_cache *c, const char *name)
{
    size_t n = gd_problem_file_part(name);
    for (size_t i = 0; i < c->n_contents; i++)
        if (strncmp(c->contents[i]->path, name, n) == 0 && c->contents[i]->path[n] == '\0')
            return c->contents[i];
    return NULL;
}

/* The cache's content of the file part of name, read now if it was not before; NULL with
 * err filled. */
static struct gd_file_content *content_of(gd_problem_files_cache *c, const char *key,
                                          const char *name, gd_error *err)
{
    struct gd_file_content *known = content_found(c, name);
    if (known)
        return known;
    char *path = strndup(name, gd_problem_file_part(name));
    if (!path ||
        grow((void **)&c->contents, &c->contents_cap, c->n_contents, sizeof *c->contents) < 0) {
        gd_fail_runtime(err, "%s = %s: out of memory caching the file", key, name);
        free(path);
        return NULL;
    }
    struct gd_file_content *read = content_read(key, path, err);
    free(path);
    if (read)
        c->contents[c->n_contents++] = read;
    return read;
}

static void content_free(struct gd_file_content *c)
{
    for (size_t i = 0; i < c->n_forms; i++)
        c->forms[i].release(c->forms[i].object);
    pthread_mutex_destroy(&c->lock);
    free(c->path);
    free(c->bytes);
    free(c);
}

static void set_free(gd_problem_files *s)
{
    for (size_t k = 0; s && k < s->count; k++)
        free((char *)s->files[k].dataset);
    if (s) {
        free(s->files);
        for (size_t k = 0; s->names && k < GD_MAX_PARAMS; k++)
            free((char *)s->names[k]);
        free((void *)s->names);
    }
    free(s);
}

/* The dataset part of name (a copy, NULL when it names a whole file) into *dataset; -1
 * when out of memory. */
static int dataset_of(const char *name, char **dataset)
{
    size_t n = gd_problem_file_part(name);
    *dataset = name[n] ? strdup(name + n + 1) : NULL;
    return name[n] && !*dataset ? -1 : 0;
}

/* Adds to set s the file that name names for key (read now if it was not before). */
static int add_file(gd_problem_files_cache *c, gd_problem_files *s, const char *key,
                    const char *name, gd_error *err)
{
    struct gd_file_content *content = content_of(c, key, name, err);
    char *dataset;
    if (!content)
        return -1;
    if (dataset_of(name, &dataset) < 0)
        return gd_fail_runtime(err, "%s = %s: out of memory", key, name);
    s->files[s->count++] = (gd_problem_file){.key = key, .path = content->path,
                                             .dataset = dataset, .bytes = content->bytes,
                                             .len = content->len, .hash = content->hash,
                                             .content = content};
    return 0;
}

/* Copies the names (per spec index, NULL: none) into s, owned by the set; -1: memory. */
static int set_names(gd_problem_files *s, const char *const *names)
{
    char **own = calloc(GD_MAX_PARAMS, sizeof *own);
    s->names = (const char *const *)own;
    if (!own)
        return -1;
    size_t n = gd_param_count(s->type->params);
    for (size_t k = 0; names && k < n && k < GD_MAX_PARAMS; k++)
        if (names[k] && !(own[k] = strdup(names[k])))
            return -1;
    return 0;
}

/* A new set of type t (n_keys GD_PATH keys, `given` of them naming a file) of the paths
 * and names, reading the files not read before; NULL with err filled. */
static gd_problem_files *set_read(gd_problem_files_cache *c, const gd_problem_type *t,
                                  size_t n_keys, size_t given, const char *const *paths,
                                  const char *const *names, gd_error *err)
{
    gd_problem_files *s = calloc(1, sizeof *s);
    if (s) {
        s->type = t;
        s->files = calloc(given, sizeof *s->files);
    }
    if (!s || !s->files || set_names(s, names) < 0) {
        set_free(s);
        gd_fail_runtime(err, "%s: out of memory reading its files", t->name);
        return NULL;
    }
    for (size_t k = 0; k < n_keys; k++)
        if (paths[k] && add_file(c, s, gd_problem_file_key(t, k), paths[k], err) < 0) {
            set_free(s);
            return NULL;
        }
    return s;
}

const gd_problem_files *gd_problem_files_find_set(const gd_problem_files_cache *c,
                                                  const gd_problem_type *t,
                                                  const char *const *paths,
                                                  const char *const *names)
{
    size_t n = gd_problem_file_key_count(t);
    for (size_t i = 0; paths && i < c->count; i++)
        if (same_set(c->sets[i], t, n, paths, names))
            return c->sets[i];
    return NULL;
}

int gd_problem_files_get(gd_problem_files_cache *c, const gd_problem_type *t,
                         const char *const *paths, const gd_problem_files **out,
                         gd_error *err)
{
    return gd_problem_files_get_named(c, t, paths, NULL, out, err);
}

int gd_problem_files_get_named(gd_problem_files_cache *c, const gd_problem_type *t,
                               const char *const *paths, const char *const *names,
                               const gd_problem_files **out, gd_error *err)
{
    size_t n = gd_problem_file_key_count(t), given = 0;
    *out = GD_NO_FILES;
    for (size_t k = 0; paths && k < n; k++)
        given += paths[k] != NULL;
    if (given == 0)
        return 0;
    if ((*out = gd_problem_files_find_set(c, t, paths, names)))
        return 0;
    if (grow((void **)&c->sets, &c->cap, c->count, sizeof *c->sets) < 0)
        return gd_fail_runtime(err, "out of memory caching the files of %s", t->name);
    gd_problem_files *s = set_read(c, t, n, given, paths, names, err);
    if (!s)
        return -1;
    c->sets[c->count++] = s;
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

/* The form decode made of content c, made now if new; called under c->lock. */
static const void *decoded_locked(struct gd_file_content *c, const gd_problem_file *f,
                                  gd_file_decoder decode, void (*release)(void *),
                                  gd_error *err)
{
    for (size_t i = 0; i < c->n_forms; i++)
        if (c->forms[i].decode == decode)
            return c->forms[i].object;
    if (c->n_forms == DECODED_MAX) {
        gd_fail_runtime(err, "%s: more than %d decoded forms of one file", f->path,
                        DECODED_MAX);
        return NULL;
    }
    void *object = decode(f, err);
    if (object)
        c->forms[c->n_forms++] = (decoded_form){decode, object, release};
    return object;
}

const void *gd_problem_file_decoded(const gd_problem_file *f, gd_file_decoder decode,
                                    void (*release)(void *), gd_error *err)
{
    if (!f->content) {
        gd_fail_runtime(err, "%s: not a file of the files cache", f->path);
        return NULL;
    }
    pthread_mutex_lock(&f->content->lock);
    const void *object = decoded_locked(f->content, f, decode, release, err);
    pthread_mutex_unlock(&f->content->lock);
    return object;
}

const char *gd_problem_files_name(const gd_problem_files *f, const char *key)
{
    if (!f || !f->names)
        return NULL;
    int k = gd_param_find(f->type->params, key);
    return k >= 0 && k < GD_MAX_PARAMS && f->type->params[k].kind == GD_NAME ? f->names[k]
                                                                             : NULL;
}

const char *gd_problem_files_hash_of(const gd_problem_files_cache *c, const char *path)
{
    const struct gd_file_content *content = content_found(c, path);
    return content ? content->hash : NULL;
}

void gd_problem_files_cache_free(gd_problem_files_cache *c)
{
    for (size_t i = 0; i < c->count; i++)
        set_free(c->sets[i]);
    for (size_t i = 0; i < c->n_contents; i++)
        content_free(c->contents[i]);
    free(c->sets);
    free(c->contents);
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
