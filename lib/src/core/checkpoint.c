/* checkpoint.c — a checkpoint's signed bytes and its text file (checkpoint.h). */
#include "bzl/checkpoint.h"

#include <stdio.h>
#include <string.h>

#include "bzl/calendar.h"

#define MS_PER_DAY 86400000LL

void
bzl_checkpoint_message(uint64_t seq, const uint8_t hash[BZL_CHECKPOINT_HASH_BYTES], int64_t time_ms,
                       uint8_t out[BZL_CHECKPOINT_MESSAGE_BYTES])
{
    BZL_ASSERT(hash != NULL && out != NULL);
    uint8_t *p = out;
    memcpy(p, BZL_CHECKPOINT_MAGIC, BZL_CHECKPOINT_MAGIC_BYTES);
    p += BZL_CHECKPOINT_MAGIC_BYTES;
    for (int i = 7; i >= 0; i--) {
        *p++ = (uint8_t)(seq >> (8 * i));
    }
    memcpy(p, hash, BZL_CHECKPOINT_HASH_BYTES);
    p += BZL_CHECKPOINT_HASH_BYTES;
    uint64_t t = (uint64_t)time_ms;
    for (int i = 7; i >= 0; i--) {
        *p++ = (uint8_t)(t >> (8 * i));
    }
    BZL_ASSERT(p == out + BZL_CHECKPOINT_MESSAGE_BYTES);
}

void
bzl_hex_format(const uint8_t *bytes, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    BZL_ASSERT(cap >= 2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool
bzl_hex_parse(const char *s, size_t len, uint8_t *out, size_t n)
{
    if (len != 2 * n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(s[2 * i]);
        int lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" for a time within calendar.h's date range; false outside it. */
static bool
time_format(int64_t ms, char *buf, size_t cap)
{
    if (ms < 0) {
        return false;
    }
    int64_t days = ms / MS_PER_DAY;
    int64_t rest = ms % MS_PER_DAY;
    if (days < bzl_date_from_civil(BZL_DATE_MIN_YEAR, 1, 1) ||
        days > bzl_date_from_civil(BZL_DATE_MAX_YEAR, 12, 31)) {
        return false;
    }
    char date[16];
    bzl_date_format((int32_t)days, date, sizeof date);
    int n = snprintf(buf, cap, "%sT%02d:%02d:%02d.%03dZ", date, (int)(rest / 3600000),
                     (int)(rest / 60000 % 60), (int)(rest / 1000 % 60), (int)(rest % 1000));
    return n > 0 && (size_t)n < cap;
}

/* Reads exactly `digits` decimal digits of s into *out. */
static bool
digits_parse(const char *s, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The inverse of time_format, exactly 24 characters. */
static bool
time_parse(const char *s, size_t len, int64_t *ms)
{
    int32_t days = 0;
    int h = 0, m = 0, sec = 0, milli = 0;
    if (len != 24 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' ||
        bzl_date_parse(s, 10, &days) != BZL_OK || !digits_parse(s + 11, 2, &h) ||
        !digits_parse(s + 14, 2, &m) || !digits_parse(s + 17, 2, &sec) ||
        !digits_parse(s + 20, 3, &milli) || h > 23 || m > 59 || sec > 59) {
        return false;
    }
    *ms = (int64_t)days * MS_PER_DAY + ((h * 60 + m) * 60 + sec) * 1000LL + milli;
    return true;
}

size_t
bzl_checkpoint_format(const bzl_checkpoint *cp, char *buf, size_t cap)
{
    BZL_ASSERT(cp != NULL && buf != NULL);
    BZL_ASSERT(cap >= BZL_CHECKPOINT_TEXT_BYTES);
    char hash[2 * BZL_CHECKPOINT_HASH_BYTES + 1];
    char key[2 * BZL_CHECKPOINT_KEY_BYTES + 1];
    char sig[2 * BZL_CHECKPOINT_SIG_BYTES + 1];
    char when[40];
    bzl_hex_format(cp->hash, sizeof cp->hash, hash, sizeof hash);
    bzl_hex_format(cp->public_key, sizeof cp->public_key, key, sizeof key);
    bzl_hex_format(cp->signature, sizeof cp->signature, sig, sizeof sig);
    if (!time_format(cp->time_ms, when, sizeof when)) {
        buf[0] = '\0';
        return 0; /* a time no checkpoint can carry: the caller treats the reply as garbled */
    }
    int n = snprintf(buf, cap,
                     "bzl-checkpoint: 1\nseq: %llu\nhash: %s\ntime: %s\npublic-key: %s\n"
                     "signature: %s\n",
                     (unsigned long long)cp->seq, hash, when, key, sig);
    BZL_ASSERT(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

/* ---- parsing ---------------------------------------------------------------------------- */

static const char *const line_keys[] = {"bzl-checkpoint", "seq",        "hash",
                                        "time",           "public-key", "signature"};

/* One "key: value" line's value: [*v, *v + *vlen). */
static bool
line_value(const char *line, size_t len, const char *key, const char **v, size_t *vlen)
{
    size_t klen = strlen(key);
    if (len < klen + 2 || memcmp(line, key, klen) != 0 || line[klen] != ':' ||
        line[klen + 1] != ' ') {
        return false;
    }
    *v = line + klen + 2;
    *vlen = len - klen - 2;
    return true;
}

static bool
seq_parse(const char *v, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && v[0] == '0')) {
        return false;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return false;
        }
        uint64_t d = (uint64_t)(v[i] - '0');
        if (x > (UINT64_MAX - d) / 10) {
            return false;
        }
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

static bool
value_parse(size_t index, const char *v, size_t len, bzl_checkpoint *cp)
{
    switch (index) {
    case 0:
        return len == 1 && v[0] == '1';
    case 1:
        return seq_parse(v, len, &cp->seq);
    case 2:
        return bzl_hex_parse(v, len, cp->hash, sizeof cp->hash);
    case 3:
        return time_parse(v, len, &cp->time_ms);
    case 4:
        return bzl_hex_parse(v, len, cp->public_key, sizeof cp->public_key);
    default:
        return bzl_hex_parse(v, len, cp->signature, sizeof cp->signature);
    }
}

static const char *const value_wants[] = {
    "1",
    "a sequence number",
    "64 hex digits",
    "YYYY-MM-DDTHH:MM:SS.mmmZ",
    "64 hex digits",
    "128 hex digits",
};
static_assert(BZL_ARRAY_LEN(value_wants) == BZL_ARRAY_LEN(line_keys), "one want per key");

bzl_status
bzl_checkpoint_parse(const char *text, size_t len, bzl_checkpoint *out, char *why, size_t why_cap)
{
    BZL_ASSERT(text != NULL && out != NULL && why != NULL);
    bzl_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    size_t pos = 0;
    /* Bounded by the six lines of the format. */
    for (size_t i = 0; i < BZL_ARRAY_LEN(line_keys); i++) {
        if (pos >= len) {
            snprintf(why, why_cap, "line %zu: missing, want \"%s: …\"", i + 1, line_keys[i]);
            return BZL_MALFORMED;
        }
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t line_len = nl != NULL ? (size_t)(nl - line) : len - pos;
        pos += line_len + (nl != NULL);
        const char *v = NULL;
        size_t vlen = 0;
        if (!line_value(line, line_len, line_keys[i], &v, &vlen)) {
            snprintf(why, why_cap, "line %zu: want \"%s: …\"", i + 1, line_keys[i]);
            return BZL_MALFORMED;
        }
        if (!value_parse(i, v, vlen, &cp)) {
            snprintf(why, why_cap, "line %zu: %s is not %s", i + 1, line_keys[i], value_wants[i]);
            return BZL_MALFORMED;
        }
    }
    if (pos != len) {
        snprintf(why, why_cap, "line 7: unexpected text after the signature");
        return BZL_MALFORMED;
    }
    *out = cp;
    return BZL_OK;
}
