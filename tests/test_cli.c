/* test_cli.c - the command line: argv vectors to parsed options or the exact one-line error
 * (the sweep's, any table's through gdsweep/flags.h, merge's), the HDF5-file-as-grid check,
 * the table of commands, and the error record's context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../src/commands/merge_internal.h" /* white-box: merge's command line */
#include "gdsweep/cli.h"
#include "gdsweep/error.h"
#include "gdsweep/flags.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof(v)[0]))

/* argv as the writable vector a parser takes (its strings are not written). */
static char **writable(int argc, const char *const *argv, char *copy[32])
{
    assert_true(argc < 32);
    for (int i = 0; i < argc; i++)
        copy[i] = (char *)argv[i];
    copy[argc] = NULL;
    return copy;
}

/* Parses argv into c (which points into argv's strings); returns gd_cli_parse's status. */
static int parse(gd_cli *c, int argc, const char *const *argv, gd_error *err)
{
    char *copy[32];
    memset(err, 0, sizeof *err);
    return gd_cli_parse(c, argc, writable(argc, argv, copy), err);
}

static void parses(int argc, const char *const *argv, gd_cli *c)
{
    gd_error err;
    if (parse(c, argc, argv, &err) != 0)
        fail_msg("expected a parse, got: %s", err.msg);
}

static void refused(int argc, const char *const *argv, const char *message)
{
    gd_cli c;
    gd_error err;
    assert_int_equal(parse(&c, argc, argv, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_string_equal(err.msg, message);
}

static void test_equals_and_separate_values(void **state)
{
    (void)state;
    const char *eq[] = {"gdsweep", "--output=x.h5", "g.ini", "--threads=2", "--grace=5",
                        "--shard=2/8"};
    const char *sep[] = {"gdsweep", "--output", "x.h5", "--threads", "2", "g.ini", "--grace",
                         "5", "--shard", "2/8"};
    const char *const *forms[] = {eq, sep};
    int counts[] = {ARGC(eq), ARGC(sep)};
    for (int f = 0; f < 2; f++) {
        gd_cli c;
        parses(counts[f], forms[f], &c);
        assert_string_equal(c.output, "x.h5");
        assert_string_equal(c.grid, "g.ini");
        assert_int_equal(c.threads, 2);
        assert_int_equal(c.grace, 5);
        assert_true(c.shard == 2 && c.shards == 8);
    }
}

static void test_short_flags_and_switches(void **state)
{
    (void)state;
    const char *argv[] = {"gdsweep", "-qo", "o.h5", "g.ini", "--dry-run", "--overwrite",
                          "--allow-huge"};
    gd_cli c;
    parses(ARGC(argv), argv, &c);
    assert_true(c.quiet && c.dry_run && c.overwrite && c.allow_huge && !c.resume);
    assert_string_equal(c.output, "o.h5");
    assert_string_equal(c.command_line, "gdsweep -qo o.h5 g.ini --dry-run --overwrite "
                                        "--allow-huge");
    const char *dashed[] = {"gdsweep", "g.ini", "-qo", "--odd.h5"}; /* a value, not a flag */
    parses(ARGC(dashed), dashed, &c);
    assert_string_equal(c.output, "--odd.h5");
    const char *list[] = {"gdsweep", "--list"}, *help[] = {"gdsweep", "-h"};
    parses(ARGC(list), list, &c);
    assert_int_equal(c.command, GD_CMD_LIST);
    parses(ARGC(help), help, &c);
    assert_int_equal(c.command, GD_CMD_HELP);
}

static void test_double_dash_ends_options(void **state)
{
    (void)state;
    const char *argv[] = {"gdsweep", "-o", "o.h5", "--", "-q.ini"};
    gd_cli c;
    parses(ARGC(argv), argv, &c);
    assert_string_equal(c.grid, "-q.ini");
    assert_false(c.quiet);
    const char *two[] = {"gdsweep", "g.ini", "--", "--quiet"};
    refused(ARGC(two), two, "one grid file only (got 'g.ini' and '--quiet'); an override is "
            "LABEL.KEY=VALUE, a value with blanks quoted: adam.lr='0.1, 1'");
}

/* Operands LABEL.KEY=VALUE are overrides, anywhere, numbered by their place in argv; the
 * hint to resume repeats them as shell words. */
static void test_overrides_and_verbose(void **state)
{
    (void)state;
    const char *argv[] = {"gdsweep", "adam.lr=logspace(-4, -1, 7)", "g.ini", "--dry-run",
                          "-v", "sweep.repeats=5", "./a=b.ini"};
    gd_cli c;
    const char *three[] = {"gdsweep", "g.ini", "sweep.repeats=5", "./a=b.ini"};
    refused(ARGC(three), three, "one grid file only (got 'g.ini' and './a=b.ini'); an override "
            "is LABEL.KEY=VALUE, a value with blanks quoted: adam.lr='0.1, 1'");
    parses(ARGC(argv) - 1, argv, &c);
    assert_string_equal(c.grid, "g.ini");
    assert_int_equal(c.n_overrides, 2);
    assert_string_equal(c.overrides[0].text, "adam.lr=logspace(-4, -1, 7)");
    assert_int_equal(c.overrides[0].arg, 1);
    assert_string_equal(c.overrides[1].text, "sweep.repeats=5");
    assert_int_equal(c.overrides[1].arg, 5);
    assert_true(c.dry_run && c.verbose);
    char words[256];
    gd_cli_overrides_text(&c, words, sizeof words);
    assert_string_equal(words, " 'adam.lr=logspace(-4, -1, 7)' sweep.repeats=5");
    const char *grid_eq[] = {"gdsweep", "./a=b.ini", "x.y=1"};
    parses(ARGC(grid_eq), grid_eq, &c);
    assert_string_equal(c.grid, "./a=b.ini");
    assert_int_equal(c.n_overrides, 1);
    const char *verbose[] = {"gdsweep", "g.ini", "--verbose"};
    refused(ARGC(verbose), verbose, "--verbose goes with --dry-run (it prints the values that "
            "a run would use); add --dry-run");
}

static void test_typos_get_the_closest_flag(void **state)
{
    (void)state;
    const char *dryrun[] = {"gdsweep", "g.ini", "--dryrun"};
    const char *overwrit[] = {"gdsweep", "g.ini", "--overwrit"};
    const char *threds[] = {"gdsweep", "g.ini", "--threds=2"};
    const char *dry[] = {"gdsweep", "g.ini", "--dry"};
    const char *bogus[] = {"gdsweep", "g.ini", "--bogus"};
    refused(ARGC(dryrun), dryrun,
            "unknown option '--dryrun'; did you mean '--dry-run'? (see gdsweep --help)");
    refused(ARGC(overwrit), overwrit,
            "unknown option '--overwrit'; did you mean '--overwrite'? (see gdsweep --help)");
    refused(ARGC(threds), threds,
            "unknown option '--threds'; did you mean '--threads'? (see gdsweep --help)");
    refused(ARGC(dry), dry,
            "unknown option '--dry'; did you mean '--dry-run'? (see gdsweep --help)");
    refused(ARGC(bogus), bogus, "unknown option '--bogus'; see gdsweep --help");
}

static void test_long_flag_with_one_dash(void **state)
{
    /* getopt reads "-overwrite" as -o verwrite: the sweep wrote ./verwrite, exit 0 */
    (void)state;
    const char *overwrite[] = {"gdsweep", "g.ini", "-overwrite"};
    const char *output[] = {"gdsweep", "g.ini", "-output=x.h5"};
    refused(ARGC(overwrite), overwrite,
            "unknown option '-overwrite'; did you mean '--overwrite'? (see gdsweep --help)");
    refused(ARGC(output), output,
            "unknown option '-output'; did you mean '--output'? (see gdsweep --help)");
}

static void test_bad_values(void **state)
{
    (void)state;
    const char *quiet[] = {"gdsweep", "g.ini", "--quiet=1"};
    const char *o[] = {"gdsweep", "g.ini", "-o"};
    const char *output[] = {"gdsweep", "g.ini", "--output="};
    const char *threads[] = {"gdsweep", "g.ini", "--threads"};
    const char *x[] = {"gdsweep", "g.ini", "-qx"};
    const char *none[] = {"gdsweep", "-q"};
    refused(ARGC(quiet), quiet, "--quiet takes no value (got '--quiet=1')");
    refused(ARGC(o), o, "-o needs a file name, e.g. -o out.h5");
    refused(ARGC(output), output, "--output needs a file name, e.g. --output out.h5");
    refused(ARGC(threads), threads, "--threads needs a whole number from 1 to 4096 (got '')");
    refused(ARGC(x), x, "unknown option '-x'; see gdsweep --help");
    refused(ARGC(none), none, "no grid file given; usage: gdsweep GRID.ini (see --help)");
}

/* ---- any command's table of flags (gdsweep/flags.h) ------------------------------------ */

static const gd_flag demo_flag[] = {
    {"name", 'n', "N", "a value"},
    {"long-only", GD_FLAG_LONG_ONLY, NULL, "a switch\nover two lines"},
};
static const gd_flags demo = {"gdsweep demo", demo_flag, 2};

/* A gd_flag_take that logs each call into the GD_ERROR_MAX bytes at into:
 * "SPELLED=VALUE|" ("-" for a switch's NULL value) or "[OPERAND]|". */
static int record(void *into, const gd_flag *f, const char *spelled, const char *value,
                  gd_error *err)
{
    char *log = into;
    size_t used = strlen(log);
    (void)err;
    if (f)
        snprintf(log + used, GD_ERROR_MAX - used, "%s=%s|", spelled, value ? value : "-");
    else
        snprintf(log + used, GD_ERROR_MAX - used, "[%s]|", value);
    return 0;
}

/* Runs the demo table over argv; returns the log, or the error message when it fails. */
static const char *demo_parse(int argc, const char *const *argv)
{
    static char log[GD_ERROR_MAX];
    char *copy[32];
    gd_error err = {{0}, 0};
    log[0] = '\0';
    if (gd_flags_parse(&demo, argc, writable(argc, argv, copy), record, log, &err) != 0) {
        assert_int_equal(err.exit_code, GD_EXIT_USAGE);
        snprintf(log, sizeof log, "%s", err.msg);
    }
    return log;
}

static void test_any_table_of_flags(void **state)
{
    (void)state;
    const char *both[] = {"demo", "a", "--name=1", "-n", "2", "--long-only", "--", "-b"};
    const char *typo[] = {"demo", "--nmae=3"}, *letter[] = {"demo", "-x"};
    const char *end[] = {"demo", "a", "--name"}, *one_dash[] = {"demo", "-long-only"};
    assert_string_equal(demo_parse(ARGC(both), both), "[a]|--name=1|-n=2|--long-only=-|[-b]|");
    assert_string_equal(demo_parse(ARGC(typo), typo),
                        "unknown option '--nmae'; did you mean '--name'? (see gdsweep demo "
                        "--help)");
    assert_string_equal(demo_parse(ARGC(letter), letter),
                        "unknown option '-x'; see gdsweep demo --help");
    assert_string_equal(demo_parse(ARGC(end), end), "[a]|--name=|"); /* the flag refuses "" */
    assert_string_equal(demo_parse(ARGC(one_dash), one_dash),
                        "unknown option '-long-only'; did you mean '--long-only'? (see "
                        "gdsweep demo --help)");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    gd_flags_print(out, &demo);
    fclose(out);
    assert_string_equal(text, "  -n, --name N         a value\n"
                              "  --long-only          a switch\n"
                              "                       over two lines\n");
    free(text);
}

/* ---- merge's command line ------------------------------------------------------------- */

/* Parses merge's argv into a (freed by the caller); returns the status. */
static int merge_parse(gd_merge_args *a, int argc, const char *const *argv, gd_error *err)
{
    char *copy[32];
    memset(err, 0, sizeof *err);
    return gd_merge_args_parse(a, argc, writable(argc, argv, copy), err);
}

static void merge_refused(int argc, const char *const *argv, const char *message)
{
    gd_merge_args a;
    gd_error err;
    assert_int_equal(merge_parse(&a, argc, argv, &err), -1);
    gd_merge_args_free(&a);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_string_equal(err.msg, message);
}

static void test_merge_output_flag_and_double_dash(void **state)
{
    (void)state;
    const char *eq[] = {"merge", "--output=all.h5", "a.h5", "b.h5"};
    const char *after[] = {"merge", "a.h5", "b.h5", "-o", "all.h5", "--overwrite"};
    const char *dash[] = {"merge", "-o", "all.h5", "--", "--a.h5", "b.h5"};
    const char *plain[] = {"merge", "all.h5", "a.h5", "b.h5"};
    const char *const *forms[] = {eq, after, dash, plain};
    int counts[] = {ARGC(eq), ARGC(after), ARGC(dash), ARGC(plain)};
    const char *first[] = {"a.h5", "a.h5", "--a.h5", "a.h5"};
    for (int f = 0; f < 4; f++) {
        gd_merge_args a;
        gd_error err;
        if (merge_parse(&a, counts[f], forms[f], &err) != 0)
            fail_msg("form %d: expected a parse, got: %s", f, err.msg);
        assert_string_equal(a.out, "all.h5");
        assert_int_equal(a.n, 2);
        assert_string_equal(a.inputs[0], first[f]);
        assert_string_equal(a.inputs[1], "b.h5");
        assert_int_equal(a.overwrite, f == 1);
        gd_merge_args_free(&a);
    }
    gd_merge_args a;
    gd_error err;
    assert_int_equal(merge_parse(&a, ARGC(eq), eq, &err), 0);
    assert_string_equal(a.command_line, "gdsweep merge --output=all.h5 a.h5 b.h5");
    gd_merge_args_free(&a);
}

static void test_merge_refusals_name_the_flag(void **state)
{
    (void)state;
    const char *ouput[] = {"merge", "all.h5", "a.h5", "--ouput=x.h5"};
    const char *overwrit[] = {"merge", "--overwrit", "all.h5", "a.h5"};
    const char *empty[] = {"merge", "--output=", "a.h5"};
    const char *alone[] = {"merge", "--output=all.h5"};
    const char *x[] = {"merge", "all.h5", "a.h5", "-x"};
    merge_refused(ARGC(ouput), ouput, "unknown option '--ouput'; did you mean '--output'? "
                                      "(see gdsweep merge --help)");
    merge_refused(ARGC(overwrit), overwrit, "unknown option '--overwrit'; did you mean "
                                            "'--overwrite'? (see gdsweep merge --help)");
    merge_refused(ARGC(empty), empty, "--output needs a file name, e.g. --output out.h5");
    merge_refused(ARGC(alone), alone, "merge needs the output file and at least one shard "
                                      "file; usage: gdsweep merge OUT.h5 SHARD.h5... "
                                      "[--overwrite]");
    merge_refused(ARGC(x), x, "unknown option '-x'; see gdsweep merge --help");
}

static void test_merge_help_from_its_table(void **state)
{
    (void)state;
    const char *help[] = {"merge", "-h"};
    gd_merge_args a;
    gd_error err;
    assert_int_equal(merge_parse(&a, ARGC(help), help, &err), 0);
    assert_true(a.help);
    gd_merge_args_free(&a);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    gd_merge_print_help(out);
    fclose(out);
    const char *rows[] = {"usage: gdsweep merge OUT.h5 SHARD.h5", "  -o, --output OUT.h5  ",
                          "  --overwrite          ", "  -h, --help           "};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strstr(text, rows[i]))
            fail_msg("merge --help lacks '%s':\n%s", rows[i], text);
    free(text);
}

/* Writes a file of `size` bytes of '#' with the HDF5 signature at `at` (none when < 0). */
static void write_file(const char *path, long size, long at)
{
    static const char signature[] = "\x89HDF\r\n\x1a\n";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (long i = 0; i < size; i++)
        fputc('#', f);
    if (at >= 0) {
        fseek(f, at, SEEK_SET);
        fwrite(signature, 1, 8, f);
    }
    fclose(f);
}

static void test_hdf5_file_as_grid(void **state)
{
    (void)state;
    char path[] = "/tmp/gd_test_cli_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    long at[] = {0, 512, 1024, 4096};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        gd_error err = {{0}, 0};
        write_file(path, 8192, at[i]);
        assert_int_equal(gd_cli_refuse_hdf5_grid(path, &err), -1);
        assert_int_equal(err.exit_code, GD_EXIT_USAGE);
        assert_non_null(strstr(err.msg, "is an HDF5 file"));
        assert_non_null(strstr(err.msg, "gdsweep status "));
        assert_non_null(strstr(err.msg, "gdsweep summary "));
    }
    gd_error err = {{0}, 0};
    write_file(path, 8192, 100); /* not where HDF5 looks */
    assert_int_equal(gd_cli_refuse_hdf5_grid(path, &err), 0);
    write_file(path, 4, -1);
    assert_int_equal(gd_cli_refuse_hdf5_grid(path, &err), 0);
    unlink(path);
    assert_int_equal(gd_cli_refuse_hdf5_grid(path, &err), 0); /* the loader says why */
    assert_int_equal(gd_cli_refuse_hdf5_grid("/dev/null", &err), 0);
}

static int run_a(int argc, char **argv) { (void)argv; return 10 + argc; }
static int run_b(int argc, char **argv) { (void)argv; return 20 + argc; }

static const gd_cli_command table[] = {
    {"alpha", run_a, "alpha FILE"},
    {NULL, run_b, "GRID.ini [--flag]\n[--more]"},
};

static void test_command_table_and_usage(void **state)
{
    (void)state;
    char *alpha[] = {"gdsweep", "alpha", "f"}, *grid[] = {"gdsweep", "g.ini"};
    assert_ptr_equal(gd_cli_find_command(table, 3, alpha), &table[0]);
    assert_ptr_equal(gd_cli_find_command(table, 2, grid), &table[1]);
    assert_ptr_equal(gd_cli_find_command(table, 1, grid), &table[1]);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    gd_cli_usage(out, table);
    fclose(out);
    assert_non_null(strstr(text, "usage: gdsweep GRID.ini [--flag]\n"
                                 "                        [--more]\n"
                                 "       gdsweep alpha FILE\n"));
    const char *flags[] = {"-o, --output OUT.h5", "--dry-run", "--threads N", "-q, --quiet",
                           "--grace S", "--shard K/N", "--list", "-h, --help", "--version"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        assert_non_null(strstr(text, flags[i]));
    free(text);
}

static void test_error_context_keeps_the_exit_code(void **state)
{
    (void)state;
    gd_error err;
    gd_fail_runtime(&err, "cannot read");
    assert_int_equal(gd_error_prefix(&err, "%s:%d", "grid.ini", 7), -1);
    assert_int_equal(gd_error_append(&err, "its writer is %s", "pid 5"), -1);
    assert_string_equal(err.msg, "grid.ini:7: cannot read; its writer is pid 5");
    assert_int_equal(err.exit_code, GD_EXIT_RUNTIME);
    gd_fail(&err, "bad");
    gd_error_prefix(&err, "a\nb");
    assert_string_equal(err.msg, "a\\nb: bad"); /* context is made safe like a message */
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equals_and_separate_values),
        cmocka_unit_test(test_short_flags_and_switches),
        cmocka_unit_test(test_double_dash_ends_options),
        cmocka_unit_test(test_overrides_and_verbose),
        cmocka_unit_test(test_typos_get_the_closest_flag),
        cmocka_unit_test(test_long_flag_with_one_dash),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_any_table_of_flags),
        cmocka_unit_test(test_merge_output_flag_and_double_dash),
        cmocka_unit_test(test_merge_refusals_name_the_flag),
        cmocka_unit_test(test_merge_help_from_its_table),
        cmocka_unit_test(test_hdf5_file_as_grid),
        cmocka_unit_test(test_command_table_and_usage),
        cmocka_unit_test(test_error_context_keeps_the_exit_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
