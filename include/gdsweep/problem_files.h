/* problem_files.h - the data seam of the problem contract: the files a problem reads.
 *
 * A problem type that reads a user's file names the string keys that hold file names in
 * gd_problem_type.file_keys (image, data, ...). Whoever sets up instances asks a
 * gd_problem_files_cache for the set of a type and its file names: each file is read whole
 * and hashed (SHA-256 of its bytes) once per process, and the set is shared, read-only,
 * by every instance, which receives it in setup, dimension and cost. A type without
 * file_keys gets GD_NO_FILES (NULL) from the cache at no cost: today's problems.
 *
 * Ownership: the cache owns every set and file it returns until gd_problem_files_cache_free;
 * instances only borrow them (free the instances first). Failure: a file that cannot be
 * opened or read fails the lookup with a usage error naming the key and the path; the
 * cache is unchanged. Not thread-safe: one cache per process, used by the thread that sets
 * up instances (instances then read the sets from any thread).
 *
 * The identity of a sweep (grid_hash, checked on --resume and merge) is the grid text's
 * SHA-256; gd_problem_files_identity extends it with the content hashes of the files the
 * sweep reads, so a changed file cannot resume into an old output. With no files it is the
 * grid text's hash itself, so existing outputs keep resuming. */
#ifndef GDSWEEP_PROBLEM_FILES_H
#define GDSWEEP_PROBLEM_FILES_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/sha256.h"

struct gd_problem_type;

/* The empty set: what problems without file keys receive. */
#define GD_NO_FILES ((const gd_problem_files *)0)

/* One file, read whole. */
typedef struct gd_problem_file {
    const char *key;             /* the problem's key that names it (static) */
    char *path;                  /* as given, owned by the cache */
    unsigned char *bytes;        /* its content, len bytes (+ a NUL not counted), owned */
    size_t len;
    char hash[GD_SHA256_HEX];    /* SHA-256 of the content, lower-case hex */
} gd_problem_file;

/* The files of one instance's data: one per key of type->file_keys, in that order. */
typedef struct gd_problem_files {
    const struct gd_problem_type *type;
    size_t count;
    gd_problem_file *files;
} gd_problem_files;

/* Every set read so far in this process. Zero-initialise before first use. */
typedef struct gd_problem_files_cache {
    gd_problem_files **sets;
    size_t count, cap;
} gd_problem_files_cache;

/* The set of type t for paths (one per key of t->file_keys, in that order; NULL or unused
 * when t has no file keys): the cached one when the same type and paths were asked before,
 * else read now. Returns 0 with *out set (GD_NO_FILES for a type without file keys), or -1
 * with err filled (file unreadable: usage error; memory: runtime error). */
int gd_problem_files_get(gd_problem_files_cache *c, const struct gd_problem_type *t,
                         const char *const *paths, const gd_problem_files **out,
                         gd_error *err);

/* The file of set f named by key, or NULL (none, or f is GD_NO_FILES). */
const gd_problem_file *gd_problem_files_find(const gd_problem_files *f, const char *key);

/* Frees every set and file of the cache and zeroes it. Safe on a zeroed cache. */
void gd_problem_files_cache_free(gd_problem_files_cache *c);

/* The sweep's identity: grid_hash itself when the sets hold no file, else the SHA-256 of
 * "gdsweep-identity 1\n", grid_hash, "\n", then for each file of each set in order
 * "<type> <key> <content hash>\n" (paths are left out: a moved file is the same data).
 * sets may contain GD_NO_FILES entries, which add nothing. */
void gd_problem_files_identity(const char grid_hash[GD_SHA256_HEX],
                               const gd_problem_files *const *sets, size_t n_sets,
                               char identity[GD_SHA256_HEX]);

#endif
