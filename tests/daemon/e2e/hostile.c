/* hostile.c — proves no byte sequence on the socket crashes, stalls or corrupts bzld: a
 * catalogue of bad inputs, each sent on a raw connection of its own with the exact status (or
 * connection close) it must get; after each, a normal request on a fresh connection succeeds
 * and both books' balances are what they were. Runs against an ASan/UBSan bzld in CI. Besides
 * bytes, the catalogue holds requests the ledger's rules refuse (a trade mode the book type
 * forbids, a reversal of a declaration never posted) and, when run as root, one an enterprise
 * may not send at all (a post), sent from enterprise A's uid; not root, that one is skipped.
 *
 * Every case that ever crashed a fuzz target is added here as a regression (none so far). */
#include <grp.h>
#include <poll.h>

#include "harness.h"

static harness h;

static const char config_text[] = "# hostile: a short idle timeout so a silent peer is cut\n"
                                  "[limits]\n"
                                  "idle_timeout_ms = 400\n";

/* As root, enterprise A gets a uid of its own, for the cases an enterprise sends (its
 * connections pass the socket's mode through group 4242). */
static const char config_root_text[] = "# hostile: a short idle timeout so a silent peer is cut\n"
                                       "[daemon]\n"
                                       "socket_group = 4242\n"
                                       "[limits]\n"
                                       "idle_timeout_ms = 400\n"
                                       "[access]\n"
                                       "enterprise.6201230001 = uid:3011\n";
#define SOCK_GID 4242u
#define UID_ENT_A 3011u

/* A pending declaration of enterprise A, submitted before the catalogue runs. */
#define PENDING_ID "HOSTILE-PENDING"

/* ---- raw connections ------------------------------------------------------------------------ */

static int
raw_connect(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(h.sock) >= sizeof sa.sun_path) {
        h_die("socket path too long");
    }
    memcpy(sa.sun_path, h.sock, strlen(h.sock) + 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        h_die("connect");
    }
    return fd;
}

static bool
send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads exactly n bytes within timeout_ms; false on EOF, error or timeout. */
static bool
recv_all(int fd, uint8_t *p, size_t n, int timeout_ms)
{
    while (n > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) <= 0) {
            return false;
        }
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= (size_t)r;
    }
    return true;
}

/* The next response's status, -1 when the connection closed first, -2 on timeout or garbage. */
static int
read_status(int fd, int timeout_ms)
{
    uint8_t hdr[4];
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0) {
        return -2;
    }
    if (!recv_all(fd, hdr, 4, timeout_ms)) {
        return -1;
    }
    uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    if (len > (8u << 20)) {
        return -2;
    }
    uint8_t *body = malloc(len + 1);
    int st = -2;
    if (body != NULL && recv_all(fd, body, len, timeout_ms)) {
        Bzl__V1__Response *resp = bzl__v1__response__unpack(NULL, len, body);
        if (resp != NULL) {
            st = (int)resp->status;
            bzl__v1__response__free_unpacked(resp, NULL);
        }
    }
    free(body);
    return st;
}

/* True when the peer closes (EOF) within timeout_ms without sending anything more. */
static bool
closes(int fd, int timeout_ms)
{
    uint8_t b;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0) {
        return false;
    }
    return recv(fd, &b, 1, 0) == 0;
}

/* ---- the catalogue ------------------------------------------------------------------------- */

/* What a case must get: a status then the connection open (it may go on), a status then a
 * close, or a close without a reply. */
typedef enum expect { E_STATUS, E_STATUS_CLOSE, E_CLOSE } expect;

typedef struct bytes {
    uint8_t *p;
    size_t n;
} bytes;

static void
bytes_put(bytes *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->n + n);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void
frame_put(bytes *b, const uint8_t *body, size_t n)
{
    uint8_t hdr[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    bytes_put(b, hdr, 4);
    bytes_put(b, body, n);
}

static void
request_put(bytes *b, const Bzl__V1__Request *req)
{
    size_t n = bzl__v1__request__get_packed_size(req);
    uint8_t *body = malloc(n + 1);
    bzl__v1__request__pack(req, body);
    frame_put(b, body, n);
    free(body);
}

/* Declaration field mutations, applied to a valid one-line import into book A. */
typedef enum field {
    F_NONE,
    F_QTY,
    F_VALUE,
    F_USD,
    F_DATE,
    F_ID,
    F_ENT,
    F_BOOK,
    F_TRADE,
    F_UNIT,
    F_CURRENCY,
    F_COUNTRY,
    F_RELBOOK,
    F_ITEM,
    F_KIND,
    F_DIR,
    F_MODE,
    F_LINES_DUP,
    F_LINES_N,
    F_BATCH_N
} field;

typedef struct hostile_case {
    const char *name;
    const uint8_t *raw; /* sent as is when set */
    size_t raw_len;
    field f;
    const char *text; /* the field's new text */
    long num;         /* the field's new number, line count, batch size */
    void (*build)(bytes *b);
    expect want;
    int status;
    bool shut_wr; /* half-close after sending */
} hostile_case;

static char big_name[1u << 20];
static char half_name[512u << 10];

static void
build_decl(bytes *b, const hostile_case *c)
{
    decl_msg m;
    h_decl(&m, "HOSTILE-1", ENT_A, BOOK_A, "5", c->f == F_BATCH_N);
    Bzl__V1__Declaration *d = &m.decl;
    Bzl__V1__DeclarationLine *l = &m.line;
    Bzl__V1__DeclarationLine **many = NULL;
    Bzl__V1__Declaration **decls = NULL;
    switch (c->f) {
    case F_QTY:
        l->qty = (char *)c->text;
        break;
    case F_VALUE:
        l->value = (char *)c->text;
        break;
    case F_USD:
        l->usd = (char *)c->text;
        break;
    case F_DATE:
        d->date = (char *)c->text;
        break;
    case F_ID:
        d->id = (char *)c->text;
        break;
    case F_ENT:
        d->enterprise = (char *)c->text;
        break;
    case F_BOOK:
        d->book = (char *)c->text;
        break;
    case F_TRADE:
        d->trade_mode = (char *)c->text;
        break;
    case F_UNIT:
        l->unit = (char *)c->text;
        break;
    case F_CURRENCY:
        l->currency = (char *)c->text;
        break;
    case F_COUNTRY:
        l->country = (char *)c->text;
        break;
    case F_RELBOOK:
        d->related_book = (char *)c->text;
        break;
    case F_ITEM:
        l->item = (uint32_t)c->num;
        break;
    case F_KIND:
        d->kind = (Bzl__V1__Kind)c->num;
        break;
    case F_DIR:
        d->direction = (Bzl__V1__Direction)c->num;
        break;
    case F_MODE:
        l->mode = (Bzl__V1__BizMode)c->num;
        break;
    case F_LINES_DUP:
    case F_LINES_N:
        many = calloc((size_t)c->num, sizeof *many);
        for (long i = 0; i < c->num; i++) {
            many[i] = l; /* the same item on every line */
        }
        d->n_lines = (size_t)c->num;
        d->lines = many;
        break;
    case F_BATCH_N:
        decls = calloc((size_t)c->num + 1, sizeof *decls);
        for (long i = 0; i < c->num; i++) {
            decls[i] = d;
        }
        m.batch.n_declarations = (size_t)c->num;
        m.batch.declarations = decls;
        break;
    case F_NONE:
        break;
    }
    request_put(b, &m.req);
    free(many);
    free(decls);
}

static void
build_empty_body(bytes *b)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.id = 7;
    request_put(b, &req);
}

static void
build_submit_no_declaration(bytes *b)
{
    Bzl__V1__SubmitDeclaration s = BZL__V1__SUBMIT_DECLARATION__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT;
    req.submit = &s;
    request_put(b, &req);
}

static void
build_register_no_enterprise(bytes *b)
{
    Bzl__V1__RegisterEnterprise re = BZL__V1__REGISTER_ENTERPRISE__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &re;
    request_put(b, &req);
}

static void
register_named(bytes *b, const char *name)
{
    Bzl__V1__Enterprise e = BZL__V1__ENTERPRISE__INIT;
    e.code = "6201239999";
    e.uscc = "91620100MA71AB1C2F";
    e.name = (char *)name;
    Bzl__V1__RegisterEnterprise re = BZL__V1__REGISTER_ENTERPRISE__INIT;
    re.enterprise = &e;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &re;
    request_put(b, &req);
}

static void
build_name_1mib(bytes *b)
{
    register_named(b, big_name);
}
static void
build_name_512kib(bytes *b)
{
    register_named(b, half_name);
}
static void
build_name_bad_utf8(bytes *b)
{
    register_named(b, "Zone \xc3\x28 Co.");
}
static void
build_name_overlong_utf8(bytes *b)
{
    register_named(b, "Zone \xc0\xaf Co.");
}
static void
build_name_newline(bytes *b)
{
    register_named(b, "Zone\nCo.");
}

/* A name with an embedded NUL, written by hand: protobuf-c cannot encode one. */
static void
build_name_nul(bytes *b)
{
    Bzl__V1__Enterprise e = BZL__V1__ENTERPRISE__INIT;
    e.code = "6201239999";
    e.uscc = "91620100MA71AB1C2F";
    e.name = "Zone@Co.";
    Bzl__V1__RegisterEnterprise re = BZL__V1__REGISTER_ENTERPRISE__INIT;
    re.enterprise = &e;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &re;
    size_t n = bzl__v1__request__get_packed_size(&req);
    uint8_t *body = malloc(n);
    bzl__v1__request__pack(&req, body);
    uint8_t *at = memchr(body, '@', n);
    *at = '\0';
    frame_put(b, body, n);
    free(body);
}

static void
build_balances_kind(bytes *b)
{
    Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
    q.book = BOOK_A;
    q.kind = (Bzl__V1__Kind)-1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req.balances = &q;
    request_put(b, &req);
}

static void
build_get_item_kind0(bytes *b)
{
    Bzl__V1__GetItem g = BZL__V1__GET_ITEM__INIT;
    g.book = BOOK_A;
    g.item = 1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_ITEM;
    req.get_item = &g;
    request_put(b, &req);
}

static void
build_list_after_long(bytes *b)
{
    Bzl__V1__ListEnterprises l = BZL__V1__LIST_ENTERPRISES__INIT;
    l.page_token = "e:62012300010000";
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_ENTERPRISES;
    req.list_enterprises = &l;
    request_put(b, &req);
}

static void
build_open_book_period(bytes *b)
{
    Bzl__V1__Book bk = BZL__V1__BOOK__INIT;
    bk.book = "H72012499999";
    bk.enterprise = ENT_A;
    bk.period_days = 99999;
    Bzl__V1__OpenBook ob = BZL__V1__OPEN_BOOK__INIT;
    ob.book = &bk;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &ob;
    request_put(b, &req);
}

static void
build_item_hs9(bytes *b)
{
    Bzl__V1__Item it = BZL__V1__ITEM__INIT;
    it.book = BOOK_A;
    it.kind = BZL__V1__KIND__KIND_MATERIAL;
    it.item = 77;
    it.hs = "120600900";
    it.name = "seed";
    it.unit = "035";
    Bzl__V1__AddItem ai = BZL__V1__ADD_ITEM__INIT;
    ai.item = &it;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
    req.add_item = &ai;
    request_put(b, &req);
}

/* post, reverse: enterprise A's pending declaration, with or without a reason. */
static void
decl_ref_put(bytes *b, Bzl__V1__Request__BodyCase body, const char *reason)
{
    Bzl__V1__DeclarationRef ref = BZL__V1__DECLARATION_REF__INIT;
    ref.enterprise = ENT_A;
    ref.id = PENDING_ID;
    ref.reason = (char *)reason;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = body;
    if (body == BZL__V1__REQUEST__BODY_POST_DECLARATION) {
        req.post_declaration = &ref;
    } else {
        req.reverse_declaration = &ref;
    }
    request_put(b, &req);
}

static void
build_reverse_pending(bytes *b)
{
    decl_ref_put(b, BZL__V1__REQUEST__BODY_REVERSE_DECLARATION, "hostile");
}

static void
build_reverse_no_reason(bytes *b)
{
    decl_ref_put(b, BZL__V1__REQUEST__BODY_REVERSE_DECLARATION, "");
}

static void
build_post_pending(bytes *b)
{
    decl_ref_put(b, BZL__V1__REQUEST__BODY_POST_DECLARATION, "");
}

/* A valid stats request followed by a garbage frame: OK, then MALFORMED. */
static void
build_good_then_garbage(bytes *b)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    request_put(b, &req);
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    frame_put(b, junk, sizeof junk);
}

#define RAW(s) (const uint8_t *)(s), sizeof(s) - 1

/* Statuses (base.h). */
enum {
    OK = 0,
    INVALID = 1,
    NOT_FOUND = 2,
    PERMISSION_DENIED = 4,
    TOO_LARGE = 13,
    EMPTY = 14,
    MALFORMED = 15,
    DSYNTAX = 16,
    DRANGE = 17,
    CODE = 19,
    DATE = 20,
    LIMIT = 21,
    UNSUPPORTED = 23,
    WRONG_BOOK = 26,
    DUP_LINE = 27,
    STATE_CONFLICT = 29,
    FLOW_NOT_ALLOWED = 31,
};

static const hostile_case cases[] = {
    /* framing */
    {"truncated header (2 bytes, then half-close)", RAW("\x00\x00"), F_NONE, NULL, 0, NULL, E_CLOSE,
     0, true},
    {"length 0", RAW("\x00\x00\x00\x00"), F_NONE, NULL, 0, NULL, E_STATUS_CLOSE, EMPTY, false},
    {"length 0x7fffffff", RAW("\x7f\xff\xff\xff"), F_NONE, NULL, 0, NULL, E_STATUS_CLOSE, TOO_LARGE,
     false},
    {"length cap + 1", RAW("\x00\x10\x00\x01"), F_NONE, NULL, 0, NULL, E_STATUS_CLOSE, TOO_LARGE,
     false},
    {"length prefix then silence (idle timeout)", RAW("\x00\x00\x00\x10"), F_NONE, NULL, 0, NULL,
     E_CLOSE, 0, false},
    {"half a body then half-close", RAW("\x00\x00\x00\x10\x08\x01"), F_NONE, NULL, 0, NULL, E_CLOSE,
     0, true},
    {"HTTP request (garbage bytes)", RAW("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), F_NONE, NULL, 0,
     NULL, E_STATUS_CLOSE, TOO_LARGE, false},
    {"garbage protobuf in a valid frame", RAW("\x00\x00\x00\x05\xff\xff\xff\xff\x0f"), F_NONE, NULL,
     0, NULL, E_STATUS, MALFORMED, false},
    {"truncated varint", RAW("\x00\x00\x00\x02\x08\x80"), F_NONE, NULL, 0, NULL, E_STATUS,
     MALFORMED, false},
    {"wire type 7", RAW("\x00\x00\x00\x02\x0f\x01"), F_NONE, NULL, 0, NULL, E_STATUS, MALFORMED,
     false},
    {"length-delimited field past the frame", RAW("\x00\x00\x00\x03\x52\x7f\x00"), F_NONE, NULL, 0,
     NULL, E_STATUS, MALFORMED, false},
    {"unknown oneof field 77", RAW("\x00\x00\x00\x05\x08\x01\xea\x04\x00"), F_NONE, NULL, 0, NULL,
     E_STATUS, UNSUPPORTED, false},
    {"overlong varint id (non-canonical)", RAW("\x00\x00\x00\x04\x08\x81\x80\x00"), F_NONE, NULL, 0,
     NULL, E_STATUS, MALFORMED, false},
    {"a request without a body", NULL, 0, F_NONE, NULL, 0, build_empty_body, E_STATUS, UNSUPPORTED,
     false},
    {"a good frame then a garbage frame", NULL, 0, F_NONE, NULL, 0, build_good_then_garbage,
     E_STATUS, OK, false},
    /* missing fields, enums */
    {"submit without a declaration", NULL, 0, F_NONE, NULL, 0, build_submit_no_declaration,
     E_STATUS, INVALID, false},
    {"register without an enterprise", NULL, 0, F_NONE, NULL, 0, build_register_no_enterprise,
     E_STATUS, INVALID, false},
    {"declaration without an id", NULL, 0, F_ID, "", 0, NULL, E_STATUS, INVALID, false},
    {"declaration without a date", NULL, 0, F_DATE, "", 0, NULL, E_STATUS, DATE, false},
    {"kind 7", NULL, 0, F_KIND, NULL, 7, NULL, E_STATUS, INVALID, false},
    {"direction 99", NULL, 0, F_DIR, NULL, 99, NULL, E_STATUS, INVALID, false},
    {"line mode 9", NULL, 0, F_MODE, NULL, 9, NULL, E_STATUS, INVALID, false},
    {"balances kind -1", NULL, 0, F_NONE, NULL, 0, build_balances_kind, E_STATUS, INVALID, false},
    {"get_item kind unspecified", NULL, 0, F_NONE, NULL, 0, build_get_item_kind0, E_STATUS, INVALID,
     false},
    /* strings */
    {"a 1 MiB name (frame over the cap)", NULL, 0, F_NONE, NULL, 0, build_name_1mib, E_STATUS_CLOSE,
     TOO_LARGE, false},
    {"a 512 KiB name", NULL, 0, F_NONE, NULL, 0, build_name_512kib, E_STATUS, INVALID, false},
    {"invalid UTF-8 in a name", NULL, 0, F_NONE, NULL, 0, build_name_bad_utf8, E_STATUS, INVALID,
     false},
    {"overlong UTF-8 in a name", NULL, 0, F_NONE, NULL, 0, build_name_overlong_utf8, E_STATUS,
     INVALID, false},
    {"embedded NUL in a name", NULL, 0, F_NONE, NULL, 0, build_name_nul, E_STATUS, MALFORMED,
     false},
    {"newline in a name", NULL, 0, F_NONE, NULL, 0, build_name_newline, E_STATUS, INVALID, false},
    {"id of 65 bytes", NULL, 0, F_ID,
     "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDE", 0, NULL, E_STATUS,
     INVALID, false},
    {"invalid UTF-8 in an id", NULL, 0, F_ID, "ID-\xff", 0, NULL, E_STATUS, INVALID, false},
    {"list after 14 characters", NULL, 0, F_NONE, NULL, 0, build_list_after_long, E_STATUS, INVALID,
     false},
    /* decimals */
    {"qty 1e5", NULL, 0, F_QTY, "1e5", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty -0", NULL, 0, F_QTY, "-0", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty +1", NULL, 0, F_QTY, "+1", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty 1,000", NULL, 0, F_QTY, "1,000", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty .5", NULL, 0, F_QTY, ".5", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty 5.", NULL, 0, F_QTY, "5.", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty in Arabic-Indic digits", NULL, 0, F_QTY, "\xd9\xa1\xd9\xa2\xd9\xa3", 0, NULL, E_STATUS,
     DSYNTAX, false},
    {"qty of 30 digits", NULL, 0, F_QTY, "123456789012345678901234567890", 0, NULL, E_STATUS,
     DRANGE, false},
    {"qty with 6 decimals", NULL, 0, F_QTY, "1.123456", 0, NULL, E_STATUS, DRANGE, false},
    {"qty 007", NULL, 0, F_QTY, "007", 0, NULL, E_STATUS, DSYNTAX, false},
    {"qty with a space", NULL, 0, F_QTY, " 5", 0, NULL, E_STATUS, DSYNTAX, false},
    {"negative qty", NULL, 0, F_QTY, "-5", 0, NULL, E_STATUS, DRANGE, false},
    {"zero qty", NULL, 0, F_QTY, "0", 0, NULL, E_STATUS, INVALID, false},
    {"negative value", NULL, 0, F_VALUE, "-1", 0, NULL, E_STATUS, DRANGE, false},
    {"usd 1e2", NULL, 0, F_USD, "1e2", 0, NULL, E_STATUS, DSYNTAX, false},
    /* dates */
    {"date 2026-02-30", NULL, 0, F_DATE, "2026-02-30", 0, NULL, E_STATUS, DATE, false},
    {"date 2026-13-01", NULL, 0, F_DATE, "2026-13-01", 0, NULL, E_STATUS, DATE, false},
    {"date 2026-3-1", NULL, 0, F_DATE, "2026-3-1", 0, NULL, E_STATUS, DATE, false},
    /* codes */
    {"enterprise code in lower case", NULL, 0, F_ENT, "62012300ab", 0, NULL, E_STATUS, CODE, false},
    {"book of type D", NULL, 0, F_BOOK, "D72012400001", 0, NULL, E_STATUS, CODE, false},
    {"trade mode ABCD", NULL, 0, F_TRADE, "ABCD", 0, NULL, E_STATUS, CODE, false},
    {"unit XYZ", NULL, 0, F_UNIT, "XYZ", 0, NULL, E_STATUS, CODE, false},
    {"currency 999", NULL, 0, F_CURRENCY, "999", 0, NULL, E_STATUS, CODE, false},
    {"country ZZZ", NULL, 0, F_COUNTRY, "ZZZ", 0, NULL, E_STATUS, CODE, false},
    {"related book 12 spaces", NULL, 0, F_RELBOOK, "            ", 0, NULL, E_STATUS, CODE, false},
    {"HS code of 9 digits", NULL, 0, F_NONE, NULL, 0, build_item_hs9, E_STATUS, CODE, false},
    {"book period of 99999 days", NULL, 0, F_NONE, NULL, 0, build_open_book_period, E_STATUS,
     INVALID, false},
    /* lines, batches, references */
    {"duplicate line items", NULL, 0, F_LINES_DUP, NULL, 2, NULL, E_STATUS, DUP_LINE, false},
    {"10,001 lines", NULL, 0, F_LINES_N, NULL, 10001, NULL, E_STATUS, LIMIT, false},
    {"a batch of 0 declarations", NULL, 0, F_BATCH_N, NULL, 0, NULL, E_STATUS, INVALID, false},
    {"a batch of 1,001 declarations", NULL, 0, F_BATCH_N, NULL, 1001, NULL, E_STATUS, LIMIT, false},
    {"item 0", NULL, 0, F_ITEM, NULL, 0, NULL, E_STATUS, INVALID, false},
    {"an item that does not exist", NULL, 0, F_ITEM, NULL, 424242, NULL, E_STATUS, NOT_FOUND,
     false},
    {"a book that does not exist", NULL, 0, F_BOOK, "H72012499999", 0, NULL, E_STATUS, NOT_FOUND,
     false},
    {"a declaration for another enterprise's book", NULL, 0, F_ENT, ENT_B, 0, NULL, E_STATUS,
     WRONG_BOOK, false},
    /* the ledger's rules: flows, declaration states, rights */
    {"trade mode 0615 (C and E books only) on an H-book", NULL, 0, F_TRADE, "0615", 0, NULL,
     E_STATUS, FLOW_NOT_ALLOWED, false},
    {"reversal of a pending (never posted) declaration", NULL, 0, F_NONE, NULL, 0,
     build_reverse_pending, E_STATUS, STATE_CONFLICT, false},
    {"reversal without a reason", NULL, 0, F_NONE, NULL, 0, build_reverse_no_reason, E_STATUS,
     INVALID, false},
};

/* Sent by enterprise A's uid (root only: skipped otherwise). */
static const hostile_case enterprise_cases[] = {
    {"a post by an enterprise (its own declaration)", NULL, 0, F_NONE, NULL, 0, build_post_pending,
     E_STATUS, PERMISSION_DENIED, false},
};

/* ---- running ----------------------------------------------------------------------------------
 */

static bool
fresh_request_ok(void)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    return h_status(&h, &req, NULL, 0) == OK;
}

/* Sends the case on a raw connection of its own and reads what comes back: the status (-3 when
 * none was awaited) and whether the peer closed. False when not everything could be sent. */
static bool
exchange(const hostile_case *c, int *got, bool *closed)
{
    bytes b = {0};
    if (c->raw != NULL) {
        bytes_put(&b, c->raw, c->raw_len);
    } else if (c->build != NULL) {
        c->build(&b);
    } else {
        build_decl(&b, c);
    }
    int fd = raw_connect();
    bool sent = send_all(fd, b.p, b.n);
    free(b.p);
    if (c->shut_wr) {
        shutdown(fd, SHUT_WR);
    }
    *got = -3;
    *closed = false;
    if (c->want == E_CLOSE) {
        *closed = closes(fd, 5000);
    } else {
        *got = read_status(fd, 10000);
        *closed = c->want == E_STATUS_CLOSE ? closes(fd, 5000) : false;
    }
    if (c->build == build_good_then_garbage && *got == OK) {
        *got = read_status(fd, 10000) == MALFORMED ? OK : -4; /* the second reply */
    }
    close(fd);
    return sent;
}

/* exchange() from a child that switched to enterprise A's uid. */
static bool
exchange_as_enterprise(const hostile_case *c, int *got, bool *closed)
{
    int fds[2];
    if (pipe(fds) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        h_die("fork");
    }
    if (pid == 0) {
        close(fds[0]);
        gid_t groups[1] = {SOCK_GID};
        if (setgroups(1, groups) != 0 || setresgid(UID_ENT_A, UID_ENT_A, UID_ENT_A) != 0 ||
            setresuid(UID_ENT_A, UID_ENT_A, UID_ENT_A) != 0) {
            _exit(100);
        }
        bool sent = exchange(c, got, closed);
        dprintf(fds[1], "%d %d %d", *got, *closed, sent);
        _exit(0);
    }
    close(fds[1]);
    char buf[64] = "";
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    waitpid(pid, NULL, 0);
    int closed_i = 0, sent_i = 0;
    if (sscanf(buf, "%d %d %d", got, &closed_i, &sent_i) != 3) {
        *got = -5; /* the child could not switch uids or connect */
    }
    *closed = closed_i != 0;
    return sent_i != 0;
}

/* 1 when the case passed, 0 when it failed, -1 when it was skipped. */
static int
run_case(const hostile_case *c, bool as_enterprise, const char *bal_a, const char *bal_b)
{
    if (as_enterprise && geteuid() != 0) {
        printf("skip: %-44s needs root to send as another uid\n", c->name);
        return -1;
    }
    int got = -3;
    bool closed = false;
    bool sent =
        as_enterprise ? exchange_as_enterprise(c, &got, &closed) : exchange(c, &got, &closed);
    bool pass = (c->want == E_CLOSE && closed) || (c->want == E_STATUS && got == c->status) ||
                (c->want == E_STATUS_CLOSE && got == c->status && closed);
    if (!pass) {
        h_fail("%s: got status %d%s (sent %s), expected %s %d", c->name, got,
               closed ? " and a close" : "", sent ? "all" : "part",
               c->want == E_CLOSE ? "a close" : "status", c->status);
    }
    char a[128], bb[128];
    h_balance(&h, BOOK_A, a, sizeof a);
    h_balance(&h, BOOK_B, bb, sizeof bb);
    if (!fresh_request_ok() || strcmp(a, bal_a) != 0 || strcmp(bb, bal_b) != 0) {
        h_fail("%s: afterwards a fresh request %s and balances are A %s B %s (were %s, %s)",
               c->name, fresh_request_ok() ? "succeeds" : "FAILS", a, bb, bal_a, bal_b);
        return 0;
    }
    if (pass) {
        printf("ok: %-46s %s\n", c->name,
               c->want == E_CLOSE          ? "closed"
               : c->want == E_STATUS_CLOSE ? "status, closed"
                                           : "status");
    }
    return pass ? 1 : 0;
}

/* Enterprise A's pending import of 5, for the cases about declaration states. */
static void
seed_pending(void)
{
    decl_msg m;
    h_decl(&m, PENDING_ID, ENT_A, BOOK_A, "5", false);
    m.decl.pending = true;
    if (h_status(&h, &m.req, NULL, 0) != OK) {
        fprintf(stderr, "hostile: submitting the pending declaration failed\n");
        exit(1);
    }
}

int
main(void)
{
    memset(big_name, 'N', sizeof big_name - 1);
    memset(half_name, 'N', sizeof half_name - 1);
    harness_init(&h, geteuid() == 0 ? config_root_text : config_text);
    harness_start(&h, BZLD_PATH);
    harness_seed(&h);
    seed_pending();
    char bal_a[128], bal_b[128];
    h_balance(&h, BOOK_A, bal_a, sizeof bal_a);
    h_balance(&h, BOOK_B, bal_b, sizeof bal_b);
    uint64_t entries = h_journal_entries(&h);
    size_t skipped = 0;
    size_t total = BZL_ARRAY_LEN(cases) + BZL_ARRAY_LEN(enterprise_cases);
    for (size_t i = 0; i < total; i++) {
        bool as_enterprise = i >= BZL_ARRAY_LEN(cases);
        const hostile_case *c =
            as_enterprise ? &enterprise_cases[i - BZL_ARRAY_LEN(cases)] : &cases[i];
        skipped += run_case(c, as_enterprise, bal_a, bal_b) < 0;
        if (!harness_alive(&h)) {
            h_fail("bzld died after \"%s\"", c->name);
            return 1;
        }
    }
    if (h_journal_entries(&h) != entries) {
        h_fail("the journal grew from %llu entries: a hostile input was accepted",
               (unsigned long long)entries);
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM (directory %s kept)", h.dir);
    }
    printf("%zu hostile inputs (%zu skipped), %d failures\n", total, skipped, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
