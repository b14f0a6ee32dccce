/* fuzz_grid.c - fuzz target: any bytes as a grid file, then the whole expansion.
 *
 * gd_sweep_parse on the bytes (not NUL-terminated, --allow-huge so large grids get
 * through). A refusal must be one line naming the file, with the sweep left empty. An
 * accepted grid must be self-consistent: the section and pair run counts add up to
 * n_runs, a grid over GD_HUGE_GRID is refused without --allow-huge, and decoded runs
 * (first, last, every section's first and last, and ids picked from a hash of the
 * input) land in their section, on an applicable optimizer and a valid instance, with
 * values from the grid's own lists (a sampled key's: within its bounds) and a
 * deterministic instance key. */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "gdsweep/grid.h"
#include "../../src/grid/grid_internal.h" /* white-box: the layout's invariants */

#define FUZZ_PATH "fuzz.ini"
#define FUZZ_HASHED_IDS 16
/* Longer value lists are only checked for finiteness (a linear search per decoded run
 * over 10^7 generated values would make the target, not the parser, the slow part). */
#define FUZZ_LIST_SEARCH_MAX 4096

/* v is one of dim's values; for a sampled key (grid_sample.c), in [a, b] or one of its
 * choices. */
static int in_list(const gd_dim *dim, double v)
{
    const gd_sample *s = dim->sample;
    if (s && s->dist != GD_DIST_CHOICE)
        return v >= s->a && v <= s->b;
    for (size_t i = 0; i < gd_grid_dim_listed(dim); i++)
        if (memcmp(&dim->values[i], &v, sizeof v) == 0)
            return 1;
    return 0;
}

static void check_values(const gd_dim *dims, size_t n, const double *v, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        gd_fuzz_assert_true(isfinite(v[i]), what);
        gd_fuzz_assert_true(gd_grid_dim_listed(&dims[i]) > FUZZ_LIST_SEARCH_MAX ||
                                in_list(&dims[i], v[i]), what);
    }
}

static void check_run(const gd_sweep *s, uint64_t id)
{
    gd_run_desc d;
    gd_sweep_decode(s, id, &d);
    gd_fuzz_assert_true(d.id == id && d.problem < s->n_problems, "decoded problem section");
    const gd_problem_section *ps = &s->problems[d.problem];
    const gd_problem_layout *pl = ps->layout;
    gd_fuzz_assert_true(id >= pl->first_run && id - pl->first_run < pl->n_runs,
                        "run in its section");
    gd_fuzz_assert_true(d.optimizer < s->n_optimizers, "decoded optimizer section");
    gd_fuzz_assert_true(s->layout->applies[d.problem * s->n_optimizers + d.optimizer],
                        "optimizer applies");
    gd_fuzz_assert_true(d.repeat < s->repeats, "repeat in range");
    gd_fuzz_assert_true(d.instance >= pl->first_instance && d.instance < s->n_instances &&
                    d.instance - pl->first_instance < pl->type_combos * s->repeats,
                 "instance in its section");
    gd_fuzz_assert_true(d.schedule != NULL, "a schedule");
    check_values(pl->dims, pl->n_type_dims, d.problem_params, "problem value from the grid");
    const gd_optimizer_section *os = &s->optimizers[d.optimizer];
    const gd_optimizer_layout *ol = os->layout;
    check_values(ol->dims, ol->n_opt_dims, d.optimizer_params, "optimizer value from the grid");
    gd_fuzz_assert_true(d.control.iterations >= 1, "iterations >= 1");
    gd_rng_key a = gd_sweep_instance_key(s, &d), b = gd_sweep_instance_key(s, &d);
    gd_fuzz_assert_true(memcmp(&a, &b, sizeof a) == 0, "instance key is deterministic");
}

/* Section and pair counts add up, without overflow, to n_runs and n_instances. */
static void check_counts(const gd_sweep *s)
{
    uint64_t runs = 0, instances = 0;
    for (size_t p = 0; p < s->n_problems; p++) {
        const gd_problem_section *ps = &s->problems[p];
        const gd_problem_layout *pl = ps->layout;
        gd_fuzz_assert_true(pl->first_run == runs && pl->first_instance == instances,
                        "sections are consecutive");
        uint64_t pair_sum = 0;
        for (size_t o = 0; o < s->n_optimizers; o++) {
            uint64_t n = gd_sweep_pair_runs(s, p, o);
           gd_fuzz_assert_true(pair_sum + n >= pair_sum, "pair runs do not overflow");
            pair_sum += n;
        }
        gd_fuzz_assert_true(pair_sum == pl->n_runs && pl->n_runs > 0, "pair runs add up");
        gd_fuzz_assert_true(runs + pl->n_runs >= runs, "section runs do not overflow");
        runs += pl->n_runs;
        instances += pl->type_combos * s->repeats;
    }
    gd_fuzz_assert_true(runs == s->n_runs && instances == s->n_instances, "sections add up");
}

static uint64_t fnv1a(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    return h;
}

static void check_sweep(const gd_sweep *s, const uint8_t *data, size_t size)
{
    gd_fuzz_assert_true(s->text_len == size && memcmp(s->text, data, size) == 0, "verbatim text");
    gd_fuzz_assert_true(strlen(s->hash) == 64, "sha256 hex");
    gd_fuzz_assert_true(s->n_problems > 0 && s->n_optimizers > 0 && s->n_runs > 0, "not empty");
    check_counts(s);
    check_run(s, 0);
    check_run(s, s->n_runs - 1);
    for (size_t p = 0; p < s->n_problems && p < 64; p++) {
        check_run(s, s->problems[p].layout->first_run);
        check_run(s, s->problems[p].layout->first_run + s->problems[p].layout->n_runs - 1);
    }
    uint64_t h = fnv1a(data, size);
    for (int i = 0; i < FUZZ_HASHED_IDS; i++) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        check_run(s, (h >> 7) % s->n_runs);
    }
}

static void check_refusal(const gd_sweep *s, const gd_error *err)
{
    gd_fuzz_assert_true(err->exit_code == GD_EXIT_USAGE || err->exit_code == GD_EXIT_RUNTIME,
                    "an error has an exit code");
    gd_fuzz_assert_true(strncmp(err->msg, FUZZ_PATH, strlen(FUZZ_PATH)) == 0, "error names the file");
    gd_fuzz_assert_true(strchr(err->msg, '\n') == NULL, "error is one line");
    gd_fuzz_assert_true(strlen(err->msg) > strlen(FUZZ_PATH) + 2, "error says something");
    gd_fuzz_assert_true(s->problems == NULL && s->optimizers == NULL && s->text == NULL,
                    "a refused sweep is left freed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    if (gd_sweep_parse(&s, FUZZ_PATH, (const char *)data, size, 1, &err) != 0) {
        check_refusal(&s, &err);
        return 0;
    }
    check_sweep(&s, data, size);
    int huge = s.n_runs > GD_HUGE_GRID;
    gd_sweep_free(&s);
    if (huge) {
        gd_error err2 = {{0}, 0};
        int rc = gd_sweep_parse(&s, FUZZ_PATH, (const char *)data, size, 0, &err2);
        gd_fuzz_assert_true(rc != 0 && strstr(err2.msg, "--allow-huge") != NULL,
                        "huge grids need --allow-huge");
        check_refusal(&s, &err2);
    }
    return 0;
}
