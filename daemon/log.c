/* log.c — journald-friendly line logging: "<3>text" on stderr, one write per line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bzl/ledger.h"

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
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* Messages quote client bytes: a control character (a newline that would start a line
     * of its own, with a forged "<2>" priority) or a byte outside UTF-8 is written as \xNN,
     * so one call is one line and the journal sees only what bzld meant. */
    char line[sizeof text * 4 + 8];
    size_t len = (size_t)snprintf(line, sizeof line, "<%d>", level);
    size_t text_len = strlen(text);
    for (size_t i = 0; i < text_len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = bzl_utf8_seq_len(text + i, text_len - i);
        if (n > 1 || (n == 1 && c >= 0x20u && c != 0x7Fu)) {
            memcpy(line + len, text + i, n);
            len += n;
            i += n;
        } else {
            len += (size_t)snprintf(line + len, sizeof line - len, "\\x%02x", c);
            i++;
        }
    }
    line[len++] = '\n';
    /* One write per line: stderr is unbuffered and shared with the writer thread. */
    ssize_t rc = write(STDERR_FILENO, line, len);
    (void)rc;
}
