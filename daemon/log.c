/* log.c — journald-friendly line logging: "<3>text" on stderr, one write per line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int log_level_max = BZLD_LOG_INFO;

void
bzld_log_set_level(int level)
{
    BZL_ASSERT(level >= BZLD_LOG_ERR);
    BZL_ASSERT(level <= BZLD_LOG_DEBUG);
    log_level_max = level;
}

void
bzld_log(int level, const char *fmt, ...)
{
    if (level > log_level_max) {
        return;
    }
    char line[1100];
    int head = snprintf(line, sizeof line, "<%d>", level);
    va_list ap;
    va_start(ap, fmt);
    int body = vsnprintf(line + head, sizeof line - (size_t)head - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)head + (body < 0 ? 0 : (size_t)body);
    if (len > sizeof line - 2) {
        len = sizeof line - 2;
    }
    line[len++] = '\n';
    /* One write per line: stderr is unbuffered and shared with the writer thread. */
    ssize_t rc = write(STDERR_FILENO, line, len);
    (void)rc;
}
