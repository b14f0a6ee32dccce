/* grid.h - the sweep spec read from grid.ini, and run index -> run parameters.
 *
 * gd_sweep_load parses and validates the whole grid (libinih) before anything runs; every
 * error names file:line and the fix. The grid is never expanded in memory: run i is
 * decoded from i by mixed-radix arithmetic (gd_sweep_decode), so a 10^8-run grid costs
 * nothing. Order of runs (documented in docs/GRID.md):
 *   problem sections in file order; within one: problem-type values (first key slowest),
 *   then repeat, then control values (iterations, gradient, ...), then the optimizer
 *   sections that apply to it in file order, each with its values (first key slowest:
 *   optimizer keys in spec order, schedule, schedule keys).
 * So runs that share a problem instance are consecutive and an instance is identified by
 * (problem section, problem-type values, repeat). */
#ifndef GDSWEEP_GRID_H
#define GDSWEEP_GRID_H

#include <stdint.h>

#include "gdsweep/error.h"
#include "gdsweep/optimizer.h"
#include "gdsweep/param.h"
#include "gdsweep/problem.h"
#include "gdsweep/schedule.h"

#define GD_LABEL_MAX 64
#define GD_PATH_MAX 4096
/* The largest grid text read, in bytes (docs/GRID.md). */
#define GD_GRID_TEXT_MAX (16 << 20)
/* Most rungs of [sweep] rungs. */
#define GD_RUNGS_MAX 16
/* Grids larger than this need --allow-huge. */
#define GD_HUGE_GRID 1000000000ULL

/* Run-control values, swept per problem section like any other key. */
typedef struct gd_run_control {
    long iterations;     /* budget */
    int numeric_gradient;/* 0 analytic, 1 numeric */
    double epsilon;      /* central-difference step */
    double grad_tol;     /* converged when |g| <= grad_tol (0: off) */
    double loss_tol;     /* converged when gap (or loss, if no optimum) <= loss_tol */
    double divergence;   /* diverged when loss > f0 + divergence * (|f0| + 1) */
    int save_final;      /* store the final parameters */
    /* Stochastic runs (docs/GRID.md, "Stochastic runs"): */
    long batch_size;     /* samples per minibatch; 0 or >= the problem's samples: full batch */
    int sampling;        /* GD_SAMPLING_SHUFFLE or GD_SAMPLING_REPLACEMENT */
    double grad_noise;   /* sigma of the Gaussian noise on each gradient component (0: none) */
    double lower, upper; /* box of every coordinate, projected on after each step */
} gd_run_control;

enum { GD_SAMPLING_SHUFFLE, GD_SAMPLING_REPLACEMENT };

/* The spec table of the control keys, in gd_run_control order. */
extern const gd_param_spec gd_control_params[];

/* Positions in gd_control_params (and in the control dims of a problem section). */
enum {
    GD_CONTROL_ITERATIONS, GD_CONTROL_GRADIENT, GD_CONTROL_EPSILON, GD_CONTROL_GRAD_TOL,
    GD_CONTROL_LOSS_TOL, GD_CONTROL_DIVERGENCE, GD_CONTROL_SAVE_FINAL, GD_CONTROL_BATCH_SIZE,
    GD_CONTROL_SAMPLING, GD_CONTROL_GRAD_NOISE, GD_CONTROL_LOWER, GD_CONTROL_UPPER,
    GD_CONTROL_COUNT
};

/* Fills *c from values in gd_control_params order. */
void gd_control_from_values(gd_run_control *c, const double *values);

/* The layout of the run space (swept values, combination counts, where each section's
 * runs start) is private to src/grid/ (grid_internal.h): ask run_space.h. */
struct gd_problem_layout;
struct gd_optimizer_layout;
struct gd_sweep_layout;

typedef struct gd_problem_section {
    char label[GD_LABEL_MAX];
    const gd_problem_type *type;
    int line;
    struct gd_problem_layout *layout; /* private to src/grid/ */
} gd_problem_section;

typedef struct gd_optimizer_section {
    char label[GD_LABEL_MAX];
    const gd_optimizer_type *type;
    int line;
    struct gd_optimizer_layout *layout; /* private to src/grid/ */
    char **problems;         /* labels from `problems =`, or NULL: all */
    size_t n_problems;
} gd_optimizer_section;

typedef struct gd_sweep {
    char path[GD_PATH_MAX];
    char name[GD_LABEL_MAX * 2];
    char output[GD_PATH_MAX];
    char *text;              /* the grid file verbatim */
    size_t text_len;
    char hash[65];           /* sha256 of text, hex */
    /* The sweep's identity (checked on --resume and merge): hash when no problem reads a
     * file, else hash extended by the files' content hashes (gd_sweep_read_files). */
    char identity[65];
    char **file_names;       /* the names GD_PATH values index, as written; [0] is "" */
    size_t n_file_names;
    uint32_t *file_name_slots; /* their index by hash (grid_file_names.c) */
    gd_problem_files_cache *files; /* what the problems read (gd_sweep_read_files) */
    struct gd_plugins *plugins; /* the plugin types its sections load (plugins.h), or NULL */
    uint64_t seed, repeats;
    long record_every;
    int store_data;          /* [sweep] store_data: keep large file arrays (problem.h) */
    /* Successive halving (docs/GRID.md): ETA (0: off), the rung budgets (strictly
     * increasing), and the budget every run decodes with now (the last rung's unless a
     * halving phase set another: halving.h). */
    uint64_t halving;
    long rungs[GD_RUNGS_MAX];
    size_t n_rungs;
    long rung_budget;
    gd_problem_section *problems;
    size_t n_problems;
    gd_optimizer_section *optimizers;
    size_t n_optimizers;
    uint64_t n_runs, n_instances; /* gd_space_runs, gd_space_instances */
    struct gd_sweep_layout *layout; /* private to src/grid/: sections' layouts, applies */
} gd_sweep;

/* Everything one run needs, decoded from its index. */
typedef struct gd_run_desc {
    uint64_t id;
    uint32_t problem, optimizer;   /* section indices */
    uint64_t instance;             /* global instance index */
    uint64_t repeat;
    double problem_params[GD_MAX_PARAMS];   /* problem type's spec order */
    gd_run_control control;
    double optimizer_params[GD_MAX_PARAMS]; /* optimizer type's spec order */
    const gd_schedule_type *schedule;
    double schedule_params[GD_MAX_PARAMS];  /* that schedule's spec order */
    /* The instance's data key (gd_sweep_instance_key), which the worker sets before the
     * run: minibatches and gradient noise are drawn from it (minibatch.h). Zero after
     * gd_sweep_decode. */
    gd_rng_key key;
} gd_run_desc;

/* Reads, parses and validates path. allow_huge: accept grids over GD_HUGE_GRID runs.
 * On error *s is left freed. */
int gd_sweep_load(gd_sweep *s, const char *path, int allow_huge, gd_error *err);

/* Same, from text in memory (path is only used in messages). */
int gd_sweep_parse(gd_sweep *s, const char *path, const char *text, size_t len,
                   int allow_huge, gd_error *err);

void gd_sweep_free(gd_sweep *s);

/* ---- the files the grid names (grid_file_names.c, sweep_files.c) --------------------- */

/* The file name a GD_PATH value stands for, as written in the grid ("" for GD_PATH_NONE). */
const char *gd_sweep_file_name(const gd_sweep *s, double v);

/* Where that name is opened: a relative name is relative to the grid file's directory,
 * so a grid and its data move together. Writes into buf (size bytes); "" for
 * GD_PATH_NONE. Returns 0, or -1 when the path does not fit (buf then holds a part). */
int gd_sweep_file_path(const gd_sweep *s, double v, char *buf, size_t size);

/* Reads every file the grid's GD_PATH keys name, once (each combination of a section's
 * file names is one set, problem_files.h), and sets s->identity. Call it after loading,
 * before anything decodes runs for their instances (the worker, dry-run, merge): without
 * it, s->identity is the grid's hash and a run whose keys name files cannot be set up
 * (runs that name none still can: GD_NO_FILES). Returns 0, or -1
 * with err (a usage error naming the key, the file and the grid line; memory). */
int gd_sweep_read_files(gd_sweep *s, gd_error *err);

/* The files the sweep read, as text for the output file (format.h, GD_ATTR_INPUT_FILES):
 * one line "<index>\t<name>\t<sha256>" per file name; NULL when it reads none (or out
 * of memory: the names then go unrecorded, the identity still holds their hashes).
 * The caller frees it. */
char *gd_sweep_input_files_text(const gd_sweep *s);

/* The names the grid gives its name keys (GD_NAME), as text for the output file (format.h,
 * GD_ATTR_NAMES): one line "<index>\t<name>" per name of the table that some name key
 * gives; NULL when none does (or out of memory). The caller frees it. */
char *gd_sweep_names_text(const gd_sweep *s);

/* The files of run d's instance (read by gd_sweep_read_files); GD_NO_FILES when its
 * problem reads none. */
const gd_problem_files *gd_sweep_files_of(const gd_sweep *s, const gd_run_desc *d);

/* Sets up *p, the instance of run d: its files, its parameter values and its RNG key
 * (gd_sweep_instance_key); without [sweep] store_data = true, the inputs it would store
 * lose the arrays of file values over GD_STORE_DATA_MAX (problem.h). Returns 0, or -1 with
 * err filled and *p zeroed. */
int gd_sweep_setup_instance(const gd_sweep *s, const gd_run_desc *d, gd_problem *p,
                            gd_error *err);

/* The run space (decode run i, counts, groups of runs, swept keys) is run_space.h. */
#include "gdsweep/run_space.h"

#endif
