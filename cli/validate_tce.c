/* cli/validate_tce.c — TCE cache rows of the validation table
 * (docs/validation.md): the latency added per miss equals the configured
 * walk cost, and the hit rate on a uniform random working set matches the
 * analytic hit rate of an LRU cache under uniform references.
 *
 * Component level: the rows drive models/iommu/tce_cache.c through its I/O
 * path (tce_cache_translate) over a real models/iommu/tce_table.c table
 * (1 GiB window, 4 KiB pages), with no kernel.
 *
 * Walk rows. 2C pages spread over the window are translated four times in
 * a cycle (under LRU every access misses: a cycle longer than the cache
 * evicts each page just before its next use), then 20000 times at random
 * (about half hits). Before each access tce_cache_contains says whether it
 * will miss. References: the configured walk (walk_mode per_miss) or walk
 * x levels (per_level; a full walk reads one entry per level). Rows: the
 * mean added latency of the predicted misses, all the added latency over
 * the predicted misses (so a hit that costs anything, or a miss the cache
 * counts as a hit, shows), and walk reads per miss vs levels. Exact
 * arithmetic: PASS within 0.1%.
 *
 * Hit-rate rows. Independent reference model (IRM): each access picks page
 * i with probability p_i, independently of the past. Uniform p_i = 1/N
 * over N > C pages: once the cache is full it holds C distinct pages, and
 * the next access hits one of them with probability C/N whatever they are,
 * so the hit rate is exactly C/N. With `ways`-way sets and set = page mod
 * sets (tce_cache.c fill), N consecutive pages with N a multiple of the
 * set count give each set N/sets pages, each equally likely given the set:
 * hit = ways / (N / sets) = C/N again. Uniform references cannot tell LRU
 * from FIFO or random replacement, so one row uses Zipf(1) probabilities
 * over 8 pages with a 4-entry cache and King's exact LRU/IRM formula
 * (W. F. King, "Analysis of demand paging algorithms", IFIP 1971; R.
 * Fagin, "Asymptotic miss ratios over independent references", 1977):
 * the LRU stack (i1..iC), MRU first, has probability prod_j p_ij /
 * (1 - p_i1 - .. - p_i(j-1)), and the hit rate is the sum over stacks of
 * probability x (p_i1 + .. + p_iC): 0.6626. The same Zipf rows with FIFO
 * and random replacement check their own IRM law (fifo_random_hit):
 * 0.6283, which LRU would miss by 5%. Measured after a
 * warm-up of 16384 accesses over 20 equal batches, 250000 (1 - h) / h
 * accesses in all for reference hit rate h (at least 400000: a relative
 * standard error of 0.2% for i.i.d. hits); 95% batch-means interval
 * (Student t, 19 degrees of freedom): PASS when the reference is inside
 * it, PASS* within 1%. One more row checks the LRU worst case: a cycle
 * over C+1 pages misses every time (exact; random replacement would hit
 * about 97% of the time). */
#include "cli/validate_tce.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "models/iommu/tce_cache.h"
#include "models/iommu/tce_table.h"
#include "sim/rng.h"
#include "sim/stats.h"

#define SEED 1
#define REAL_BASE (UINT64_C(1) << 32) /* real address of I/O page 0 */
#define WALK_STRIDE 1021              /* pages; spreads the walk rows' pages
                                         over many lower-level tables */
#define WALK_CYCLES 4
#define WALK_RANDOM 20000
#define WARMUP 16384                  /* >= 10 N for every hit-rate row */
#define BATCHES 20
/* Accesses per hit-rate row: 250000 (1 - h) / h for hit rate h, so the
 * relative standard error of i.i.d. hits, sqrt((1 - h) / (h n)), is 0.2%
 * and the 1% tolerance is 5 of them; at least 400000. */
#define REL_SE 0.002
#define MIN_ACCESSES 400000

/* ---- rows --------------------------------------------------------------- */

/* The row format of cli/validate.c's print_row (validate_tce.h). */
int validate_row(FILE *out, const char *scenario, const char *quantity, const char *unit,
                 double reference, double simulated, double half_width, double tolerance)
{
    double err = simulated - reference;
    bool in_ci = half_width >= 0 && fabs(err) <= half_width;
    bool in_tol = fabs(err) <= tolerance * fabs(reference);
    char sim[64];
    if (half_width >= 0)
        snprintf(sim, sizeof sim, "%.4g ± %.2g", simulated, half_width);
    else
        snprintf(sim, sizeof sim, "%.4g", simulated);
    double rel = reference != 0 ? 100 * err / reference : 0;
    fprintf(out, "%-14s %-28s %-5s %12.4g  %-22s %+7.2f%%  %s\n", scenario, quantity, unit,
            reference, sim, rel,
            in_ci || (half_width < 0 && in_tol) ? "PASS" : in_tol ? "PASS*" : "FAIL");
    return in_ci || in_tol ? 0 : 1;
}

/* ---- table and cache ---------------------------------------------------- */

struct bench {
    struct tce_table *t;
    struct tce_cache *c;
    uint64_t page_size;
};

static void bench_close(struct bench *b)
{
    tce_cache_destroy(b->c);
    tce_table_destroy(b->t);
}

/* The default window (1 GiB of 4 KiB pages at I/O address 0) with `levels`
 * levels, and a cache over it. */
static int bench_open(struct bench *b, unsigned levels, const struct tce_cache_config *cc)
{
    struct tce_table_config tc;
    struct diag err;
    memset(b, 0, sizeof *b);
    if (tce_table_config_init(&tc, NULL, &err) == 0) {
        tc.page_size = TCE_DEFAULT_WINDOW_PAGE; /* the default window's */
        tc.levels = levels;
        b->t = tce_table_create(&tc);
    }
    b->c = b->t ? tce_cache_create(cc, b->t) : NULL;
    if (b->c) {
        b->page_size = tc.page_size;
        return 0;
    }
    fprintf(stderr, "lparsim: validate: cannot create a TCE table (%u levels) and cache "
                    "(%u entries)\n", levels, cc->entries);
    bench_close(b);
    return -1;
}

/* Maps I/O page `index` read/write to real page REAL_BASE + index. */
static int map_page(struct bench *b, uint64_t index)
{
    uint64_t hcalls;
    if (tce_table_map(b->t, index * b->page_size, REAL_BASE + index * b->page_size, 1,
                      TCE_READ | TCE_WRITE, TCE_HCALL_PUT, &hcalls) == TCE_OK)
        return 0;
    fprintf(stderr, "lparsim: validate: cannot map TCE page %llu\n", (unsigned long long)index);
    return -1;
}

/* One 64-byte DMA write into I/O page `index`; false if the translation
 * faulted or gave the wrong real address. */
static bool access_page(struct bench *b, uint64_t index, struct tce_lookup *r)
{
    uint64_t off = 0x40;
    *r = tce_cache_translate(b->c, index * b->page_size + off, 64, true);
    return r->fault == TCE_FAULT_NONE && r->real_addr == REAL_BASE + index * b->page_size + off;
}

/* ---- walk cost ---------------------------------------------------------- */

struct walk_setup {
    const char *name; /* the table's scenario column */
    unsigned levels;
    enum tce_walk_mode mode;
    unsigned walk_ns; /* 0: the descriptor default (280 ns) */
};

static const struct walk_setup walk_setups[] = {
    { "tce-l2-default", 2, TCE_WALK_PER_MISS, 0 },
    { "tce-l3-500ns", 3, TCE_WALK_PER_MISS, 500 },
    { "tce-l2-lvl140", 2, TCE_WALK_PER_LEVEL, 140 },
    { "tce-l3-lvl140", 3, TCE_WALK_PER_LEVEL, 140 },
};

static int walk_rows(FILE *out, const struct walk_setup *s)
{
    struct tce_cache_config cc;
    struct diag err;
    if (tce_cache_config_init(&cc, NULL, &err) != 0)
        return -1;
    if (s->walk_ns)
        cc.walk_ps = s->walk_ns * SIM_NS;
    cc.walk_mode = s->mode;
    struct bench b;
    if (bench_open(&b, s->levels, &cc) != 0)
        return -1;
    uint64_t pages = 2 * (uint64_t)cc.entries;
    for (uint64_t i = 0; i < pages; i++)
        if (map_page(&b, i * WALK_STRIDE) != 0) {
            bench_close(&b);
            return -1;
        }
    struct rng r;
    rng_seed(&r, SEED, s->name);
    double miss_ps = 0, all_ps = 0;
    uint64_t misses = 0;
    bool ok = true;
    for (uint64_t n = 0; n < WALK_CYCLES * pages + WALK_RANDOM; n++) {
        uint64_t page = n < WALK_CYCLES * pages ? n % pages : rng_below(&r, pages);
        uint64_t index = page * WALK_STRIDE;
        bool miss = !tce_cache_contains(b.c, index * b.page_size);
        struct tce_lookup l;
        ok &= access_page(&b, index, &l);
        all_ps += (double)l.added_ps;
        if (miss) {
            misses++;
            miss_ps += (double)l.added_ps;
        }
    }
    const struct tce_cache_counters *n = tce_cache_counters(b.c);
    double reads = n->misses ? (double)n->walk_reads / (double)n->misses : NAN;
    bench_close(&b);
    double per = s->mode == TCE_WALK_PER_LEVEL ? (double)s->levels : 1;
    double ref_ns = sim_time_to_ns(cc.hit_ps) + sim_time_to_ns(cc.walk_ps) * per;
    double m = ok && misses ? (double)misses : NAN;
    int failed = validate_row(out, s->name, "mean added per miss", "ns", ref_ns,
                              miss_ps / 1000 / m, -1, 0.001);
    failed += validate_row(out, s->name, "all added / misses", "ns", ref_ns, all_ps / 1000 / m,
                           -1, 0.001);
    failed += validate_row(out, s->name, "walk reads per miss", "", s->levels, reads, -1, 0.001);
    return failed;
}

/* ---- hit rate ----------------------------------------------------------- */

struct lru_setup {
    const char *name;
    uint32_t entries, ways; /* ways 0: fully associative */
    uint32_t pages;         /* N: I/O pages 0..N-1 */
    bool zipf;              /* p_i proportional to 1/(i+1); else uniform */
    enum tce_replacement replacement;
};

static const struct lru_setup lru_setups[] = {
    { "tce-lru-fa", 64, 0, 128, false, TCE_REPLACE_LRU },
    { "tce-lru-fa", 64, 0, 1024, false, TCE_REPLACE_LRU },
    { "tce-lru-fa", 16, 0, 64, false, TCE_REPLACE_LRU },
    { "tce-lru-4way", 64, 4, 128, false, TCE_REPLACE_LRU },
    { "tce-lru-4way", 64, 4, 1024, false, TCE_REPLACE_LRU },
    { "tce-lru-king", 4, 0, 8, true, TCE_REPLACE_LRU },
    { "tce-fifo-fa", 64, 0, 128, false, TCE_REPLACE_FIFO },
    { "tce-fifo-irm", 4, 0, 8, true, TCE_REPLACE_FIFO },
    { "tce-rand-fa", 64, 0, 128, false, TCE_REPLACE_RANDOM },
    { "tce-rand-irm", 4, 0, 8, true, TCE_REPLACE_RANDOM },
};

#define KING_MAX_PAGES 16

/* King's LRU/IRM hit rate: the sum over the LRU stacks below the first
 * `depth` entries (whose probability is `prob` and whose pages, marked in
 * `used`, carry `acc` of the reference probability). */
static double king_hit(const double *p, unsigned n, unsigned c, unsigned depth,
                       unsigned used, double prob, double acc)
{
    if (depth == c)
        return prob * acc;
    double h = 0;
    for (unsigned i = 0; i < n; i++)
        if (!(used >> i & 1))
            h += king_hit(p, n, c, depth + 1, used | 1u << i, prob * p[i] / (1 - acc),
                          acc + p[i]);
    return h;
}

/* FIFO and random replacement under the IRM share one stationary law:
 * the cache holds the set S of C pages with probability proportional to
 * the product of their p_i (King 1971; Gelenbe, "A unified approach to
 * the evaluation of a class of replacement algorithms", IEEE TC 1973),
 * so the hit rate is sum_S w(S) p(S) / sum_S w(S) over the C-subsets. */
static double fifo_random_hit(const double *p, unsigned n, unsigned c)
{
    double num = 0, den = 0;
    for (unsigned set = 0; set < 1u << n; set++) {
        if ((unsigned)__builtin_popcount(set) != c)
            continue;
        double w = 1, ps = 0;
        for (unsigned i = 0; i < n; i++)
            if (set >> i & 1) {
                w *= p[i];
                ps += p[i];
            }
        num += w * ps;
        den += w;
    }
    return num / den;
}

static void zipf_probabilities(double *p, unsigned n)
{
    double sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += p[i] = 1.0 / (i + 1);
    for (unsigned i = 0; i < n; i++)
        p[i] /= sum;
}

static uint64_t draw_page(struct rng *r, const struct lru_setup *s, const double *p)
{
    if (!s->zipf)
        return rng_below(r, s->pages);
    double u = rng_uniform(r);
    unsigned i = 0;
    while (i + 1 < s->pages && u >= p[i])
        u -= p[i++];
    return i;
}

static int lru_row(FILE *out, const struct lru_setup *s)
{
    struct tce_cache_config cc;
    struct diag err;
    if (tce_cache_config_init(&cc, NULL, &err) != 0)
        return -1;
    cc.entries = s->entries;
    cc.ways = s->ways;
    cc.replacement = s->replacement;
    cc.seed = SEED;
    struct bench b;
    if (bench_open(&b, 2, &cc) != 0)
        return -1;
    uint64_t hcalls;
    if (tce_table_map(b.t, 0, REAL_BASE, s->pages, TCE_READ | TCE_WRITE,
                      TCE_HCALL_PUT_INDIRECT, &hcalls) != TCE_OK) {
        fprintf(stderr, "lparsim: validate: cannot map %u TCE pages\n", s->pages);
        bench_close(&b);
        return -1;
    }
    double p[KING_MAX_PAGES] = { 0 };
    double ref = (double)s->entries / s->pages;
    if (s->zipf) {
        assert(s->pages <= KING_MAX_PAGES);
        zipf_probabilities(p, s->pages);
        ref = s->replacement == TCE_REPLACE_LRU ? king_hit(p, s->pages, s->entries, 0, 0, 1, 0)
                                                : fifo_random_hit(p, s->pages, s->entries);
    }
    char stream[64], quantity[40];
    snprintf(quantity, sizeof quantity, "hit rate C=%u N=%u%s", s->entries, s->pages,
             s->zipf ? " Zipf" : "");
    snprintf(stream, sizeof stream, "validate.tce.%s.%u.%u", s->name, s->entries, s->pages);
    struct rng r;
    rng_seed(&r, SEED, stream);
    struct tce_lookup l;
    bool ok = true;
    for (unsigned n = 0; n < WARMUP; n++)
        ok &= access_page(&b, draw_page(&r, s, p), &l);
    double accesses = (1 - ref) / (ref * REL_SE * REL_SE);
    unsigned batch_len = (unsigned)ceil(fmax(accesses, MIN_ACCESSES) / BATCHES);
    double sum = 0, sum2 = 0;
    for (unsigned k = 0; k < BATCHES; k++) {
        unsigned hits = 0;
        for (unsigned n = 0; n < batch_len; n++) {
            ok &= access_page(&b, draw_page(&r, s, p), &l);
            hits += l.hit;
        }
        double x = (double)hits / batch_len;
        sum += x;
        sum2 += x * x;
    }
    bench_close(&b);
    double mean = sum / BATCHES;
    double var = (sum2 - BATCHES * mean * mean) / (BATCHES - 1);
    double hw = student_t975(BATCHES - 1) * sqrt(var > 0 ? var : 0) / sqrt(BATCHES);
    return validate_row(out, s->name, quantity, "", ref, ok ? mean : NAN, hw, 0.01);
}

/* LRU's worst case: a cycle over C+1 pages evicts each page just before
 * its next use, so every access misses (random replacement would hit
 * about 97% of the time). */
static int cyclic_row(FILE *out)
{
    struct tce_cache_config cc;
    struct diag err;
    if (tce_cache_config_init(&cc, NULL, &err) != 0)
        return -1;
    struct bench b;
    if (bench_open(&b, 2, &cc) != 0)
        return -1;
    uint64_t pages = cc.entries + 1, hcalls;
    if (tce_table_map(b.t, 0, REAL_BASE, pages, TCE_READ | TCE_WRITE, TCE_HCALL_PUT_INDIRECT,
                      &hcalls) != TCE_OK) {
        bench_close(&b);
        return -1;
    }
    struct tce_lookup l;
    bool ok = true;
    for (uint64_t n = 0; n < 1000 * pages; n++)
        ok &= access_page(&b, n % pages, &l);
    const struct tce_cache_counters *c = tce_cache_counters(b.c);
    double miss_ratio = (double)c->misses / (double)(c->hits + c->misses);
    bench_close(&b);
    char quantity[40];
    snprintf(quantity, sizeof quantity, "miss ratio cycle C=%u N=%llu", cc.entries,
             (unsigned long long)pages);
    return validate_row(out, "tce-lru-fa", quantity, "", 1, ok ? miss_ratio : NAN, -1, 0);
}

int validate_tce(FILE *out, enum kernel_backend k)
{
    (void)k; /* component level: no kernel */
    int failed = 0;
    for (size_t i = 0; i < sizeof walk_setups / sizeof walk_setups[0]; i++) {
        int f = walk_rows(out, &walk_setups[i]);
        if (f < 0)
            return -1;
        failed += f;
    }
    for (size_t i = 0; i < sizeof lru_setups / sizeof lru_setups[0]; i++) {
        int f = lru_row(out, &lru_setups[i]);
        if (f < 0)
            return -1;
        failed += f;
    }
    int f = cyclic_row(out);
    return f < 0 ? -1 : failed + f;
}
