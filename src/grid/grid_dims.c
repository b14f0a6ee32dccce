/* grid_dims.c - swept keys (gd_dim): defaults, filling from a section, mixed-radix
 * arithmetic, and PATH:LINE error messages.
 *
 * A dim owns its values array, except a borrowed one: a default points at its spec's
 * default value (never written), and a [sweep] list is shared by the problem sections
 * that inherit it (so memory follows the text, not the number of sections); a sampled
 * key's values are its sample's arguments (grid_sample.c), its digit a design point; every
 * function that fails leaves the dims it was given freeable with gd_grid_dims_free. */
#include "grid_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gd_grid_fail_at(gd_error *err, const char *path, int line, const char *fmt, ...)
{
    char msg[GD_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        return gd_fail(err, "%s:%d: %s", path, line, msg);
    return gd_fail(err, "%s: %s", path, msg);
}

int gd_grid_locate(gd_error *err, const char *path, int line)
{
    if (line > 0)
        return gd_error_prefix(err, "%s:%d", path, line);
    return gd_error_prefix(err, "%s", path);
}

void gd_grid_dim_default(gd_dim *dim, const gd_param_spec *spec)
{
    if (!dim->borrowed)
        free((void *)dim->values);
    *dim = (gd_dim){.spec = spec, .values = &spec->def, .count = 1, .borrowed = 1};
}

void gd_grid_dim_borrow(gd_dim *dst, const gd_dim *src)
{
    *dst = *src;
    dst->borrowed = 1;
}

void gd_grid_dims_free(gd_dim *dims, size_t n)
{
    for (size_t i = 0; dims && i < n; i++) {
        if (!dims[i].borrowed)
            free((void *)dims[i].values);
        gd_grid_sample_free(dims[i].sample);
    }
}

int gd_grid_dim_find(const gd_dim *dims, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(dims[i].spec->key, key) == 0)
            return (int)i;
    return -1;
}

static int is_special(const char *const *special, const char *key)
{
    for (size_t i = 0; special && special[i]; i++)
        if (strcmp(special[i], key) == 0)
            return 1;
    return 0;
}

static void section_name(const gd_grid_section *sec, char *buf, size_t size)
{
    static const char *const kinds[] = {"sweep", "problem", "optimizer"};
    snprintf(buf, size, "[%s%s%s]", kinds[sec->kind], sec->label[0] ? " " : "", sec->label);
}

static int unknown_key(const gd_dim *dims, size_t n, const gd_grid_section *sec,
                       const char *const *special, const gd_grid_entry *e, const char *path,
                       gd_error *err)
{
    char known[GD_ERROR_MAX / 2], name[GD_LABEL_MAX + 16];
    size_t used = 0;
    known[0] = '\0';
    for (size_t i = 0; special && special[i] && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "",
                                 special[i]);
    for (size_t i = 0; i < n && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "",
                                 dims[i].spec->key);
    section_name(sec, name, sizeof name);
    return gd_grid_fail_at(err, path, e->line, "unknown key '%s' in %s; known keys: %s",
                           e->key, name, known);
}

int gd_grid_dims_fill(gd_dim *dims, size_t n, const gd_grid_section *sec,
                      const char *const *special, const char *path, gd_grid_pool *pool,
                      gd_error *err)
{
    for (size_t i = 0; i < sec->n_entries; i++) {
        const gd_grid_entry *e = &sec->entries[i];
        if (is_special(special, e->key))
            continue;
        int k = gd_grid_dim_find(dims, n, e->key);
        if (k < 0)
            return unknown_key(dims, n, sec, special, e, path, err);
        if (dims[k].borrowed) /* the section's own list replaces the [sweep] one */
            dims[k] = (gd_dim){.spec = dims[k].spec};
        int rc = gd_grid_sample_text(e->value)
                     ? gd_grid_sample_parse(&dims[k], dims[k].spec, e->value, pool, err)
                     : gd_grid_values(&dims[k], dims[k].spec, e->value, pool, err);
        if (rc < 0)
            return gd_grid_locate(err, path, e->line);
        dims[k].line = e->line;
    }
    return 0;
}

int gd_grid_mul(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

int gd_grid_add(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b > UINT64_MAX - a)
        return -1;
    *out = a + b;
    return 0;
}

int gd_grid_combos(const gd_dim *dims, size_t n, uint64_t *out)
{
    uint64_t p = 1;
    for (size_t i = 0; i < n; i++)
        if (gd_grid_mul(p, dims[i].count, &p) < 0)
            return -1;
    *out = p;
    return 0;
}

void gd_grid_dims_decode(const gd_dim *dims, size_t n, uint64_t c, double *values)
{
    uint64_t point = 0; /* the design point: the digit of its first sampled key */
    int sampled = 0;
    for (size_t i = n; i-- > 0;) {
        uint64_t digit = c % dims[i].count;
        c /= dims[i].count;
        if (!dims[i].sample)
            values[i] = dims[i].values[digit];
        else if (dims[i].sample->index == 0)
            point = digit;
        sampled |= dims[i].sample != NULL;
    }
    for (size_t i = 0; sampled && i < n; i++)
        if (dims[i].sample)
            values[i] = gd_grid_sample_value(dims[i].sample, point);
}
