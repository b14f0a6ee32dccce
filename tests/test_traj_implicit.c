/* test_traj_implicit.c - which series a format-3 file leaves out, and their rebuilt values.
 *
 * The decision is taken from the grid alone: iteration always; lr when every optimizer
 * section keeps the constant schedule; batch_loss when no problem section can be
 * stochastic (online, or minibatches through batch_size). The attribute's text names the
 * set and parses back; a name that is no per-record series is refused. The rebuilt values
 * are compared with ones written out by hand from docs/FORMAT.md's rule. Errors found: a
 * schedule or batch size overlooked in a later section, a wrong last record, a parser
 * that takes a damaged attribute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "gdsweep/grid.h"
#include "gdsweep/series.h"
#include "gdsweep/traj_implicit.h"

#define ITERATION GD_TRAJ_BIT(GD_SERIES_iteration)
#define LR GD_TRAJ_BIT(GD_SERIES_lr)
#define BATCH_LOSS GD_TRAJ_BIT(GD_SERIES_batch_loss)

static const char head[] = "[sweep]\nname = implicit\niterations = 10\nrecord_every = 3\n";

/* The mask of the grid head + body. */
static unsigned mask_of(const char *body)
{
    char text[1024];
    gd_sweep s;
    gd_error err;
    snprintf(text, sizeof text, "%s%s", head, body);
    if (gd_sweep_parse(&s, "implicit.ini", text, strlen(text), 0, &err) != 0)
        fail_msg("grid refused: %s", err.msg);
    unsigned mask = gd_traj_implicit_of_sweep(&s);
    gd_sweep_free(&s);
    return mask;
}

static void test_constant_full_batch_leaves_out_three(void **state)
{
    (void)state;
    assert_int_equal(mask_of("[problem q]\ntype = quadratic\n[optimizer gd]\nlr = 0.1, 0.2\n"
                             "[optimizer adam]\nschedule = constant\n"),
                     ITERATION | LR | BATCH_LOSS);
    assert_int_equal(mask_of("[problem c]\ntype = curvefit\n[optimizer gd]\n"),
                     ITERATION | LR | BATCH_LOSS);
}

static void test_a_schedule_anywhere_keeps_lr(void **state)
{
    (void)state;
    assert_int_equal(mask_of("[problem q]\ntype = quadratic\n[optimizer gd]\n"
                             "[optimizer adam]\nschedule = constant, cosine\n"),
                     ITERATION | BATCH_LOSS);
    assert_int_equal(mask_of("[problem q]\ntype = quadratic\n[optimizer gd]\n"
                             "schedule = step\n[optimizer adam]\n"),
                     ITERATION | BATCH_LOSS);
}

static void test_a_stochastic_section_keeps_batch_loss(void **state)
{
    (void)state;
    assert_int_equal(mask_of("[problem q]\ntype = quadratic\n[problem c]\ntype = curvefit\n"
                             "batch_size = 0, 8\n[optimizer gd]\n"),
                     ITERATION | LR);
    assert_int_equal(mask_of("[problem r]\ntype = reddi\n[optimizer gd]\n"), ITERATION | LR);
    /* gradient noise alone keeps a run full-batch: no minibatch loss */
    assert_int_equal(mask_of("[problem q]\ntype = quadratic\ngrad_noise = 0.1\n"
                             "[optimizer gd]\n"),
                     ITERATION | LR | BATCH_LOSS);
}

static void test_text_names_the_set(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(gd_traj_implicit_text(ITERATION | LR | BATCH_LOSS, buf, sizeof buf), 0);
    assert_string_equal(buf, "iteration,lr,batch_loss");
    assert_int_equal(gd_traj_implicit_text(ITERATION | BATCH_LOSS, buf, sizeof buf), 0);
    assert_string_equal(buf, "iteration,batch_loss");
    assert_int_equal(gd_traj_implicit_text(0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(gd_traj_implicit_text(ITERATION | LR, buf, 8), -1);
    assert_int_equal(gd_traj_stored_count(ITERATION | LR | BATCH_LOSS), 2);
    assert_int_equal(gd_traj_stored_count(ITERATION), 4);
    assert_int_equal(gd_traj_stored_count(0), GD_RECORD_SERIES_COUNT);
    for (unsigned m = 0; m < (1u << GD_RECORD_SERIES_COUNT); m++) {
        unsigned back = 99;
        assert_int_equal(gd_traj_implicit_text(m, buf, sizeof buf), 0);
        assert_int_equal(gd_traj_implicit_parse(buf, &back), 0);
        assert_int_equal(back, m);
    }
}

static void test_parse_refuses_what_is_no_series(void **state)
{
    (void)state;
    static const char *const bad[] = {"iteration,momentum", "path", "final", "traj/lr",
                                      "iteration,", ",lr", "lr,,batch_loss", "LR", NULL};
    for (size_t i = 0; bad[i]; i++) {
        unsigned m;
        if (gd_traj_implicit_parse(bad[i], &m) != -1)
            fail_msg("'%s' parsed", bad[i]);
    }
    unsigned m = 0;
    assert_int_equal(gd_traj_implicit_parse("batch_loss,iteration", &m), 0);
    assert_int_equal(m, ITERATION | BATCH_LOSS);
}

/* Record j at j * record_every, the last at the stop; lr the run's own but NaN last. */
static void test_rebuild_follows_the_recording_rule(void **state)
{
    (void)state;
    double out[4];
    const double iterations[4] = {0, 5, 10, 17};
    gd_traj_rebuild(GD_SERIES_iteration, 4, 5, 17, 0.3, out);
    assert_memory_equal(out, iterations, sizeof out);
    gd_traj_rebuild(GD_SERIES_lr, 4, 5, 17, 0.3, out);
    assert_true(out[0] == 0.3 && out[1] == 0.3 && out[2] == 0.3 && isnan(out[3]));
    gd_traj_rebuild(GD_SERIES_batch_loss, 4, 5, 17, 0.3, out);
    for (int j = 0; j < 4; j++)
        assert_true(isnan(out[j]));
    /* stopped at the start: one record, at 0 */
    gd_traj_rebuild(GD_SERIES_iteration, 1, 5, 0, 0.3, out);
    assert_true(out[0] == 0);
    gd_traj_rebuild(GD_SERIES_lr, 1, 5, 0, 0.3, out);
    assert_true(isnan(out[0]));
    /* a stop on a record point: the last record is that point, not a repeat */
    const double on_stride[3] = {0, 4, 8};
    gd_traj_rebuild(GD_SERIES_iteration, 3, 4, 8, 0.1, out);
    assert_memory_equal(out, on_stride, sizeof on_stride);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_full_batch_leaves_out_three),
        cmocka_unit_test(test_a_schedule_anywhere_keeps_lr),
        cmocka_unit_test(test_a_stochastic_section_keeps_batch_loss),
        cmocka_unit_test(test_text_names_the_set),
        cmocka_unit_test(test_parse_refuses_what_is_no_series),
        cmocka_unit_test(test_rebuild_follows_the_recording_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
