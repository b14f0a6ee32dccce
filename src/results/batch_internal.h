/* batch_internal.h - what batch.c needs of batch_instances.c (not public API). */
#ifndef GDSWEEP_BATCH_INTERNAL_H
#define GDSWEEP_BATCH_INTERNAL_H

#include "gdsweep/batch.h"

/* Drops every block the batch's instances hold (their entries stay, unheld). */
void gd_batch_drop_held(gd_batch *b);

#endif
