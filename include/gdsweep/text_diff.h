/* text_diff.h - where two texts first differ, as a message for humans. */
#ifndef GDSWEEP_TEXT_DIFF_H
#define GDSWEEP_TEXT_DIFF_H

#include <stddef.h>

/* Writes e.g. "line 12 is 'lr = 0.1' in A and 'lr = 0.2' in B" (names a_name, b_name)
 * into buf; returns 0 when the texts are equal (buf then says so). */
int gd_text_first_difference(const char *a, const char *a_name, const char *b,
                             const char *b_name, char *buf, size_t size);

#endif
