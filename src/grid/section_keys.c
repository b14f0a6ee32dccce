/* section_keys.c - a section's keys with the values the grid gives them (run_space.h). */
#include "grid_internal.h"

int gd_space_section_key(const gd_sweep *s, int optimizer, size_t section, size_t k,
                         gd_space_key *out)
{
    const gd_dim *dims = optimizer ? s->optimizers[section].layout->dims
                                   : s->problems[section].layout->dims;
    size_t n = optimizer ? s->optimizers[section].layout->n_dims
                         : s->problems[section].layout->n_dims;
    if (k >= n)
        return 0;
    *out = (gd_space_key){dims[k].spec, dims[k].values, dims[k].count, dims[k].line, ""};
    if (dims[k].sample) {
        out->values = NULL;
        gd_grid_sample_describe(dims[k].sample, dims[k].spec, out->sampled, sizeof out->sampled);
    }
    return 1;
}
