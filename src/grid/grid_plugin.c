/* grid_plugin.c - a `type = plugin` section's problem type: its library loaded (plugins.h).
 *
 * The library is named once (`library = PATH.so`: one file, relative to the grid's
 * directory like every file name) and, when it holds several problems, the problem by
 * `name = PROBLEM` (a GD_NAME key of the type: recorded in the runs table). It is loaded while the grid is built, before the section's keys are
 * checked, so that the plugin's own keys are checked, swept and recorded like built-in
 * ones. The sweep owns the loaded types (s->plugins). Errors: PATH:LINE and the fix. */
#include "grid_internal.h"

#include <stdio.h>
#include <string.h>

#include "gdsweep/plugins.h"

/* The one file name `library` gives, as opened (with "./" when it has no '/', so that
 * dlopen does not search the library path). */
static int library_path(gd_sweep *s, const gd_grid_entry *e, char *buf, size_t size,
                        gd_error *err)
{
    double index;
    char path[GD_PATH_MAX];
    if (strchr(e->value, ','))
        return gd_grid_fail_at(err, s->path, e->line, "library = %s: a plugin section names "
                               "one library; sweep libraries in separate sections", e->value);
    if (gd_grid_file_name(s, "library", e->value, strlen(e->value), &index, err) < 0)
        return gd_grid_locate(err, s->path, e->line);
    if (gd_sweep_file_path(s, index, path, sizeof path) < 0 ||
        snprintf(buf, size, "%s%s", strchr(path, '/') ? "" : "./", path) >= (int)size)
        return gd_grid_fail_at(err, s->path, e->line, "library = %s: the path is too long; "
                               "use a shorter one", e->value);
    return 0;
}

/* Refuses a plugin key that is also a control key (iterations, ...). */
static int check_keys(const gd_sweep *s, const gd_problem_type *t, int line, gd_error *err)
{
    for (size_t i = 0; t->params[i].key; i++)
        if (gd_param_find(gd_control_params, t->params[i].key) >= 0)
            return gd_grid_fail_at(err, s->path, line, "%s: its key '%s' is a control key of "
                                   "every problem; rename it in the plugin", t->name,
                                   t->params[i].key);
    return 0;
}

int gd_grid_plugin_type(gd_sweep *s, const gd_grid_section *sec, const gd_problem_type **t,
                        gd_error *err)
{
    const gd_grid_entry *lib = gd_grid_entry_find(sec, "library");
    const gd_grid_entry *name = gd_grid_entry_find(sec, "name");
    char path[GD_PATH_MAX + 2];
    if (!lib)
        return gd_grid_fail_at(err, s->path, sec->line, "[problem %s]: type = plugin needs "
                               "library = PATH.so (a library built against gdsweep/plugin.h)",
                               sec->label);
    if (library_path(s, lib, path, sizeof path, err) < 0)
        return -1;
    if (name && strchr(name->value, ','))
        return gd_grid_fail_at(err, s->path, name->line, "name = %s: a plugin section runs "
                               "one problem; sweep problems in separate sections",
                               name->value);
    if (gd_plugins_load(&s->plugins, path, name ? name->value : NULL, t, err) < 0)
        return gd_grid_locate(err, s->path, lib->line);
    return check_keys(s, *t, lib->line, err);
}
