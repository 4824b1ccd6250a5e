/* sim/suggest.h — "did you mean" for misspelt keys, names and options:
 * the closest candidate by optimal-string-alignment (Damerau-Levenshtein)
 * distance <= 2, or, failing that, a case-insensitive match or a shared
 * prefix of at least 4 characters. */
#ifndef LPARSIM_SIM_SUGGEST_H
#define LPARSIM_SIM_SUGGEST_H

#include <stddef.h>

/* Edit distance with transpositions, capped: returns cap + 1 when the
 * distance exceeds cap (so long words cost nothing). */
size_t suggest_distance(const char *a, const char *b, size_t cap);

/* The best candidate for word, or NULL if none is close. */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

#endif
