/* test_h5.h - attribute edits the tests make to HDF5 files with the HDF5 API (header-only).
 *
 * Text goes in as a variable-length string, the form files written before gdsweep's
 * fixed-length text attributes use, so the readers' support for both keeps being tested. */
#ifndef GD_TEST_H5_H
#define GD_TEST_H5_H

#include <hdf5.h>

/* Sets attribute `name` of obj to one value of `type`, replacing any attribute of that
 * name (of whatever type or size). */
static inline void test_h5_set_attr(hid_t obj, const char *name, hid_t type, const void *value)
{
    if (H5Aexists(obj, name) > 0)
        assert_true(H5Adelete(obj, name) >= 0);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, type, value) >= 0);
    H5Aclose(a);
    H5Sclose(space);
}

/* Sets attribute `name` of obj to a variable-length UTF-8 string. */
static inline void test_h5_set_text(hid_t obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    assert_true(H5Tset_size(t, H5T_VARIABLE) >= 0);
    assert_true(H5Tset_cset(t, H5T_CSET_UTF8) >= 0);
    test_h5_set_attr(obj, name, t, &value);
    H5Tclose(t);
}

#endif
