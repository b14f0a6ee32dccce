/* test_fabric.c - the fabric check on made-up machine trees (a device of each kind, none,
 * look-alikes that are not devices) and the Open MPI default it leads to, which never
 * overrides the user's own OMPI_MCA_mtl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdsweep/fabric.h"

static char root[64];

/* Makes root/path: a directory when path ends in '/', else an empty file; parents too. */
static void make(const char *path)
{
    char full[256];
    snprintf(full, sizeof full, "%s/%s", root, path);
    for (char *p = full + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(full, 0755);
        *p = '/';
    }
    if (full[strlen(full) - 1] != '/') {
        FILE *f = fopen(full, "w");
        assert_non_null(f);
        fclose(f);
    }
}

static int new_root(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gd_fabric_XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* No device: empty class directories and devices of other names do not count. */
static void test_no_fabric(void **state)
{
    (void)state;
    make("sys/class/infiniband/");
    make("sys/class/cxi/");
    make("sys/class/net/eth0/");
    make("dev/null");
    make("dev/hfi0");
    assert_int_equal(gd_fabric_present(root), 0);
}

static void test_each_kind_of_device(void **state)
{
    (void)state;
    static const char *const devices[] = {"sys/class/infiniband/mlx5_0/",
                                          "sys/class/cxi/cxi0/", "dev/hfi1_0", "dev/ipath0",
                                          "dev/kgni0"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        assert_int_equal(new_root(NULL), 0);
        make(devices[i]);
        if (gd_fabric_present(root) != 1)
            fail_msg("%s was not seen as a fabric device", devices[i]);
        assert_int_equal(remove_root(NULL), 0);
    }
}

/* The default is set only without a device and without the user's own value. */
static void test_skip_probes(void **state)
{
    (void)state;
    unsetenv("OMPI_MCA_mtl");
    assert_int_equal(gd_fabric_skip_probes(root), 1);
    assert_string_equal(getenv("OMPI_MCA_mtl"), "^psm,psm2,ofi");

    setenv("OMPI_MCA_mtl", "psm2", 1);
    assert_int_equal(gd_fabric_skip_probes(root), 0);
    assert_string_equal(getenv("OMPI_MCA_mtl"), "psm2");

    unsetenv("OMPI_MCA_mtl");
    make("sys/class/infiniband/hfi1_0/");
    assert_int_equal(gd_fabric_skip_probes(root), 0);
    assert_null(getenv("OMPI_MCA_mtl"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_fabric, new_root, remove_root),
        cmocka_unit_test(test_each_kind_of_device),
        cmocka_unit_test_setup_teardown(test_skip_probes, new_root, remove_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
