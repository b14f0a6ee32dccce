/* merge_scan.c - which file holds each run, and the runs that no file holds.
 *
 * The runs table of every file is read a block of ids at a time: its `written` column
 * says which rows the file holds (a run in two files is refused), and the storage
 * columns of the held rows must point inside the file's datasets and agree with the
 * grid (a record count within the run's budget, a path of whole records, a final point
 * of the problem's dimension), so that the copy that follows reads only what exists and
 * its memory follows from the grid. Memory: a few arrays of GD_READER_BLOCK entries. */
#include "merge_internal.h"

#include <stdlib.h>

#include "gdsweep/run.h"
#include "gdsweep/selection.h"

/* owner[i] = index of the file holding run first + i, -1 when none. */
static int find_owners(gd_merge *m, uint64_t first, uint64_t n, long *owner,
                       double *written, gd_error *err)
{
    for (uint64_t i = 0; i < n; i++)
        owner[i] = -1;
    for (size_t f = 0; f < m->n; f++) {
        if (gd_reader_column_f64(m->in[f].reader, GD_COL_WRITTEN, first, n, written, err) < 0)
            return -1;
        for (uint64_t i = 0; i < n; i++) {
            if (written[i] != 1)
                continue;
            if (owner[i] >= 0)
                return gd_fail(err, "run %llu is written in both %s and %s; each run must "
                               "come from one file: give each shard once",
                               (unsigned long long)(first + i),
                               gd_reader_path(m->in[owner[i]].reader),
                               gd_reader_path(m->in[f].reader));
            owner[i] = (long)f;
        }
    }
    return 0;
}

int gd_merge_segments(gd_merge *m, gd_merge_segment_fn fn, void *ctx, gd_error *err)
{
    long *owner = malloc(GD_READER_BLOCK * sizeof *owner);
    double *written = malloc(GD_READER_BLOCK * sizeof *written);
    int rc = owner && written ? 0 : gd_fail_runtime(err, "out of memory reading the files");
    for (uint64_t first = 0; rc == 0 && first < m->sweep.n_runs; first += GD_READER_BLOCK) {
        uint64_t n = m->sweep.n_runs - first, i = 0, j;
        n = n < GD_READER_BLOCK ? n : GD_READER_BLOCK;
        rc = find_owners(m, first, n, owner, written, err);
        for (; rc == 0 && i < n; i = j) {
            for (j = i + 1; j < n && owner[j] == owner[i]; j++)
                ;
            rc = fn(m, ctx, owner[i], first + i, j - i, err);
        }
    }
    free(owner);
    free(written);
    return rc;
}

/* ---- the held rows ----------------------------------------------------------------------- */

static int inside(double off, double count, uint64_t len)
{
    return off >= 0 && count >= 0 && off <= (double)len && count <= (double)len - off;
}

/* Row c (the storage columns) of run id in file in is consistent. */
static int row_ok(const gd_merge *m, const gd_merge_input *in, uint64_t id, const double *c)
{
    gd_run_desc d;
    gd_sweep_decode(&m->sweep, id, &d);
    const gd_problem_type *t = m->sweep.problems[d.problem].type;
    double records = (double)gd_history_records(d.control.iterations, m->sweep.record_every);
    const gd_problem_files *files = gd_sweep_files_of(&m->sweep, &d);
    double dim = d.control.save_final ? (double)t->dimension(files, d.problem_params) : 0;
    uint64_t traj = UINT64_MAX;
    for (int s = 0; s < GD_RECORD_SERIES_COUNT; s++)
        traj = in->len[s] < traj ? in->len[s] : traj;
    return inside(c[GD_MC_TRAJ_OFFSET], c[GD_MC_TRAJ_COUNT], traj) &&
           c[GD_MC_TRAJ_COUNT] <= records && c[GD_MC_PATH_DIM] <= GD_PATH_MAX_DIM &&
           c[GD_MC_PATH_COUNT] == c[GD_MC_TRAJ_COUNT] * c[GD_MC_PATH_DIM] &&
           inside(c[GD_MC_PATH_OFFSET], c[GD_MC_PATH_COUNT], in->len[GD_SERIES_path]) &&
           c[GD_MC_FINAL_COUNT] == dim &&
           inside(c[GD_MC_FINAL_OFFSET], c[GD_MC_FINAL_COUNT], in->len[GD_SERIES_final]);
}

static int check_held(gd_merge *m, gd_merge_input *in, double *cells, uint64_t first,
                      uint64_t count, gd_error *err)
{
    if (gd_reader_columns_f64(in->reader, gd_merge_fixed_columns, GD_MC_STORAGE, first, count,
                              cells, err) < 0)
        return -1;
    for (uint64_t i = 0; i < count; i++)
        if (!row_ok(m, in, first + i, cells + i * GD_MC_STORAGE))
            return gd_fail(err, "%s: the stored records of run %llu do not fit its datasets "
                           "or its grid (corrupt file?)", gd_reader_path(in->reader),
                           (unsigned long long)(first + i));
    return 0;
}

/* ---- the missing runs -------------------------------------------------------------------- */

static void add_range(gd_merge *m, uint64_t first, uint64_t last)
{
    if (m->n_ranges && m->ranges[m->n_ranges - 1][1] + 1 == first && !m->more_ranges) {
        m->ranges[m->n_ranges - 1][1] = last;
    } else if (m->n_ranges < GD_MERGE_LISTED) {
        m->ranges[m->n_ranges][0] = first;
        m->ranges[m->n_ranges++][1] = last;
    } else {
        m->more_ranges = 1;
    }
}

/* Notes runs [first, first + count) as missing, and the given files they belong to as
 * incomplete (one look-up per group of ids: a group belongs to one shard). */
static void note_missing(gd_merge *m, uint64_t first, uint64_t count)
{
    m->missing += count;
    add_range(m, first, first + count - 1);
    for (uint64_t id = first; id < first + count; id = (id / m->group + 1) * m->group) {
        gd_merge_input *in = gd_merge_input_of_shard(m, gd_shard_of(id, m->group, m->shards));
        if (in)
            in->incomplete = 1;
    }
}

static int scan_segment(gd_merge *m, void *ctx, long owner, uint64_t first, uint64_t count,
                        gd_error *err)
{
    if (owner >= 0)
        return check_held(m, &m->in[owner], ctx, first, count, err);
    note_missing(m, first, count);
    return 0;
}

int gd_merge_scan(gd_merge *m, gd_error *err)
{
    double *cells = malloc(GD_READER_BLOCK * GD_MC_STORAGE * sizeof *cells);
    if (!cells)
        return gd_fail_runtime(err, "out of memory reading the files");
    m->missing = 0;
    m->n_ranges = 0;
    m->more_ranges = 0;
    int rc = gd_merge_segments(m, scan_segment, cells, err);
    free(cells);
    return rc;
}

uint64_t gd_merge_absent_shards(const gd_merge *m, uint64_t first[GD_MERGE_LISTED])
{
    uint64_t groups = (m->sweep.n_runs + m->group - 1) / m->group, given = 0, listed = 0;
    uint64_t owning = groups < m->shards ? groups : m->shards; /* shards with runs */
    size_t i = 0;
    for (uint64_t k = 0; k < owning && listed < GD_MERGE_LISTED; k++) {
        while (i < m->n && m->in[i].shard < k)
            i++;
        if (i == m->n || m->in[i].shard != k)
            first[listed++] = k;
    }
    for (i = 0; i < m->n; i++)
        given += m->in[i].shard < owning;
    return owning - given;
}
