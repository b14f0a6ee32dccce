/* grid_load.c - gd_sweep_load / gd_sweep_parse / gd_sweep_free: the grid module's entry.
 *
 * The grid is read only from a regular file of at most GD_GRID_TEXT_MAX bytes (a FIFO,
 * a device or a directory is refused before any read, so nothing blocks or grows).
 * The sweep owns a verbatim copy of the grid text (hashed with SHA-256), its sections,
 * their dims and value arrays. Loading is all-or-nothing: on any error the sweep is
 * freed and zeroed, and err holds one line naming PATH:LINE and the fix. */
#include "grid_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/interrupt.h"
#include "gdsweep/path_check.h"
#include "gdsweep/plugins.h"
#include "gdsweep/sha256.h"

void gd_sweep_free(gd_sweep *s)
{
    for (size_t p = 0; s->problems && p < s->n_problems; p++) {
        gd_problem_layout *pl = s->problems[p].layout;
        gd_grid_dims_free(pl->dims, pl->n_dims);
        free(pl->dims);
        free(pl->design);
    }
    for (size_t o = 0; s->optimizers && o < s->n_optimizers; o++) {
        gd_optimizer_section *os = &s->optimizers[o];
        gd_optimizer_layout *ol = os->layout;
        gd_grid_dims_free(ol->dims, ol->n_dims);
        free(ol->dims);
        free(ol->design);
        for (size_t i = 0; i < os->n_problems; i++)
            free(os->problems[i]);
        free(os->problems);
    }
    if (s->layout) {
        free(s->layout->problems);
        free(s->layout->optimizers);
        free(s->layout->applies);
        free(s->layout->schedule_keys);
        free(s->layout);
    }
    free(s->problems);
    free(s->optimizers);
    free(s->text);
    gd_grid_file_names_free(s);
    gd_grid_files_free(s);
    gd_plugins_free(s->plugins);
    memset(s, 0, sizeof *s);
}

int gd_grid_check_stop(const char *path, gd_error *err)
{
    if (!gd_interrupt_stop())
        return 0;
    gd_fail(err, "%s: interrupted while reading the grid; nothing was written", path);
    err->exit_code = GD_EXIT_INTERRUPTED;
    return -1;
}

int gd_sweep_parse(gd_sweep *s, const char *path, const char *text, size_t len,
                   int allow_huge, gd_error *err)
{
    memset(s, 0, sizeof *s);
    if (strlen(path) >= sizeof s->path)
        return gd_fail(err, "%.64s...: path too long; use a shorter path", path);
    snprintf(s->path, sizeof s->path, "%s", path);
    if (len > GD_GRID_TEXT_MAX)
        return gd_fail(err, "%s: the grid is larger than %d MiB; write a smaller grid (the "
                       "run space is swept from the text, so no grid needs that much)", path,
                       GD_GRID_TEXT_MAX >> 20);
    if (!(s->text = malloc(len + 1)))
        return gd_fail_runtime(err, "%s: out of memory for the grid text", path);
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->text_len = len;
    gd_sha256_hex(s->text, len, s->hash);
    memcpy(s->identity, s->hash, sizeof s->identity);
    gd_grid_raw raw;
    if (gd_grid_read(&raw, path, s->text, len, err) < 0) {
        gd_sweep_free(s);
        return -1;
    }
    int rc = gd_grid_check_stop(path, err);
    if (rc == 0)
        rc = gd_grid_build(s, &raw, err);
    if (rc == 0)
        rc = gd_grid_check_stop(path, err);
    if (rc == 0)
        rc = gd_grid_link(s, &raw, allow_huge, err);
    if (rc == 0)
        rc = gd_grid_check_stop(path, err);
    gd_grid_raw_free(&raw);
    if (rc < 0)
        gd_sweep_free(s);
    return rc;
}

int gd_sweep_load(gd_sweep *s, const char *path, int allow_huge, gd_error *err)
{
    char *text = NULL;
    size_t len = 0;
    memset(s, 0, sizeof *s);
    if (gd_path_read_regular(path, GD_GRID_TEXT_MAX, "grid file", &text, &len, err) < 0)
        return -1;
    int rc = gd_sweep_parse(s, path, text, len, allow_huge, err);
    free(text);
    return rc;
}
