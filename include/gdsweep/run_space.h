/* run_space.h - the run space of a sweep: run id -> run, counts, and groups of runs.
 *
 * The one door to how run ids are laid out. Callers ask questions (decode run i, how many
 * runs, where the group of runs that share an instance ends, which keys a run's sections
 * sweep); only src/grid/ knows the layout behind them (today the full product of every
 * key's values, grid.h; a sampled design would answer the same queries).
 *
 * Groups. Run ids come in nested groups of consecutive ids, each level inside the one
 * before it: a problem section, a problem setting (values of the problem type's keys),
 * an instance (setting and repeat), a configuration (instance and control values), and a
 * pair stretch (configuration and one optimizer section). Groups of one level in one
 * section are numbered from 0 in id order. A level may be as small as one run each.
 *
 * Every query is pure, allocates nothing and costs O(log sections + optimizer sections)
 * at most. Ids and indices out of range are the caller's error (not checked). */
#ifndef GDSWEEP_RUN_SPACE_H
#define GDSWEEP_RUN_SPACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gdsweep/grid.h"

typedef enum gd_space_level {
    GD_SPACE_SECTION,  /* one problem section */
    GD_SPACE_SETTING,  /* one problem setting of a section */
    GD_SPACE_INSTANCE, /* one problem instance: a setting and a repeat */
    GD_SPACE_CONFIG,   /* one instance under one set of control values */
    GD_SPACE_PAIR      /* one optimizer section within one configuration */
} gd_space_level;

/* Which keys gd_space_key_swept asks about (the run's own sections and schedule). */
typedef enum gd_space_keys {
    GD_KEYS_PROBLEM,   /* key j of the problem type (spec order) */
    GD_KEYS_CONTROL,   /* control key j (gd_control_params order) */
    GD_KEYS_OPTIMIZER, /* key j of the optimizer type (spec order) */
    GD_KEYS_SCHEDULE,  /* the schedule itself (j ignored) */
    GD_KEYS_SCHEDULE_PARAM /* key j of the run's schedule (spec order) */
} gd_space_keys;

/* ---- decode -------------------------------------------------------------------------- */

/* Decodes run id (< gd_space_runs) into *d. Pure; no allocation. */
void gd_sweep_decode(const gd_sweep *s, uint64_t id, gd_run_desc *d);

/* The problem section of run id. */
size_t gd_sweep_section_of(const gd_sweep *s, uint64_t id);

/* The RNG key of the instance of run d. */
gd_rng_key gd_sweep_instance_key(const gd_sweep *s, const gd_run_desc *d);

/* ---- counts (exact, up to 2^64 - 1) -------------------------------------------------- */

uint64_t gd_space_runs(const gd_sweep *s);
uint64_t gd_space_instances(const gd_sweep *s);

/* Runs of problem section p. */
uint64_t gd_space_section_runs(const gd_sweep *s, size_t p);

/* Number of runs of the (problem section p, optimizer section o) pair (0: o does not
 * apply to p). */
uint64_t gd_sweep_pair_runs(const gd_sweep *s, size_t p, size_t o);

/* Number of groups of `level` in section p (GD_SPACE_PAIR: not counted, returns 0). */
uint64_t gd_space_groups(const gd_sweep *s, size_t p, gd_space_level level);

/* ---- groups -------------------------------------------------------------------------- */

/* First run id of group g of `level` in section p; g == gd_space_groups(s, p, level)
 * gives one past the section's last id. Not for GD_SPACE_PAIR. */
uint64_t gd_space_group_first(const gd_sweep *s, size_t p, gd_space_level level, uint64_t g);

/* Index, within its section, of the group of `level` that holds run id. Not for
 * GD_SPACE_PAIR. */
uint64_t gd_space_group_index(const gd_sweep *s, uint64_t id, gd_space_level level);

/* Index, within section p, of the problem setting of instance `instance` (a global
 * instance index of section p, gd_run_desc.instance). */
uint64_t gd_space_instance_setting(const gd_sweep *s, size_t p, uint64_t instance);

/* One past the last run id of the group of `level` that holds run id: with
 * GD_SPACE_INSTANCE the next group of runs with another instance (instance affinity),
 * with GD_SPACE_PAIR the end of the stretch of run id's (problem, optimizer) pair. */
uint64_t gd_space_group_end(const gd_sweep *s, uint64_t id, gd_space_level level);

/* ---- keys ---------------------------------------------------------------------------- */

/* 1 when the sections of run d give key j of `keys` more than one value (the key is
 * swept, so it tells runs apart); 0 otherwise or when j is out of range. */
int gd_space_key_swept(const gd_sweep *s, const gd_run_desc *d, gd_space_keys keys, size_t j);

/* 1 when every value that section `section` (a problem section for GD_KEYS_PROBLEM and
 * GD_KEYS_CONTROL, an optimizer section for GD_KEYS_OPTIMIZER and GD_KEYS_SCHEDULE, whose
 * default is "constant") gives key j is the key's default; 0 otherwise, for
 * GD_KEYS_SCHEDULE_PARAM, or when j is out of range. */
int gd_space_key_all_default(const gd_sweep *s, gd_space_keys keys, size_t section, size_t j);

/* ---- sampled designs (docs/GRID.md, "Sampled keys") ---------------------------------- */

/* The sweep's designs as text for the output file (format.h, GD_ATTR_DESIGN): lines
 * "sampler\tNAME", "samples\tN", "scramble\tWHAT", then one line
 * "<problem|optimizer>\t<label>\t<key>\t<distribution>\t<coordinate>" per sampled key;
 * NULL when no key is sampled (or out of memory). The caller frees it. */
char *gd_sweep_designs_text(const gd_sweep *s);

/* Prints each section's design: sampler, N, scramble, each sampled key's distribution and
 * the keys' values at the first `points` points. Nothing when no key is sampled. */
void gd_print_designs(FILE *out, const gd_sweep *s, uint64_t points);

/* One key of a section as the grid gives it (`--dry-run -v`). */
typedef struct gd_space_key {
    const gd_param_spec *spec;
    const double *values; /* in run order */
    size_t count;
    int line;             /* the grid line that set it (a [sweep] default's); 0: its default */
    char sampled[96];     /* a sampled key: its distribution ("loguniform(1e-05, 0.1)"),
                             values NULL and count the design's points; else "" */
} gd_space_key;

/* Key k of problem section `section` (optimizer 0: its type's keys in spec order, then
 * the control keys) or of optimizer section `section` (optimizer 1: its type's keys,
 * "schedule", then every schedule's keys in union order, grid.h). Returns 1 with *out,
 * or 0 when k is past the last key. */
int gd_space_section_key(const gd_sweep *s, int optimizer, size_t section, size_t k,
                         gd_space_key *out);

/* ---- checks -------------------------------------------------------------------------- */

/* Prints to out one "gdsweep: warning: ..." line per thing in a valid grid that likely
 * means something else: a logspace() whose endpoints look like values, not exponents
 * (0 < |a|, |b| < 1), a schedule key that no schedule of its optimizer section reads,
 * or a list on one that multiplies the runs of a schedule that ignores it. Returns how
 * many it printed. Re-reads the grid text (time linear in it). */
size_t gd_sweep_print_warnings(FILE *out, const gd_sweep *s);

/* Problem settings (type-value combinations) looked at by gd_section_identical_repeats. */
#define GD_REPEAT_CHECK_MAX 100000

/* How many of section p's problem settings have instances that draw nothing at random
 * (the type's `draws`), so that their repeats are identical runs; 0 when the sweep has
 * one repeat. Looks at the first GD_REPEAT_CHECK_MAX settings at most; *checked receives
 * how many it looked at. */
uint64_t gd_section_identical_repeats(const gd_sweep *s, size_t p, uint64_t *checked);

#endif
