/* decl_text.c — what declaration and stocktake files share before they are parsed: reading the
 * file whole, the byte-order mark and the encoding Excel on Chinese Windows writes, and the one
 * way their errors are said (`file:line: field: reason`, or one JSON object each). */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

/* ---- errors ------------------------------------------------------------------------------- */

void
decl_errors_begin(decl_errors *e, const char *label)
{
    BZL_ASSERT(label != NULL);
    e->label = label;
    e->count = 0;
}

void
decl_error(decl_errors *e, size_t file_line, const char *path, const char *field, const char *fmt,
           ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    e->count++;
    if (e->count > CLI_FILE_ERRORS_MAX + 1) {
        return;
    }
    bool over = e->count == CLI_FILE_ERRORS_MAX + 1;
    if (over) {
        /* Said once, on the first error past the bound; the callers stop soon after. */
        file_line = 0;
        path = NULL;
        field = NULL;
        snprintf(reason, sizeof reason, "too many errors; the rest of the file was not checked");
    }
    if (e->arr != NULL) {
        bool ok = true;
        json_t *obj = json_object();
        cli_json_put(obj, "file", cli_json_str(e->label), &ok);
        cli_json_put(obj, "status", cli_json_str("MALFORMED"), &ok);
        cli_json_put(obj, "line", file_line > 0 ? json_integer((json_int_t)file_line) : json_null(),
                     &ok);
        cli_json_put(obj, "path", path != NULL ? cli_json_str(path) : json_null(), &ok);
        cli_json_put(obj, "field", field != NULL ? cli_json_str(field) : json_null(), &ok);
        cli_json_put(obj, "message", cli_json_str(reason), &ok);
        cli_json_push(e->arr, obj, &ok);
        return;
    }
    fputs(e->label, stderr);
    if (file_line > 0) {
        fprintf(stderr, ":%zu", file_line);
    }
    if (path != NULL) {
        fprintf(stderr, ": %s", path);
    } else if (field != NULL) {
        fprintf(stderr, ": %s", field);
    }
    fprintf(stderr, ": %s\n", reason);
}

/* ---- reading ------------------------------------------------------------------------------ */

/* Reads the whole file (path "-": standard input) into *buf (owned, NUL-terminated), at most
 * CLI_DECL_FILE_BYTES_MAX bytes. BZL_OK, BZL_MALFORMED (said), BZL_NO_MEMORY. */
static bzl_status
slurp(decl_errors *e, const char *path, char **buf, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    bzl_status st = BZL_MALFORMED;
    size_t cap = 1u << 16, n = 0;
    char *b = NULL;
    struct stat sb;
    if (fp == NULL) {
        decl_error(e, 0, NULL, NULL, "cannot open: %s", strerror(errno));
        goto done;
    }
    /* fopen opens a directory and the parser would then blame the text in it. */
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        decl_error(e, 0, NULL, NULL, "cannot read: %s", strerror(EISDIR));
        goto done;
    }
    for (;;) {
        if (b == NULL || n + 1 >= cap) {
            cap = b == NULL ? cap : cap * 2;
            char *nb = realloc(b, cap);
            if (nb == NULL) {
                st = BZL_NO_MEMORY;
                goto done;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n - 1, fp);
        n += got;
        if (n > CLI_DECL_FILE_BYTES_MAX) {
            decl_error(e, 0, NULL, NULL, "larger than %u MiB; split it",
                       CLI_DECL_FILE_BYTES_MAX >> 20);
            goto done;
        }
        if (got == 0) {
            break;
        }
    }
    if (ferror(fp)) {
        decl_error(e, 0, NULL, NULL, "cannot read: %s", strerror(errno));
        goto done;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    b = NULL;
    st = BZL_OK;
done:
    free(b);
    if (fp != NULL && !is_stdin) {
        fclose(fp);
    }
    return st;
}

/* Converts text[0..len) from `from` to UTF-8 with iconv(3) into *out (owned, NUL-terminated).
 * Returns 0, or the errno iconv failed with (EILSEQ, EINVAL: the bytes are not of that
 * encoding; ENOMEM; or EINVAL from iconv_open for an encoding it does not know). */
static int
convert(const char *from, const char *text, size_t len, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    int err = 0;
    /* GB18030 takes at most 4 bytes per character and UTF-8 at most 4 per code point, and
     * one byte (ASCII) becomes one: twice the input plus room is always enough. */
    size_t cap = len * 2 + 16;
    char *buf = NULL;
    if (cd == (iconv_t)-1) {
        return errno;
    }
    buf = malloc(cap);
    if (buf == NULL) {
        err = ENOMEM;
        goto done;
    }
    char *in = (char *)text;
    size_t in_left = len;
    char *o = buf;
    size_t o_left = cap - 1;
    if (iconv(cd, &in, &in_left, &o, &o_left) == (size_t)-1) {
        err = errno == E2BIG ? ENOMEM : errno;
        goto done;
    }
    *o = '\0';
    *out = buf;
    *out_len = (size_t)(o - buf);
    buf = NULL;
done:
    free(buf);
    iconv_close(cd);
    return err;
}

/* The 1-based line and the offset of the first byte of text that does not start a UTF-8
 * sequence, or 0 when all of it is UTF-8. */
static size_t
utf8_bad_line(const char *text, size_t len, size_t *offset)
{
    size_t line = 1;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = (unsigned char)text[i] < 0x80
                       ? 1
                       : cli_utf8_decode((const unsigned char *)text + i, &cp);
        if (n == 0 || text[i] == '\0') {
            *offset = i;
            return line;
        }
        line += text[i] == '\n';
        i += n;
    }
    return 0;
}

bzl_status
decl_text_read(decl_errors *e, const char *path, const char *encoding, char **text, size_t *len)
{
    char *raw = NULL;
    size_t raw_len = 0;
    bzl_status st = slurp(e, path, &raw, &raw_len);
    if (st != BZL_OK) {
        return st;
    }
    if (encoding != NULL && strcasecmp(encoding, "utf-8") != 0 &&
        strcasecmp(encoding, "utf8") != 0) {
        char *conv = NULL;
        size_t conv_len = 0;
        int err = convert(encoding, raw, raw_len, &conv, &conv_len);
        if (err == ENOMEM) {
            st = BZL_NO_MEMORY;
            goto done;
        }
        if (err != 0) {
            decl_error(e, 0, NULL, NULL, "cannot be read as %s: %s", encoding,
                       err == EILSEQ || err == EINVAL ? "its bytes are not of that encoding"
                                                      : strerror(err));
            st = BZL_MALFORMED;
            goto done;
        }
        free(raw);
        raw = conv;
        raw_len = conv_len;
    }
    /* A UTF-8 byte-order mark, as Excel's "CSV UTF-8" and Notepad write: invisible, so never
     * worth an error. */
    size_t skip = raw_len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t offset = 0;
    size_t bad_line = utf8_bad_line(raw + skip, raw_len - skip, &offset);
    if (bad_line > 0) {
        char *conv = NULL;
        size_t conv_len = 0;
        /* Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK; GB18030 is its
         * superset, so a file that converts cleanly from it is very likely that. */
        bool gbk = convert("GB18030", raw, raw_len, &conv, &conv_len) == 0;
        free(conv);
        decl_error(e, bad_line, NULL, NULL,
                   "the file is not UTF-8 (byte 0x%02X at offset %zu)%s; save it as UTF-8 (Excel: "
                   "Save As \"CSV UTF-8\") or give --encoding %s",
                   (unsigned)(unsigned char)raw[skip + offset], skip + offset,
                   gbk ? "; its bytes read as GBK/GB18030, as Excel on Chinese Windows writes" : "",
                   gbk ? "gb18030" : "ENCODING");
        st = BZL_MALFORMED;
        goto done;
    }
    if (skip > 0) {
        memmove(raw, raw + skip, raw_len - skip + 1);
        raw_len -= skip;
    }
    *text = raw;
    *len = raw_len;
    raw = NULL;
done:
    free(raw);
    return st;
}

/* ---- codes that lost their zeros -------------------------------------------------------- */

bool
decl_zero_hint(const char *v, size_t width, bzl_status (*check)(const char *, size_t), char *out,
               size_t cap)
{
    size_t len = strlen(v);
    if (len == 0 || len >= width || width >= cap || strspn(v, "0123456789") != len) {
        return false;
    }
    memset(out, '0', width - len);
    memcpy(out + (width - len), v, len + 1);
    return check(out, width) == BZL_OK;
}
