/* grid_names.c - the parse's index of section and key names, so that parsing stays linear.
 *
 * One open-addressing table holds every section (kind, label) and every key of every
 * section, as (section index + 1, entry index + 1) pairs, entry 0 meaning the section
 * itself. It is kept at most half full, so that each lookup is O(1) whatever the number
 * of sections or of keys in one section (a 1-million-key grid must not take minutes). */
#include "grid_internal.h"

#include <stdlib.h>
#include <string.h>

struct gd_grid_name_slot {
    size_t section; /* index + 1; 0: empty slot */
    size_t entry;   /* index + 1; 0: the section's own name */
};

static size_t hash_bytes(size_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static size_t hash_section(int kind, const char *label)
{
    return hash_bytes(1469598103934665603ULL ^ (size_t)kind, label);
}

static size_t hash_entry(size_t section, const char *key)
{
    return hash_bytes((1469598103934665603ULL ^ 0x9E3779B97F4A7C15ULL) + section, key);
}

static size_t hash_slot(const gd_grid_raw *raw, const struct gd_grid_name_slot *slot)
{
    const gd_grid_section *s = &raw->sections[slot->section - 1];
    return slot->entry ? hash_entry(slot->section - 1, s->entries[slot->entry - 1].key)
                       : hash_section((int)s->kind, s->label);
}

/* The slot holding the name that `same` recognises, or the empty slot where it belongs. */
static struct gd_grid_name_slot *probe(const gd_grid_names *names, size_t hash,
                                       int (*same)(const struct gd_grid_name_slot *,
                                                   const void *),
                                       const void *ctx)
{
    size_t mask = names->n_slots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask)
        if (!names->slots[i].section || same(&names->slots[i], ctx))
            return &names->slots[i];
}

typedef struct {
    const gd_grid_raw *raw;
    int kind;
    size_t section;
    const char *text; /* label or key */
} name_query;

static int same_section(const struct gd_grid_name_slot *slot, const void *ctx)
{
    const name_query *q = ctx;
    const gd_grid_section *s = &q->raw->sections[slot->section - 1];
    return !slot->entry && (int)s->kind == q->kind && strcmp(s->label, q->text) == 0;
}

static int same_entry(const struct gd_grid_name_slot *slot, const void *ctx)
{
    const name_query *q = ctx;
    return slot->entry && slot->section - 1 == q->section &&
           strcmp(q->raw->sections[q->section].entries[slot->entry - 1].key, q->text) == 0;
}

static int same_slot(const struct gd_grid_name_slot *slot, const void *ctx)
{
    const struct gd_grid_name_slot *q = ctx;
    return slot->section == q->section && slot->entry == q->entry;
}

size_t gd_grid_names_section(const gd_grid_names *names, const gd_grid_raw *raw, int kind,
                             const char *label)
{
    if (!names->n_slots)
        return 0;
    name_query q = {.raw = raw, .kind = kind, .text = label};
    return probe(names, hash_section(kind, label), same_section, &q)->section;
}

size_t gd_grid_names_entry(const gd_grid_names *names, const gd_grid_raw *raw, size_t section,
                           const char *key)
{
    if (!names->n_slots)
        return 0;
    name_query q = {.raw = raw, .section = section, .text = key};
    return probe(names, hash_entry(section, key), same_entry, &q)->entry;
}

/* Doubles the table when one more name would make it more than half full. */
static int make_room(gd_grid_names *names, const gd_grid_raw *raw)
{
    if (2 * (names->n_used + 1) <= names->n_slots)
        return 0;
    size_t n = names->n_slots ? 2 * names->n_slots : 64;
    struct gd_grid_name_slot *old = names->slots;
    size_t old_n = names->n_slots;
    if (!(names->slots = calloc(n, sizeof *names->slots))) {
        names->slots = old;
        return -1;
    }
    names->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i].section)
            *probe(names, hash_slot(raw, &old[i]), same_slot, &old[i]) = old[i];
    free(old);
    return 0;
}

int gd_grid_names_add(gd_grid_names *names, const gd_grid_raw *raw, size_t section,
                      size_t entry_plus1)
{
    if (make_room(names, raw) < 0)
        return -1;
    struct gd_grid_name_slot slot = {section + 1, entry_plus1};
    *probe(names, hash_slot(raw, &slot), same_slot, &slot) = slot;
    names->n_used++;
    return 0;
}

void gd_grid_names_free(gd_grid_names *names)
{
    free(names->slots);
    memset(names, 0, sizeof *names);
}
