/* base.c — status names and texts from the one X-macro map, and the assertion sink. */
#include "bzl/base.h"

#include <stdio.h>
#include <stdlib.h>

/* Numbers are dense once every branch's statuses are merged; while 39-40 are held by work in
 * progress elsewhere (proto/bzl.proto's Status comment) the map may skip them, and a skipped
 * number reads as unknown. */
#define BZL_STATUS_MAX_ENUM(name, num, text) +1
static_assert(0 BZL_STATUS_MAP(BZL_STATUS_MAX_ENUM) <= BZL_STATUS_COUNT,
              "BZL_STATUS_COUNT bounds the number of statuses");
#undef BZL_STATUS_MAX_ENUM
static_assert(BZL_TRANSFER_MISMATCH + 1 == BZL_STATUS_COUNT, "the highest status closes the map");

static const char *const status_names[BZL_STATUS_COUNT] = {
#define BZL_STATUS_NAME(name, num, text) [num] = #name,
    BZL_STATUS_MAP(BZL_STATUS_NAME)
#undef BZL_STATUS_NAME
};

static const char *const status_texts[BZL_STATUS_COUNT] = {
#define BZL_STATUS_TEXT(name, num, text) [num] = text,
    BZL_STATUS_MAP(BZL_STATUS_TEXT)
#undef BZL_STATUS_TEXT
};

bool
bzl_status_known(int number)
{
    return number >= 0 && number < BZL_STATUS_COUNT && status_names[number] != NULL;
}

const char *
bzl_status_name(bzl_status status)
{
    return bzl_status_known((int)status) ? status_names[status] : "UNKNOWN";
}

const char *
bzl_status_text(bzl_status status)
{
    return bzl_status_known((int)status) ? status_texts[status] : "unknown status";
}

void
bzl_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "<2>bzl: assertion failed: %s (%s:%d)\n", cond, file, line);
    fflush(stderr);
    abort();
}
