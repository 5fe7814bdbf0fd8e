/* crash_client.c — the crash harness's load generator: CONNS connections submitting distinct
 * declarations until the daemon dies under it, logging what it sent and what was acknowledged.
 *
 *   crash_client SOCKET LOGDIR PREFIX CONNS [LIMIT]
 *
 * Each connection submits SubmitBatch requests of 1 to 4 declarations with ids
 * PREFIX-<conn>-<n>. Before a request is sent, each of its ids is appended to LOGDIR/sent.log;
 * after the reply arrives, each accepted one is appended to LOGDIR/acked.log as "id seq".
 * Every line is a single write(2) to an O_APPEND file, with no fsync: the files only have to
 * survive the daemon's death, not the machine's. A connection stops when the daemon goes away
 * (or after LIMIT declarations); the client exits 0 when all have stopped, 1 when the set-up
 * could not be done.
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "crash_common.h"

#define CLIENT_CONNS_MAX 64u
#define CLIENT_BATCH_MAX 4u

typedef struct client_ctx {
    const char *sock;
    const char *prefix;
    unsigned conn_no;
    unsigned long limit;
    int sent_fd;
    int acked_fd;
    unsigned long acked;
} client_ctx;

static void
log_line(int fd, const char *line, size_t len)
{
    ssize_t n = write(fd, line, len);
    if (n != (ssize_t)len) {
        perror("crash_client: log write");
        exit(2);
    }
}

/* Sends one batch of `count` declarations starting at number *next; false when the daemon
 * went away. */
static bool
submit_one(client_ctx *x, bzl_client *c, unsigned count, unsigned long *next)
{
    crash_decl decls[CLIENT_BATCH_MAX];
    Bzl__V1__Declaration *ptrs[CLIENT_BATCH_MAX];
    char line[CRASH_ID_BYTES + 32];
    for (unsigned i = 0; i < count; i++) {
        char id[CRASH_ID_BYTES];
        snprintf(id, sizeof id, "%s-%u-%lu", x->prefix, x->conn_no, (*next)++);
        crash_decl_init(&decls[i], id);
        ptrs[i] = &decls[i].decl;
        int n = snprintf(line, sizeof line, "%s\n", id);
        log_line(x->sent_fd, line, (size_t)n);
    }
    Bzl__V1__SubmitBatch sb = BZL__V1__SUBMIT_BATCH__INIT;
    sb.n_declarations = count;
    sb.declarations = ptrs;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
    req.submit_batch = &sb;
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_call(c, &req, &resp) != BZL_OK) {
        return false;
    }
    if (resp->result_case == BZL__V1__RESPONSE__RESULT_BATCH) {
        for (size_t i = 0; i < resp->batch->n_results; i++) {
            const Bzl__V1__SubmitResult *r = resp->batch->results[i];
            if (r->status == BZL__V1__STATUS__STATUS_OK) {
                int n = snprintf(line, sizeof line, "%s %llu\n", r->id, (unsigned long long)r->seq);
                log_line(x->acked_fd, line, (size_t)n);
                x->acked++;
            }
        }
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return true;
}

static void *
client_main(void *arg)
{
    client_ctx *x = arg;
    bzl_client *c = crash_connect(x->sock, 20000);
    if (c == NULL) {
        return NULL;
    }
    unsigned long next = 0;
    while (next < x->limit) {
        unsigned count = 1u + (unsigned)(next % CLIENT_BATCH_MAX);
        if (!submit_one(x, c, count, &next)) {
            break;
        }
    }
    bzl_client_close(c);
    return NULL;
}

static int
open_log(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(path);
        exit(2);
    }
    return fd;
}

int
main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: crash_client SOCKET LOGDIR PREFIX CONNS [LIMIT]\n");
        return 2;
    }
    unsigned conns = (unsigned)strtoul(argv[4], NULL, 10);
    if (conns == 0 || conns > CLIENT_CONNS_MAX) {
        fprintf(stderr, "crash_client: CONNS must be 1..%u\n", CLIENT_CONNS_MAX);
        return 2;
    }
    unsigned long limit = argc == 6 ? strtoul(argv[5], NULL, 10) : (unsigned long)-1;
    bzl_client *c = crash_connect(argv[1], 20000);
    if (c == NULL || crash_setup(c) != 0) {
        bzl_client_close(c);
        return 1; /* the daemon died before the set-up was done: the next cycle redoes it */
    }
    bzl_client_close(c);
    int sent_fd = open_log(argv[2], "sent.log");
    int acked_fd = open_log(argv[2], "acked.log");
    client_ctx ctx[CLIENT_CONNS_MAX];
    pthread_t threads[CLIENT_CONNS_MAX];
    for (unsigned i = 0; i < conns; i++) {
        ctx[i] = (client_ctx){.sock = argv[1],
                              .prefix = argv[3],
                              .conn_no = i,
                              .limit = limit,
                              .sent_fd = sent_fd,
                              .acked_fd = acked_fd};
        if (pthread_create(&threads[i], NULL, client_main, &ctx[i]) != 0) {
            perror("crash_client: pthread_create");
            return 2;
        }
    }
    unsigned long acked = 0;
    for (unsigned i = 0; i < conns; i++) {
        pthread_join(threads[i], NULL);
        acked += ctx[i].acked;
    }
    close(sent_fd);
    close(acked_fd);
    printf("%lu\n", acked);
    return 0;
}
