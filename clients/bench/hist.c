/* hist.c — bzl-bench's latency histogram: log-linear buckets, mergeable, fixed size. */
#include "bench.h"

/* Bucket of ns: the power of two it falls in picks a row, the next 4 bits below the leading
 * one pick the column. Values under 16 ns share the first row. */
static unsigned
bucket_of(uint64_t ns)
{
    if (ns < BENCH_HIST_SUB) {
        return (unsigned)ns;
    }
    unsigned msb = 63u - (unsigned)__builtin_clzll(ns);
    unsigned sub = (unsigned)(ns >> (msb - 4u)) & (BENCH_HIST_SUB - 1u);
    unsigned b = (msb - 3u) * BENCH_HIST_SUB + sub;
    return b < BENCH_HIST_BUCKETS ? b : BENCH_HIST_BUCKETS - 1u;
}

/* The largest value that falls in bucket b. */
static uint64_t
bucket_top(unsigned b)
{
    if (b < BENCH_HIST_SUB) {
        return b;
    }
    unsigned msb = b / BENCH_HIST_SUB + 3u;
    uint64_t sub = b % BENCH_HIST_SUB;
    return ((BENCH_HIST_SUB + sub + 1u) << (msb - 4u)) - 1u;
}

void
bench_hist_add(bench_hist *h, uint64_t ns)
{
    h->buckets[bucket_of(ns)]++;
    h->count++;
    h->sum_ns += ns;
    if (ns > h->max_ns) {
        h->max_ns = ns;
    }
}

void
bench_hist_merge(bench_hist *into, const bench_hist *from)
{
    for (unsigned b = 0; b < BENCH_HIST_BUCKETS; b++) {
        into->buckets[b] += from->buckets[b];
    }
    into->count += from->count;
    into->sum_ns += from->sum_ns;
    if (from->max_ns > into->max_ns) {
        into->max_ns = from->max_ns;
    }
}

uint64_t
bench_hist_quantile(const bench_hist *h, double q)
{
    if (h->count == 0) {
        return 0;
    }
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if (rank >= h->count) {
        rank = h->count - 1u;
    }
    uint64_t seen = 0;
    for (unsigned b = 0; b < BENCH_HIST_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen > rank) {
            uint64_t top = bucket_top(b);
            return top < h->max_ns ? top : h->max_ns;
        }
    }
    return h->max_ns;
}
