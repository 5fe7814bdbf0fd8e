/* log.h — one line per event on stderr, with the syslog level prefix journald understands. */
#ifndef BZLD_LOG_H
#define BZLD_LOG_H

#include "bzl/base.h"

enum {
    BZLD_LOG_ERR = 3,
    BZLD_LOG_WARNING = 4,
    BZLD_LOG_NOTICE = 5,
    BZLD_LOG_INFO = 6,
    BZLD_LOG_DEBUG = 7,
};

/* Messages above this level are dropped (default BZLD_LOG_INFO). */
void bzld_log_set_level(int level);

/* Writes "<level>message\n" in a single write(2), so lines from threads never interleave.
 * The message is cut at 1 KiB. */
void bzld_log(int level, const char *fmt, ...) BZL_PRINTF(2, 3);

#endif
