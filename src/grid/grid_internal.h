/* grid_internal.h - what src/grid/ shares: the run-space layout, raw INI entries, helpers.
 *
 * Not a public header: only the files of src/grid/ (and white-box grid tests) include it.
 * The layout structs below are what run_space.h's queries read; nobody outside src/grid/
 * sees them (grid.h holds only opaque pointers). The grid is read in two steps:
 * grid_parse.c turns the text into raw sections and (key, value, line) entries through
 * libinih, then grid_build.c validates them into a gd_sweep. Every helper here reports
 * failure as -1 with err filled; messages carry PATH:LINE where a line applies. */
#ifndef GDSWEEP_GRID_INTERNAL_H
#define GDSWEEP_GRID_INTERNAL_H

#include <stddef.h>

#include "gdsweep/grid.h"
#include "design.h"

/* Largest number of values one key may list. */
#define GD_GRID_LIST_MAX 10000000ULL
/* Largest number of values all the grid's lists hold together (128 MiB of doubles), so
 * that a few bytes of linspace() in many sections cannot take the machine's memory. */
#define GD_GRID_VALUES_MAX (1ULL << 24)
/* Largest number of (problem section, optimizer section) pairs: the applies matrix takes
 * a byte each, so that a grid of 10^5 x 10^5 short sections cannot take 10 GB. */
#define GD_GRID_PAIRS_MAX (1ULL << 24)
/* Largest number of distinct file names a grid may give (GD_PATH values), and of sets of
 * files one section's file keys may combine into (each set is read and checked). */
#define GD_GRID_FILE_NAMES_MAX 4096
#define GD_GRID_FILE_SETS_MAX 65536
/* Largest number of distinct keys in the union of every schedule's keys. */
#define GD_GRID_SCHEDULE_KEYS_MAX 64
/* Largest number of dims of an optimizer section (params, schedule, schedule keys). */
#define GD_GRID_OPT_DIMS_MAX (GD_MAX_PARAMS + 1 + GD_GRID_SCHEDULE_KEYS_MAX)

/* ---- the layout of the full grid (what run_space.h's queries read) ------------------ */

/* One swept key: its spec and the list of values it takes. */
typedef struct gd_dim {
    const gd_param_spec *spec;
    const double *values; /* never written once set */
    size_t count;
    int line;            /* grid line that set it (0: default) */
    int borrowed;        /* values belong to another dim (a [sweep] list) or to the spec
                            (a default): not freed here */
    struct gd_sample *sample; /* a sampled key (grid_sample.c), owned; NULL for a list */
} gd_dim;

/* ---- sampled keys (grid_sample.c) ----------------------------------------------------- */

struct gd_grid_pool;

enum { GD_DIST_UNIFORM, GD_DIST_LOGUNIFORM, GD_DIST_INTUNIFORM, GD_DIST_CHOICE };

/* A sampled key: its distribution and where its values come from. Its dim's values point
 * at span (the arguments: a and b, or the choices), its count is the design's N for the
 * design's first key and 1 for the others (gd_grid_dim_listed gives span's length). */
typedef struct gd_sample {
    int dist;                /* GD_DIST_* */
    double a, b;             /* bounds (not for choice) */
    double *span;            /* the arguments as values of the key, owned */
    size_t n_span;
    const gd_design *design; /* the section's design, index = its coordinate */
    size_t index;
} gd_sample;

/* [sweep] sampler and samples, and what attaching designs needs. */
typedef struct gd_grid_sampling {
    gd_sampler sampler;
    uint64_t samples;        /* 0: not given */
    uint64_t seed;
    const char *path;
    size_t designs;          /* designs attached so far */
} gd_grid_sampling;

/* 1 when text is a distribution (a name from uniform, loguniform, intuniform, choice and
 * '('), which gd_grid_sample_parse reads instead of gd_grid_values. */
int gd_grid_sample_text(const char *text);
/* Makes dim a sampled key of spec from text; on failure dim stays freeable. */
int gd_grid_sample_parse(gd_dim *dim, const gd_param_spec *spec, const char *text,
                         struct gd_grid_pool *pool, gd_error *err);
void gd_grid_sample_free(gd_sample *s);
/* The key's value at design point k. */
double gd_grid_sample_value(const gd_sample *s, uint64_t k);
/* "loguniform(1e-05, 0.1)" or "choice(constant, cosine)": numbers that read back exactly. */
void gd_grid_sample_describe(const gd_sample *s, const gd_param_spec *spec, char *buf,
                             size_t size);
/* The section's design over its sampled dims, all of which must lie in [0, sampleable)
 * (located error otherwise, and when [sweep] samples is missing); *out NULL when none is
 * sampled, else owned by the caller. `what` keys its random words ("design/KIND/LABEL"). */
int gd_grid_design_attach(gd_grid_sampling *setup, gd_dim *dims, size_t n, size_t sampleable,
                          const char *what, gd_design **out, gd_error *err);

/* How many values dim's values array holds (a sampled key's arguments). */
static inline size_t gd_grid_dim_listed(const gd_dim *dim)
{
    return dim->sample ? dim->sample->n_span : dim->count;
}

/* A problem section's dims and where its runs lie (gd_problem_section.layout). */
typedef struct gd_problem_layout {
    gd_dim *dims;            /* type params (spec order), then control keys */
    size_t n_type_dims, n_dims;
    uint64_t type_combos;    /* product of type-param counts */
    uint64_t control_combos; /* product of control-key counts */
    uint64_t optimizer_span; /* runs per (instance, control combo): the applicable
                                optimizer sections' combos, summed */
    uint64_t first_run;      /* global index of this section's first run */
    uint64_t n_runs;
    uint64_t first_instance; /* global index of this section's first instance */
    gd_design *design;       /* of its sampled type keys, or NULL (grid_sample.c) */
} gd_problem_layout;

/* An optimizer section's dims (gd_optimizer_section.layout). */
typedef struct gd_optimizer_layout {
    gd_dim *dims;            /* optimizer params, "schedule", then every schedule key */
    size_t n_opt_dims, n_dims;
    uint64_t combos;
    gd_design *design;       /* of its sampled keys, or NULL (grid_sample.c) */
} gd_optimizer_layout;

/* The sweep's layout (gd_sweep.layout): owns the sections' layouts. */
typedef struct gd_sweep_layout {
    gd_problem_layout *problems;     /* [n_problems] */
    gd_optimizer_layout *optimizers; /* [n_optimizers] */
    unsigned char *applies;  /* [problem * n_optimizers + optimizer] */
    /* Schedule k's j-th key is union key schedule_keys[k * GD_MAX_PARAMS + j], i.e. the
     * optimizer dim n_opt_dims + 1 + that (the union of every schedule's keys follows
     * "schedule" in every optimizer section). Lets decoding skip key lookups. */
    unsigned char *schedule_keys;
    size_t n_schedule_keys;
} gd_sweep_layout;

typedef enum { GD_SECTION_SWEEP, GD_SECTION_PROBLEM, GD_SECTION_OPTIMIZER } gd_section_kind;

typedef struct gd_grid_entry {
    char *key;
    char *value;     /* continuation lines already joined */
    size_t len, cap; /* strlen(value) and the bytes allocated (joining doubles them) */
    int line;        /* line of the key */
    int last_line;   /* its last continuation line (line when it has none) */
} gd_grid_entry;

typedef struct gd_grid_section {
    gd_section_kind kind;
    char label[GD_LABEL_MAX]; /* "" for [sweep] */
    int line;
    gd_grid_entry *entries;   /* file order */
    size_t n_entries, cap;
} gd_grid_section;

typedef struct gd_grid_raw {
    gd_grid_section *sections; /* file order */
    size_t n_sections, cap;
} gd_grid_raw;

/* grid_load.c: -1 with err "PATH: interrupted ..." (exit 3) once SIGINT or SIGTERM came
 * (gdsweep/interrupt.h); 0 otherwise. Reading checks it between phases and every
 * GD_GRID_STOP_LINES lines, so that a signal stops even a 16 MiB grid within moments. */
#define GD_GRID_STOP_LINES 4096
int gd_grid_check_stop(const char *path, gd_error *err);

/* grid_parse.c: text -> raw sections. On error raw is left freed. */
int gd_grid_read(gd_grid_raw *raw, const char *path, const char *text, size_t len,
                 gd_error *err);
void gd_grid_raw_free(gd_grid_raw *raw);
/* The entry of key in sec, or NULL (a scan: for the few known keys of a built section). */
const gd_grid_entry *gd_grid_entry_find(const gd_grid_section *sec, const char *key);

/* grid_names.c: the parse's O(1) index of section names and of each section's keys. */
typedef struct gd_grid_names {
    struct gd_grid_name_slot *slots;
    size_t n_slots, n_used;
} gd_grid_names;
/* Index + 1 of the section (kind, label) in raw, or 0. */
size_t gd_grid_names_section(const gd_grid_names *names, const gd_grid_raw *raw, int kind,
                             const char *label);
/* Index + 1 of the entry named key in raw's section `section`, or 0. */
size_t gd_grid_names_entry(const gd_grid_names *names, const gd_grid_raw *raw, size_t section,
                           const char *key);
/* Indexes raw's section `section` (entry_plus1 0) or its entry entry_plus1 - 1, which
 * must already be in raw and not yet indexed. -1 when out of memory. */
int gd_grid_names_add(gd_grid_names *names, const gd_grid_raw *raw, size_t section,
                      size_t entry_plus1);
void gd_grid_names_free(gd_grid_names *names);

/* What value lists draw on while a grid is read: the budget of values (GD_GRID_VALUES_MAX
 * at the start) and the sweep, whose table of file names GD_PATH values index. */
typedef struct gd_grid_pool {
    uint64_t values_left;
    gd_sweep *sweep;
} gd_grid_pool;

/* grid_file_names.c: the index of the file name text[0..len) in the sweep's table, added
 * when new (the table starts with "" for GD_PATH_NONE). Message without location. */
int gd_grid_file_name(gd_sweep *s, const char *key, const char *text, size_t len,
                      double *index, gd_error *err);
void gd_grid_file_names_free(gd_sweep *s);
/* sweep_files.c: frees the files the sweep read. */
void gd_grid_files_free(gd_sweep *s);

/* grid_values.c: value lists. Messages carry no location. */
/* Calls item(text, len, ctx) for each comma-separated item (commas inside parentheses do
 * not split), with surrounding blanks trimmed; fails on an empty item or unbalanced
 * parentheses. `what` (the key) starts each message. */
int gd_grid_split(const char *text, const char *what,
                  int (*item)(const char *, size_t, void *), void *ctx, gd_error *err);
/* Parses text as the values of spec into dim (replacing its values), counting them
 * against the pool's budget before anything is allocated; file names go into the pool's
 * sweep. */
int gd_grid_values(gd_dim *dim, const gd_param_spec *spec, const char *text,
                   gd_grid_pool *pool, gd_error *err);

/* grid_halving.c: [sweep] halving and rungs into s (0 when absent), checked against raw
 * (no iterations key anywhere). Usage error naming the line. */
int gd_grid_halving_read(gd_sweep *s, const gd_grid_raw *raw, gd_error *err);

/* grid_dims.c: dims and located errors. */
/* Formats "PATH:LINE: msg" (or "PATH: msg" when line is 0) as a usage error. */
int gd_grid_fail_at(gd_error *err, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefixes the message already in err with "PATH:LINE: ". Returns -1. */
int gd_grid_locate(gd_error *err, const char *path, int line);
/* One value, spec's default (borrowed from the spec: nothing to allocate, cannot fail). */
void gd_grid_dim_default(gd_dim *dim, const gd_param_spec *spec);
/* dst = src's values without copying them; dst does not free them. */
void gd_grid_dim_borrow(gd_dim *dst, const gd_dim *src);
void gd_grid_dims_free(gd_dim *dims, size_t n);
/* Index of the dim named key, or -1. */
int gd_grid_dim_find(const gd_dim *dims, size_t n, const char *key);
/* Sets the dims named by sec's entries from their values; entries whose key is in
 * `special` (NULL-terminated) are left to the caller; any other key is an error that
 * lists the known keys. `what` names the section in messages. */
int gd_grid_dims_fill(gd_dim *dims, size_t n, const gd_grid_section *sec,
                      const char *const *special, const char *path, gd_grid_pool *pool,
                      gd_error *err);
/* Product of the dims' counts; -1 on overflow past 2^64-1. */
int gd_grid_combos(const gd_dim *dims, size_t n, uint64_t *out);
/* Checked a * b and a + b on uint64; return -1 on overflow. */
int gd_grid_mul(uint64_t a, uint64_t b, uint64_t *out);
int gd_grid_add(uint64_t a, uint64_t b, uint64_t *out);
/* Writes values[k] = dims[k].values[digit k] for combination c (first dim slowest); a
 * sampled key's value at the design point its first key's digit gives. */
void gd_grid_dims_decode(const gd_dim *dims, size_t n, uint64_t c, double *values);

/* grid_build.c: raw -> sweep (sections and dims). */
int gd_grid_build(gd_sweep *s, const gd_grid_raw *raw, gd_error *err);

/* grid_plugin.c: the type of a `type = plugin` section, loaded into s->plugins. */
int gd_grid_plugin_type(gd_sweep *s, const gd_grid_section *sec, const gd_problem_type **t,
                        gd_error *err);

/* grid_link.c: applicability, run counts, cross-checks. */
int gd_grid_link(gd_sweep *s, const gd_grid_raw *raw, int allow_huge, gd_error *err);
/* The numeric gradient's dimension limit for the combination pp of section ps, whose
 * instances read `files`: with GD_NO_FILES (before the files are read) a combination that
 * names a file passes, and gd_sweep_read_files checks it with its files. Located error. */
int gd_grid_check_numeric_dimension(const gd_sweep *s, const gd_problem_section *ps,
                                    const gd_problem_files *files, const double *pp,
                                    gd_error *err);

/* control_check.c: section ps's stochastic control keys (batch_size on a type without
 * minibatches, an empty box [lower, upper]). Located error. */
int gd_grid_check_control(const gd_sweep *s, const gd_problem_section *ps, gd_error *err);

#endif
