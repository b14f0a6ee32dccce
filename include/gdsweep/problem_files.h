/* problem_files.h - the data seam of the problem contract: the files a problem reads.
 *
 * A problem type that reads a user's files declares keys of kind GD_PATH in its spec
 * table (image, data, ...); the grid gives their file names. Whoever sets up instances asks a
 * gd_problem_files_cache for the set of a type and its file names: each file is read whole
 * and hashed (SHA-256 of its bytes) once per process, whatever the keys, sets or instances
 * that name it, and the set is shared, read-only, by every instance, which receives it in
 * setup, dimension and cost. A type without GD_PATH keys, or whose keys name no file, gets
 * GD_NO_FILES (NULL) from the cache at no cost: today's problems.
 *
 * Ownership: the cache owns every set and file it returns until gd_problem_files_cache_free;
 * instances only borrow them (free the instances first). Failure: a file that cannot be
 * opened or read, or is no regular file (gdsweep/path_check.h: a FIFO or a device is
 * refused before any read) or is over GD_PROBLEM_FILE_MAX, fails the lookup with a usage
 * error naming the key and the path, and adds no set. Not thread-safe: one cache per process, used by the thread that sets
 * up instances (instances then read the sets from any thread); a lookup of a set read
 * before only reads the cache.
 *
 * The identity of a sweep (checked on --resume and merge) is the grid text's SHA-256;
 * gd_problem_files_identity extends it with the content hashes of the files the sweep
 * reads, so a changed file cannot resume into an old output. With no files it is the
 * grid text's hash itself, so existing outputs keep resuming. */
#ifndef GDSWEEP_PROBLEM_FILES_H
#define GDSWEEP_PROBLEM_FILES_H

#include <stddef.h>

#include "gdsweep/error.h"
#include "gdsweep/sha256.h"

struct gd_problem_type;

/* The largest file a problem may read (64 GiB): it is held in memory whole. */
#define GD_PROBLEM_FILE_MAX ((size_t)1 << 36)

/* The empty set: what problems without file keys receive. */
#define GD_NO_FILES ((const gd_problem_files *)0)

/* A file's content, shared by every set that names its path (problem_files.c). */
struct gd_file_content;

/* One file, read whole; everything but key is the cache's (one copy per path). */
typedef struct gd_problem_file {
    const char *key;             /* the problem's GD_PATH key that names it (static) */
    const char *path;            /* as opened (the file part of the name given) */
    const char *dataset;         /* "/PATH" of a name FILE.h5:/PATH, else NULL */
    const unsigned char *bytes;  /* its content, len bytes (+ a NUL not counted) */
    size_t len;
    const char *hash;            /* SHA-256 of the content, lower-case hex */
    struct gd_file_content *content; /* where its decoded forms are kept; NULL: none */
} gd_problem_file;

/* Decodes a file's bytes (parses a table, decodes an image): a new object, or NULL with
 * err filled (bad input: usage error; memory: runtime error). */
typedef void *(*gd_file_decoder)(const gd_problem_file *f, gd_error *err);

/* The form of file f that decode makes, made once per file and process (the first call
 * decodes; later calls, from any thread, get the same object; a failure is not kept) and
 * freed with release when the cache is freed: read-only for everyone, so the instances
 * of a large table share one parse. f must come from a cache (f->content). Returns the
 * object, or NULL with err filled. */
const void *gd_problem_file_decoded(const gd_problem_file *f, gd_file_decoder decode,
                                    void (*release)(void *), gd_error *err);

/* The files of one instance's data: one per GD_PATH key of the type that names a file,
 * in spec order; and the names its GD_NAME keys give (which columns or datasets of those
 * files to read: part of the set, so two sets may share files and differ in names). */
typedef struct gd_problem_files {
    const struct gd_problem_type *type;
    size_t count;
    gd_problem_file *files;
    const char *const *names; /* per spec index k: the text GD_NAME key k gives, or NULL */
} gd_problem_files;

/* Every set and file read so far in this process. Zero-initialise before first use. */
typedef struct gd_problem_files_cache {
    gd_problem_files **sets;
    size_t count, cap;
    struct gd_file_content **contents; /* one per path read */
    size_t n_contents, contents_cap;
} gd_problem_files_cache;

/* The length of the file part of a name given to a GD_PATH key: a name FILE:/PATH whose
 * FILE ends in .h5 or .hdf5 (any case) names the dataset /PATH of the HDF5 file FILE, which
 * is the file read and hashed (every dataset of one file: one read, one hash); any other
 * name is the file itself (strlen(name)). */
size_t gd_problem_file_part(const char *name);

/* The number of GD_PATH keys of t, and the key of the k-th (spec order). */
size_t gd_problem_file_key_count(const struct gd_problem_type *t);
const char *gd_problem_file_key(const struct gd_problem_type *t, size_t k);
/* 1 when some GD_PATH key of t names a file in the values pp, else 0. */
int gd_problem_names_a_file(const struct gd_problem_type *t, const double *pp);

/* The set of type t for paths (one per GD_PATH key of t, in spec order, each a name as
 * gd_problem_file_part splits it; an entry NULL: that key names no file; paths NULL: none
 * does) and names (one per spec index of t, the text
 * of each GD_NAME key, NULL where none is given or the key is no name key; names NULL: no
 * name given): the cached one when the same type, paths and names were asked before, else
 * read now (a path read before is not read again). Returns 0 with *out set (GD_NO_FILES
 * when no key names a file, whatever the names), or -1 with err filled (file unreadable:
 * usage error; memory: runtime error). */
int gd_problem_files_get_named(gd_problem_files_cache *c, const struct gd_problem_type *t,
                               const char *const *paths, const char *const *names,
                               const gd_problem_files **out, gd_error *err);

/* gd_problem_files_get_named with no name given. */
int gd_problem_files_get(gd_problem_files_cache *c, const struct gd_problem_type *t,
                         const char *const *paths, const gd_problem_files **out,
                         gd_error *err);

/* The set of type t for paths and names (as for gd_problem_files_get_named) if the cache
 * holds it, else NULL; never reads a file nor changes the cache (safe beside other
 * lookups). */
const gd_problem_files *gd_problem_files_find_set(const gd_problem_files_cache *c,
                                                  const struct gd_problem_type *t,
                                                  const char *const *paths,
                                                  const char *const *names);

/* The file of set f named by key, or NULL (that key names no file, or f is GD_NO_FILES). */
const gd_problem_file *gd_problem_files_find(const gd_problem_files *f, const char *key);

/* The text set f's GD_NAME key `key` gives, or NULL (none given, no such key, or f is
 * GD_NO_FILES): the type then uses its default. */
const char *gd_problem_files_name(const gd_problem_files *f, const char *key);

/* The content hash of the file read from path (a name FILE.h5:/PATH: FILE's), or NULL when
 * the cache has not read it. */
const char *gd_problem_files_hash_of(const gd_problem_files_cache *c, const char *path);

/* Frees every set and file of the cache and zeroes it. Safe on a zeroed cache. */
void gd_problem_files_cache_free(gd_problem_files_cache *c);

/* The sweep's identity: grid_hash itself when the sets hold no file, else the SHA-256 of
 * "gdsweep-identity 1\n", grid_hash, then for each file of each set in order
 * "\n<type> <key> <content hash>", then "\n" (paths are left out: a moved file is the same
 * data).
 * sets may contain GD_NO_FILES entries, which add nothing. */
void gd_problem_files_identity(const char grid_hash[GD_SHA256_HEX],
                               const gd_problem_files *const *sets, size_t n_sets,
                               char identity[GD_SHA256_HEX]);

#endif
