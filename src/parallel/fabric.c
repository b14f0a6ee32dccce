/* fabric.c - whether this node has a high-speed network device (see gdsweep/fabric.h). */
#include "gdsweep/fabric.h"

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when directory root/dir holds an entry other than . and .. */
static int has_entries(const char *root, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    const struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)))
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

/* 1 when a path matches root/pattern. */
static int matches(const char *root, const char *pattern)
{
    char path[4096];
    glob_t g;
    snprintf(path, sizeof path, "%s/%s", root, pattern);
    int found = glob(path, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    return found;
}

int gd_fabric_present(const char *root)
{
    static const char *const classes[] = {"sys/class/infiniband", "sys/class/cxi"};
    static const char *const devices[] = {"dev/hfi1_*", "dev/ipath*", "dev/kgni*"};
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (has_entries(root, classes[i]))
            return 1;
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (matches(root, devices[i]))
            return 1;
    return 0;
}

int gd_fabric_skip_probes(const char *root)
{
    if (getenv("OMPI_MCA_mtl") || gd_fabric_present(root))
        return 0;
    return setenv("OMPI_MCA_mtl", "^psm,psm2,ofi", 0) == 0;
}
