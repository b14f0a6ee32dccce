/* registry.c - the NULL-terminated list of optimizer types, in --list order. */
#include "gdsweep/optimizer.h"

#include <string.h>

const gd_optimizer_type *const gd_optimizers[] = {
    &gd_optimizer_gd,      &gd_optimizer_momentum, &gd_optimizer_nag,
    &gd_optimizer_adagrad, &gd_optimizer_rmsprop,  &gd_optimizer_adam,
    &gd_optimizer_adamw,   &gd_optimizer_amsgrad,  &gd_optimizer_nadam,
    NULL,
};

const gd_optimizer_type *gd_optimizer_find(const char *name)
{
    for (size_t i = 0; gd_optimizers[i]; i++)
        if (strcmp(gd_optimizers[i]->name, name) == 0)
            return gd_optimizers[i];
    return NULL;
}
