/* check_text.c — client bytes cannot forge bzld's log or corrupt its replies (red-team finding 9
 * of issue 13): a book number carrying a newline and a journald priority prefix ("<2>") ends up
 * on one escaped log line, never a line of its own; a reply that quotes a client string cut to
 * a byte count (a 40-byte prefix of a name of 3-byte characters) is still valid UTF-8, which
 * strict protobuf runtimes require of a string field. */
#include "harness.h"

static harness h;

/* Whether s[0..len) is well-formed UTF-8 (Unicode table 3-7: no overlongs, no surrogates). */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t n = b < 0x80                 ? 1
                   : b >= 0xC2 && b <= 0xDF ? 2
                   : b >= 0xE0 && b <= 0xEF ? 3
                   : b >= 0xF0 && b <= 0xF4 ? 4
                                            : 0;
        if (n == 0 || i + n > len) {
            return false;
        }
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        if ((b == 0xE0 && s[i + 1] < 0xA0) || (b == 0xED && s[i + 1] > 0x9F) ||
            (b == 0xF0 && s[i + 1] < 0x90) || (b == 0xF4 && s[i + 1] > 0x8F)) {
            return false;
        }
        i += n;
    }
    return true;
}

/* The status and message of GetBook(book). */
static int
get_book(const char *book, char *msg, size_t cap)
{
    Bzl__V1__GetBook gb = BZL__V1__GET_BOOK__INIT;
    gb.book = (char *)book;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_BOOK;
    req.get_book = &gb;
    return h_status(&h, &req, msg, cap);
}

int
main(void)
{
    harness_init(&h, "[daemon]\nlog_level = info\n");
    harness_start(&h, BZLD_PATH);
    int checked = 0;

    char msg[1024];
    int st = get_book("H7\n<2>bzld: FORGED critical line", msg, sizeof msg);
    checked++;
    if (st != BZL__V1__STATUS__STATUS_INVALID_CODE) {
        h_fail("a book number with a newline: status %d, want INVALID_CODE", st);
    }

    /* Fourteen 3-byte characters: 42 bytes, so a 40-byte cut lands inside the fourteenth. */
    char name[64] = "";
    for (int i = 0; i < 14; i++) {
        strcat(name, "错");
    }
    st = get_book(name, msg, sizeof msg);
    checked++;
    if (st != BZL__V1__STATUS__STATUS_INVALID_CODE) {
        h_fail("a multi-byte book number: status %d, want INVALID_CODE", st);
    }
    checked++;
    if (!utf8_valid((const unsigned char *)msg, strlen(msg))) {
        h_fail("the reply quoting a cut multi-byte book number is not valid UTF-8: \"%s\"", msg);
    } else {
        printf("ok: a reply quoting a cut multi-byte string is valid UTF-8: %s\n", msg);
    }

    /* The log is written a line at a time as replies go out: read it while bzld runs, since
     * a clean stop removes the directory. */
    char log_path[320];
    snprintf(log_path, sizeof log_path, "%s/bzld.stderr", h.dir);
    FILE *f = fopen(log_path, "r");
    if (f == NULL) {
        h_die("open bzld.stderr");
    }
    char line[2048];
    bool forged = false;
    bool escaped = false;
    bool bad_utf8 = false;
    while (fgets(line, sizeof line, f) != NULL) {
        forged |= strncmp(line, "<2>bzld: FORGED", 15) == 0 || strncmp(line, "<2>", 3) == 0;
        /* The whole refusal on one line: the newline neutralised ('?' in the reply's text,
         * or \x0a), the forged prefix inside it. */
        escaped |= strstr(line, "is not valid") != NULL &&
                   (strstr(line, "H7?<2>bzld: FORGED") != NULL ||
                    strstr(line, "H7\\x0a<2>bzld: FORGED") != NULL);
        bad_utf8 |= !utf8_valid((const unsigned char *)line, strlen(line));
    }
    fclose(f);
    checked += 3;
    if (forged) {
        h_fail("a client's newline started a log line of its own at priority 2");
    }
    if (!escaped) {
        h_fail("the refusal is not one log line with the client's newline neutralised");
    } else {
        printf("ok: the refusal is one log line with the client's newline neutralised\n");
    }
    if (bad_utf8) {
        h_fail("a log line is not valid UTF-8");
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM");
    }
    printf("check_text: %d checks, %d failures\n", checked, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
