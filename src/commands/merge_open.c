/* merge_open.c - opening the files to merge and checking that they belong together.
 *
 * Every check a merge makes about its inputs' identity happens here, before anything is
 * written: each file opens as gdsweep's (the reader's messages), all hold one grid (the
 * grid_hash attribute; a mismatch names both files and the first differing line), one
 * split (shard_count), each shard index once. The grid stored in the files is parsed
 * again, and every column and dataset the merge reads must be there. gd_merge_close
 * releases whatever was opened, also after a failure part way. */
#include "merge_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/columns.h"
#include "gdsweep/selection.h"
#include "gdsweep/store.h"
#include "gdsweep/summary.h"
#include "gdsweep/text_diff.h"

const char *const gd_merge_fixed_columns[GD_MC_TARGETS] = {
    "traj_offset", "traj_count",   "path_offset", "path_count",      "path_dim",
    "final_offset", "final_count", "status_code", "steps",           "loss_initial",
    "loss_final",  "loss_best",    "grad_norm_final", "gap",         "loss_evals",
    "grad_evals",  "monitor_loss_evals", "monitor_grad_evals", "wall_seconds", "rank",
    "threads",     "samples_seen", "epochs"};


static const char *name_of(const gd_merge_input *in)
{
    return gd_reader_path(in->reader);
}

/* ---- one grid ---------------------------------------------------------------------- */

/* Where attribute `name` (text) first differs between a and b, into diff; 0 when equal. */
static int attr_difference(gd_merge_input *a, gd_merge_input *b, const char *name,
                           char *diff, size_t size)
{
    char *ta = NULL, *tb = NULL;
    gd_error ignored;
    gd_reader_attr_text(a->reader, name, &ta, &ignored);
    gd_reader_attr_text(b->reader, name, &tb, &ignored);
    int differ = gd_text_first_difference(ta ? ta : "", name_of(a), tb ? tb : "", name_of(b),
                                          diff, size);
    free(ta);
    free(tb);
    return differ;
}

/* "a.h5 and b.h5 come from different grids (line 3 is ... in a.h5 and ... in b.h5)", or
 * from different contents of the files one grid names. */
static int different_grids(gd_merge_input *a, gd_merge_input *b, gd_error *err)
{
    char diff[512];
    const char *what = "different grids";
    if (!attr_difference(a, b, GD_ATTR_GRID_TEXT, diff, sizeof diff)) {
        attr_difference(a, b, GD_ATTR_INPUT_FILES, diff, sizeof diff);
        what = "different contents of their grid's files";
    }
    return gd_fail(err, "%s and %s come from %s (%s); merge the shards of one grid",
                   name_of(a), name_of(b), what, diff);
}

/* The series the file does not store (format 3), from its traj_implicit attribute. */
static int read_implicit(gd_merge_input *in, gd_error *err)
{
    char *text = NULL;
    in->implicit = 0;
    if (!gd_reader_has_attr(in->reader, GD_ATTR_TRAJ_IMPLICIT))
        return 0;
    if (gd_reader_attr_text(in->reader, GD_ATTR_TRAJ_IMPLICIT, &text, err) < 0)
        return -1;
    int rc = gd_traj_implicit_parse(text, &in->implicit);
    free(text);
    return rc < 0 ? gd_fail(err, "%s: its %s attribute names a series this gdsweep does not "
                            "know (a newer gdsweep's file?); merge it with that gdsweep",
                            name_of(in), GD_ATTR_TRAJ_IMPLICIT)
                  : 0;
}

/* Opens path into in; fails unless its identity is *identity (set from the first file). */
static int open_input(gd_merge *m, size_t i, const char *path, char **identity,
                      gd_error *err)
{
    char *h = NULL;
    gd_merge_input *in = &m->in[i];
    double version = NAN;
    if (gd_reader_open(&in->reader, path, err) < 0 ||
        gd_reader_attr_number(in->reader, GD_ATTR_FORMAT_VERSION, &version, err) < 0 ||
        gd_store_check_format(path, version, "merge", err) < 0 ||
        read_implicit(in, err) < 0 || gd_reader_identity(in->reader, &h, err) < 0)
        return -1;
    int same = !*identity || strcmp(h, *identity) == 0;
    if (!*identity)
        *identity = h;
    else
        free(h);
    return same ? 0 : different_grids(&m->in[0], in, err);
}

/* Opens every input; *identity receives their common identity. */
static int open_inputs(gd_merge *m, const char *const *paths, char **identity, gd_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n; i++)
        rc = open_input(m, i, paths[i], identity, err);
    return rc;
}

/* Parses the first file's grid (checked against its grid_hash and row count) and reads
 * the files it names, which must still be those the inputs were made from: merge
 * regenerates instances from them. */
static int load_grid(gd_merge *m, const char *identity, gd_error *err)
{
    gd_reader *r = m->in[0].reader;
    if (gd_summary_load_grid(r, &m->sweep, err) < 0 ||
        gd_reader_attr_text(r, GD_ATTR_GRID_PATH, &m->grid_path, err) < 0 ||
        gd_sweep_read_files(&m->sweep, err) < 0)
        return -1;
    if (strcmp(identity, m->sweep.identity) == 0)
        return 0;
    return gd_fail(err, "the files %s names have changed since %s was written (%s lists "
                   "their hashes); merge with the files the sweep read", m->grid_path,
                   name_of(&m->in[0]), GD_ATTR_INPUT_FILES);
}

/* ---- one split ----------------------------------------------------------------------- */

static int read_split(gd_merge_input *in, gd_error *err)
{
    return gd_reader_shard(in->reader, &in->shard, &in->shards, err);
}

static int by_shard(const void *a, const void *b)
{
    uint64_t x = ((const gd_merge_input *)a)->shard, y = ((const gd_merge_input *)b)->shard;
    return (x > y) - (x < y);
}

/* One shard count; each index once (checked after sorting by index). */
static int check_split(gd_merge *m, gd_error *err)
{
    for (size_t i = 0; i < m->n; i++) {
        if (read_split(&m->in[i], err) < 0)
            return -1;
        if (m->in[i].shards != m->in[0].shards)
            return gd_fail(err, "%s is shard %llu/%llu but %s is shard %llu/%llu: the shard "
                           "counts differ; merge the files of one --shard K/N split",
                           name_of(&m->in[0]), (unsigned long long)m->in[0].shard + 1,
                           (unsigned long long)m->in[0].shards, name_of(&m->in[i]),
                           (unsigned long long)m->in[i].shard + 1,
                           (unsigned long long)m->in[i].shards);
    }
    qsort(m->in, m->n, sizeof *m->in, by_shard);
    for (size_t i = 1; i < m->n; i++)
        if (m->in[i].shard == m->in[i - 1].shard)
            return gd_fail(err, "%s and %s are both shard %llu/%llu; give each shard once",
                           name_of(&m->in[i - 1]), name_of(&m->in[i]),
                           (unsigned long long)m->in[i].shard + 1,
                           (unsigned long long)m->in[i].shards);
    m->shards = m->in[0].shards;
    m->group = gd_shard_group(m->sweep.n_runs, m->shards);
    return 0;
}

static int by_key(const void *key, const void *elem)
{
    uint64_t k = *(const uint64_t *)key, s = ((const gd_merge_input *)elem)->shard;
    return (k > s) - (k < s);
}

gd_merge_input *gd_merge_input_of_shard(const gd_merge *m, uint64_t k)
{
    return bsearch(&k, m->in, m->n, sizeof *m->in, by_key);
}

/* ---- what the merge reads -------------------------------------------------------------- */

/* Index of the problem type in the registry the columns were built from. */
static size_t type_index(const gd_columns *c, const gd_problem_type *t)
{
    size_t i = 0;
    while (i < c->n_problem_types && c->reg.problems[i] != t)
        i++;
    return i;
}

/* Adds the metric column of section p's type (once per name); SIZE_MAX when none. */
static int add_metric(gd_merge *m, const gd_columns *c, size_t p, gd_error *err)
{
    size_t t = type_index(c, m->sweep.problems[p].type), k = GD_MC_FIXED;
    m->metric_of[p] = SIZE_MAX;
    if (t == c->n_problem_types || c->metric_col[t] == SIZE_MAX)
        return 0;
    const char *name = c->col[c->metric_col[t]].name;
    while (k < m->n_columns && strcmp(m->columns[k], name) != 0)
        k++;
    if (k == m->n_columns && !(m->columns[m->n_columns++] = strdup(name)))
        return gd_fail_runtime(err, "out of memory");
    m->metric_of[p] = k;
    return 0;
}

static int plan_columns(gd_merge *m, gd_error *err)
{
    gd_columns c;
    size_t np = m->sweep.n_problems;
    m->columns = calloc(GD_MC_FIXED + np, sizeof *m->columns);
    m->metric_of = calloc(np ? np : 1, sizeof *m->metric_of);
    if (!m->columns || !m->metric_of)
        return gd_fail_runtime(err, "out of memory");
    memcpy(m->columns, gd_merge_fixed_columns, sizeof gd_merge_fixed_columns);
    for (int kind = 0; kind < GD_TARGET_KINDS; kind++)
        for (size_t k = 0; k < GD_TARGETS; k++)
            m->columns[GD_MC_TARGETS + kind * GD_TARGETS + k] = gd_target_column_name(kind, k);
    m->n_columns = GD_MC_FIXED;
    if (gd_columns_build_sweep(&c, &m->sweep, err) < 0)
        return -1;
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < np; p++)
        rc = add_metric(m, &c, p, err);
    gd_columns_free(&c);
    return rc;
}

static int has_number_column(gd_merge_input *in, const char *name, gd_error *err)
{
    if (gd_reader_has_column(in->reader, name) && gd_reader_column_width(in->reader, name) == 0)
        return 0;
    return gd_fail(err, "%s: the runs table has no numeric column '%s' (written by another "
                   "gdsweep version?)", name_of(in), name);
}

/* Row count, columns and series of one file; its wall time. */
static int check_contents(gd_merge *m, gd_merge_input *in, gd_error *err)
{
    uint64_t rows = gd_reader_rows(in->reader);
    if (rows != m->sweep.n_runs)
        return gd_fail(err, "%s: the runs table has %llu rows but its grid has %llu runs "
                       "(corrupt file?)", name_of(in), (unsigned long long)rows,
                       (unsigned long long)m->sweep.n_runs);
    if (has_number_column(in, GD_COL_WRITTEN, err) < 0)
        return -1;
    for (size_t k = 0; k < m->n_columns; k++)
        if (has_number_column(in, m->columns[k], err) < 0)
            return -1;
    for (int s = 0; s < GD_SERIES_COUNT; s++) {
        in->len[s] = UINT64_MAX;
        if (!(in->implicit & GD_TRAJ_BIT(s)) &&
            gd_reader_series_length(in->reader, gd_series_table[s].name, &in->len[s],
                                    err) < 0)
            return -1;
    }
    double wall = 0;
    gd_error ignored;
    if (gd_reader_attr_number(in->reader, GD_ATTR_WALL_SECONDS, &wall, &ignored) == 0 &&
        wall > m->wall_seconds)
        m->wall_seconds = wall;
    return 0;
}

int gd_merge_open(gd_merge *m, const char *const *paths, size_t n, gd_error *err)
{
    memset(m, 0, sizeof *m);
    if (n == 0)
        return gd_fail(err, "no shard files to merge");
    m->in = calloc(n, sizeof *m->in);
    if (!m->in)
        return gd_fail_runtime(err, "out of memory opening %zu files", n);
    m->n = n;
    char *identity = NULL;
    int rc = open_inputs(m, paths, &identity, err);
    if (rc == 0)
        rc = load_grid(m, identity, err);
    free(identity);
    if (rc == 0)
        rc = check_split(m, err);
    if (rc == 0)
        rc = plan_columns(m, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = check_contents(m, &m->in[i], err);
    if (rc < 0)
        gd_merge_close(m);
    return rc;
}

void gd_merge_close(gd_merge *m)
{
    for (size_t i = 0; m->in && i < m->n; i++)
        gd_reader_close(m->in[i].reader);
    for (size_t k = GD_MC_FIXED; m->columns && k < m->n_columns; k++)
        free((void *)m->columns[k]);
    free(m->columns);
    free(m->metric_of);
    free(m->in);
    free(m->grid_path);
    gd_sweep_free(&m->sweep);
    memset(m, 0, sizeof *m);
}
