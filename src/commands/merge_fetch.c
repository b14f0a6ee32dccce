/* merge_fetch.c - the stored records of a set of runs, in few large reads.
 *
 * A file's runs were appended in the order they finished, so the records of runs with
 * consecutive ids usually lie close together but not in id order. The runs' spans are
 * sorted by offset and joined into extents while the values read between spans (gaps)
 * stay below the values wanted plus FETCH_SLACK: one read per extent and series instead
 * of one per run, and never more than twice the memory the records need. */
#include "merge_internal.h"

#include <stdlib.h>
#include <string.h>

#define FETCH_SLACK 65536

static int by_offset(const void *a, const void *b)
{
    uint64_t x = ((const gd_merge_span *)a)->off, y = ((const gd_merge_span *)b)->off;
    return (x > y) - (x < y);
}

static int reserve_runs(gd_merge_fetch *f, size_t n, gd_error *err)
{
    if (n <= f->runs_cap)
        return 0;
    size_t *pos = realloc(f->pos, n * sizeof *pos);
    if (pos)
        f->pos = pos;
    gd_merge_span *span = realloc(f->span, n * sizeof *span);
    if (span)
        f->span = span;
    gd_merge_span *extent = realloc(f->extent, n * sizeof *extent);
    if (extent)
        f->extent = extent;
    if (!pos || !span || !extent)
        return gd_fail_runtime(err, "out of memory for the records of %zu runs", n);
    f->runs_cap = n;
    return 0;
}

static int reserve_values(gd_merge_fetch *f, size_t n, gd_error *err)
{
    if (n <= f->cap)
        return 0;
    for (size_t k = 0; k < f->n_series; k++) {
        double *b = realloc(f->buf[k], n * sizeof *b);
        if (!b)
            return gd_fail_runtime(err, "out of memory for %zu records", n);
        f->buf[k] = b;
    }
    f->cap = n;
    return 0;
}

/* Sorts the n spans with records; returns how many, *wanted their total. */
static size_t sort_spans(gd_merge_fetch *f, const double *cells, size_t stride, size_t n,
                         size_t off_col, size_t count_col, uint64_t *wanted)
{
    size_t m = 0;
    *wanted = 0;
    for (size_t i = 0; i < n; i++) {
        const double *row = cells + i * stride;
        f->pos[i] = 0;
        if (row[count_col] <= 0)
            continue;
        f->span[m++] = (gd_merge_span){(uint64_t)row[off_col], (uint64_t)row[count_col], i};
        *wanted += (uint64_t)row[count_col];
    }
    qsort(f->span, m, sizeof *f->span, by_offset);
    return m;
}

/* Joins the m sorted spans into extents (extent[e].run = its start in the buffers) and
 * sets each run's position; returns the number of extents, *len the values to read. */
static size_t plan_extents(gd_merge_fetch *f, size_t m, uint64_t wanted, uint64_t *len)
{
    size_t e = 0;
    uint64_t waste = 0, used = 0;
    for (size_t i = 0; i < m; i++) {
        gd_merge_span *s = &f->span[i], *x = e ? &f->extent[e - 1] : NULL;
        uint64_t end = x ? x->off + x->count : 0;
        uint64_t gap = x && s->off > end ? s->off - end : 0;
        if (!x || s->off < x->off || waste + gap > wanted + FETCH_SLACK) {
            x = &f->extent[e++];
            *x = (gd_merge_span){s->off, 0, (size_t)used};
            end = s->off;
            gap = 0;
        }
        waste += gap;
        uint64_t new_end = s->off + s->count > end ? s->off + s->count : end;
        used += new_end - (x->off + x->count);
        x->count = new_end - x->off;
        f->pos[s->run] = x->run + (size_t)(s->off - x->off);
    }
    *len = used;
    return e;
}

int gd_merge_fetch_runs(gd_merge_fetch *f, gd_reader *r, const double *cells, size_t stride,
                        size_t n, size_t off_col, size_t count_col, gd_error *err)
{
    uint64_t wanted, len;
    if (reserve_runs(f, n ? n : 1, err) < 0)
        return -1;
    size_t m = sort_spans(f, cells, stride, n, off_col, count_col, &wanted);
    size_t extents = plan_extents(f, m, wanted, &len);
    if (reserve_values(f, (size_t)len, err) < 0)
        return -1;
    for (size_t e = 0; e < extents; e++) {
        const gd_merge_span *x = &f->extent[e];
        for (size_t k = 0; k < f->n_series; k++)
            if (f->names[k] && gd_reader_series_f64(r, f->names[k], x->off, x->count,
                                                    f->buf[k] + x->run, err) < 0)
                return -1;
    }
    return 0;
}

void gd_merge_fetch_free(gd_merge_fetch *f)
{
    for (size_t k = 0; k < f->n_series; k++)
        free(f->buf[k]);
    free(f->pos);
    free(f->span);
    free(f->extent);
    memset(f->buf, 0, sizeof f->buf);
    f->cap = f->runs_cap = 0;
    f->pos = NULL;
    f->span = f->extent = NULL;
}
