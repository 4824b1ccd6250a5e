/* sim/suggest.c — "did you mean" hints for misspelt keys, names and enum
 * values (suggest.h).
 *
 * A candidate is offered when it is within Damerau-Levenshtein distance 2
 * (optimal string alignment: an adjacent transposition is one edit, the
 * usual typo), or differs only in letter case, or shares a prefix of at
 * least 4 characters ("adapter" for "adapters_list"). Distance 2 means
 * nothing for one- or two-letter words ("ab" is 2 edits from "io"), so the
 * distance must also stay below the shorter word's length. */
#include "sim/suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* One row of the OSA table from the two rows above it. */
static void osa_row(const char *a, size_t i, const char *b, size_t lb, const size_t *pp,
                    const size_t *prev, size_t *cur)
{
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
        size_t cost = a[i - 1] != b[j - 1];
        cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
            pp[j - 2] + 1 < cur[j])
            cur[j] = pp[j - 2] + 1;
    }
}

size_t suggest_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1; /* the length difference alone is too many edits */
    size_t *rows = malloc(3 * (lb + 1) * sizeof *rows);
    if (!rows)
        return cap + 1;
    size_t *pp = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    size_t d = la == 0 ? lb : 0;
    for (size_t i = 1; i <= la; i++) {
        osa_row(a, i, b, lb, pp, prev, cur);
        size_t row_min = cur[0];
        for (size_t j = 1; j <= lb; j++)
            row_min = cur[j] < row_min ? cur[j] : row_min;
        d = cur[lb];
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
        if (row_min > cap) { /* every later row is at least as large */
            d = cap + 1;
            break;
        }
    }
    free(rows);
    return d > cap ? cap + 1 : d;
}

static size_t common_prefix(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n] && a[n] == b[n])
        n++;
    return n;
}

static bool same_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* Lower is better; -1 = not a plausible match. Distance matches (0..2)
 * beat case-only matches (3), which beat shared prefixes (longer first). */
static long match_score(const char *word, const char *cand)
{
    size_t lw = strlen(word), lc = strlen(cand);
    size_t d = suggest_distance(word, cand, 2);
    if (d <= 2 && d < (lw < lc ? lw : lc))
        return (long)d;
    if (same_ignoring_case(word, cand))
        return 3;
    size_t p = common_prefix(word, cand);
    if (p >= 4)
        return p > 1000000 ? 4 : 4 + 1000000 - (long)p;
    return -1;
}

const char *suggest_closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    long best_score = -1;
    if (!word)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], word) == 0)
            continue;
        long s = match_score(word, cands[i]);
        if (s >= 0 && (best_score < 0 || s < best_score)) {
            best = cands[i];
            best_score = s;
        }
    }
    return best;
}
