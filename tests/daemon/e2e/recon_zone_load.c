/* recon_zone_load.c — loads the verification view's large zone for recon_view.sh, fast: BOOKS
 * H-books, BOOKS_PER_ENTERPRISE to an enterprise, one material item per book (电解铜,
 * kilograms). Books 1 to COUNTED import 1000 kg on 2025-06-01 and are counted on 2025-12-31:
 * 1000 kg, except book SHORT, which counts 900 (a shortage of -10 %). The other books were
 * opened for the next year: their import is dated 2026-01-15, so 2025 finds them idle (no
 * opening, no movement, nothing to count). A zone where every 2025 material is counted and
 * within tolerance, or idle, but one.
 *
 * One connection, requests pipelined WINDOW deep, phase after phase (enterprises, books,
 * items, imports, stocktakes), so the writer commits many per transaction: the CLI would pay a
 * process per request, thousands of seconds under ASan. Exits 0, or 1 naming the first refusal.
 *   usage: recon_zone_load SOCKET BOOKS COUNTED SHORT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/client.h"

/* Requests in flight: well under the daemon's default per-connection bound (256). */
#define WINDOW 128u
#define BOOKS_MAX 99999u
/* Books one enterprise owns: fewer enterprises to register, the same books to verify. */
#define BOOKS_PER_ENTERPRISE 100u

typedef enum { P_ENTERPRISE, P_BOOK, P_ITEM, P_IMPORT, P_STOCKTAKE, P_COUNT } phase;
static const char *const phase_names[P_COUNT] = {"enterprise", "book", "item", "import",
                                                 "stocktake"};

typedef struct names {
    char code[11];
    char uscc[19];
    char book[13];
    char id[32];
    char ent_name[40];
} names;

/* The names of book e and of its enterprise (number e for the enterprise phase); the USCC
 * passes the GB 32100 check (17 characters, then the check one). */
static void
names_of(phase p, unsigned e, names *n)
{
    unsigned owner = p == P_ENTERPRISE ? e : (e - 1) / BOOKS_PER_ENTERPRISE + 1;
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const unsigned weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                         29, 25, 13, 8,  24, 10, 30, 28};
    snprintf(n->code, sizeof n->code, "RVZ%07u", owner);
    snprintf(n->book, sizeof n->book, "HRVZ%08u", e);
    snprintf(n->id, sizeof n->id, "RVZ-IMP-%u", e);
    snprintf(n->ent_name, sizeof n->ent_name, "zone enterprise %u", owner);
    snprintf(n->uscc, sizeof n->uscc, "91110000%09u", owner);
    unsigned sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (unsigned)(strchr(alphabet, n->uscc[i]) - alphabet) * weights[i];
    }
    n->uscc[17] = alphabet[(31u - sum % 31u) % 31u];
    n->uscc[18] = '\0';
}

/* Sends phase p's request for book e (the protobuf structures live only until the send:
 * the client packs them). */
static int
send_one(bzl_client *c, phase p, unsigned e, unsigned counted, unsigned short_book)
{
    names n;
    names_of(p, e, &n);
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__Enterprise ent = BZL__V1__ENTERPRISE__INIT;
    Bzl__V1__RegisterEnterprise reg = BZL__V1__REGISTER_ENTERPRISE__INIT;
    Bzl__V1__Book book = BZL__V1__BOOK__INIT;
    Bzl__V1__OpenBook open = BZL__V1__OPEN_BOOK__INIT;
    Bzl__V1__Item item = BZL__V1__ITEM__INIT;
    Bzl__V1__AddItem add = BZL__V1__ADD_ITEM__INIT;
    Bzl__V1__DeclarationLine line = BZL__V1__DECLARATION_LINE__INIT;
    Bzl__V1__DeclarationLine *lines[] = {&line};
    Bzl__V1__Declaration decl = BZL__V1__DECLARATION__INIT;
    Bzl__V1__SubmitDeclaration sub = BZL__V1__SUBMIT_DECLARATION__INIT;
    Bzl__V1__StocktakeLine count = BZL__V1__STOCKTAKE_LINE__INIT;
    Bzl__V1__StocktakeLine *counts[] = {&count};
    Bzl__V1__SubmitStocktake st = BZL__V1__SUBMIT_STOCKTAKE__INIT;
    switch (p) {
    case P_ENTERPRISE:
        ent.code = n.code;
        ent.uscc = n.uscc;
        ent.name = n.ent_name;
        ent.area = "core bonded zone";
        reg.enterprise = &ent;
        req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
        req.register_enterprise = &reg;
        break;
    case P_BOOK:
        book.book = n.book;
        book.enterprise = n.code;
        open.book = &book;
        req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
        req.open_book = &open;
        break;
    case P_ITEM:
        item.book = n.book;
        item.kind = BZL__V1__KIND__KIND_MATERIAL;
        item.item = 1;
        item.hs = "7403110000";
        item.name = "电解铜";
        item.unit = "035";
        add.item = &item;
        req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
        req.add_item = &add;
        break;
    case P_IMPORT:
        line.item = 1;
        line.qty = "1000";
        line.unit = "035";
        line.value = "8000";
        line.currency = "502";
        decl.id = n.id;
        decl.enterprise = n.code;
        decl.book = n.book;
        decl.kind = BZL__V1__KIND__KIND_MATERIAL;
        decl.direction = BZL__V1__DIRECTION__DIRECTION_IN;
        decl.trade_mode = "5015";
        decl.date = e <= counted ? "2025-06-01" : "2026-01-15";
        decl.n_lines = 1;
        decl.lines = lines;
        sub.declaration = &decl;
        req.body_case = BZL__V1__REQUEST__BODY_SUBMIT;
        req.submit = &sub;
        break;
    default:
        count.kind = BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL;
        count.item = 1;
        count.qty = e == short_book ? "900" : "1000";
        st.book = n.book;
        st.date = "2025-12-31";
        st.n_lines = 1;
        st.lines = counts;
        req.body_case = BZL__V1__REQUEST__BODY_STOCKTAKE;
        req.stocktake = &st;
        break;
    }
    bzl_status s = bzl_client_send(c, &req);
    if (s != BZL_OK) {
        fprintf(stderr, "recon_zone_load: send %s %u: %s\n", phase_names[p], e,
                bzl_client_error(c));
        return 1;
    }
    return 0;
}

/* Reads one answer: OK, or ALREADY_EXISTS for a record a second load finds. */
static int
recv_one(bzl_client *c, phase p)
{
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_recv(c, &resp) != BZL_OK) {
        fprintf(stderr, "recon_zone_load: %s: %s\n", phase_names[p], bzl_client_error(c));
        return 1;
    }
    int rc = 0;
    if (resp->status != BZL__V1__STATUS__STATUS_OK &&
        resp->status != BZL__V1__STATUS__STATUS_ALREADY_EXISTS) {
        fprintf(stderr, "recon_zone_load: %s refused: %s\n", phase_names[p], resp->message);
        rc = 1;
    } else if (resp->result_case == BZL__V1__RESPONSE__RESULT_SUBMIT &&
               resp->submit->status != BZL__V1__STATUS__STATUS_OK) {
        fprintf(stderr, "recon_zone_load: import refused: %s\n", resp->submit->message);
        rc = 1;
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

int
main(int argc, char **argv)
{
    unsigned books = argc == 5 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;
    unsigned counted = argc == 5 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
    unsigned short_book = argc == 5 ? (unsigned)strtoul(argv[4], NULL, 10) : 0;
    if (books > BOOKS_MAX || short_book == 0 || short_book > counted || counted > books) {
        fprintf(stderr,
                "usage: recon_zone_load SOCKET BOOKS COUNTED SHORT "
                "(1 <= SHORT <= COUNTED <= BOOKS <= %u)\n",
                BOOKS_MAX);
        return 2;
    }
    bzl_client *c = NULL;
    char why[256];
    if (bzl_client_connect(argv[1], &c, why, sizeof why) != BZL_OK) {
        fprintf(stderr, "recon_zone_load: %s\n", why);
        return 1;
    }
    int rc = 0;
    for (phase p = P_ENTERPRISE; p < P_COUNT && rc == 0; p++) {
        unsigned total = p == P_ENTERPRISE
                             ? (books + BOOKS_PER_ENTERPRISE - 1) / BOOKS_PER_ENTERPRISE
                         : p == P_STOCKTAKE ? counted
                                            : books;
        unsigned sent = 0;
        unsigned got = 0;
        while (rc == 0 && got < total) {
            if (sent < total && sent - got < WINDOW) {
                sent++;
                rc = send_one(c, p, sent, counted, short_book);
            } else {
                got++;
                rc = recv_one(c, p);
            }
        }
    }
    bzl_client_close(c);
    return rc;
}
