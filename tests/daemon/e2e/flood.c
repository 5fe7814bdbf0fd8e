/* flood.c — proves bzld stays within its connection cap under 2,000 connection attempts: with
 * connections = 64, every attempt either is served (at most 64 at once, all held open), gets
 * LIMIT_EXCEEDED and a close, or is turned away by the kernel's listen backlog; none beyond
 * the cap is served, and once the flood is over the daemon serves a fresh client at once. */
#include <poll.h>
#include <sys/resource.h>

#include "harness.h"

#define ATTEMPTS 2000
#define CAP 64

static harness h;

static const char config_text[] = "# flood: a small connection cap\n"
                                  "[limits]\n"
                                  "connections = 64\n"
                                  "connections_per_uid = 64\n";

static int
connect_nonblocking(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (fd < 0 || strlen(h.sock) >= sizeof sa.sun_path) {
        h_die("socket");
    }
    memcpy(sa.sun_path, h.sock, strlen(h.sock) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1; /* EAGAIN: the listen backlog is full */
    }
    return fd;
}

/* A stats request, framed. */
static size_t
stats_frame(uint8_t *buf, size_t cap)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.id = 1;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    size_t n = bzl__v1__request__get_packed_size(&req);
    if (n + 4 > cap) {
        h_die("frame");
    }
    buf[0] = buf[1] = buf[2] = 0;
    buf[3] = (uint8_t)n;
    bzl__v1__request__pack(&req, buf + 4);
    return n + 4;
}

/* The reply status on fd, -1 for a close without a reply, -2 for silence within 5 s. */
static int
reply_of(int fd)
{
    uint8_t buf[4096];
    size_t got = 0;
    while (got < 4 || got < 4 + ((size_t)buf[2] << 8 | buf[3])) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 5000) <= 0) {
            return -2;
        }
        ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
        if (r <= 0) {
            return -1;
        }
        got += (size_t)r;
    }
    Bzl__V1__Response *resp = bzl__v1__response__unpack(NULL, got - 4, buf + 4);
    int st = resp != NULL ? (int)resp->status : -3;
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return st;
}

int
main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < ATTEMPTS + 256) {
        rl.rlim_cur = rl.rlim_max < ATTEMPTS + 256 ? rl.rlim_max : ATTEMPTS + 256;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int budget = (int)rl.rlim_cur - 64; /* descriptors this test may hold */
    harness_init(&h, config_text);
    harness_start(&h, BZLD_PATH);
    static int fds[ATTEMPTS];
    uint8_t frame[64];
    size_t frame_len = stats_frame(frame, sizeof frame);
    int served = 0, limited = 0, closed = 0, backlog = 0, silent = 0, held = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
        fds[i] = held < budget ? connect_nonblocking() : -1;
        if (fds[i] < 0) {
            backlog++;
            h_sleep_ms(1); /* let the daemon drain its backlog */
            continue;
        }
        held++;
        if (send(fds[i], frame, frame_len, MSG_NOSIGNAL) != (ssize_t)frame_len) {
            closed++;
            close(fds[i]);
            fds[i] = -1;
            held--;
        }
    }
    for (int i = 0; i < ATTEMPTS; i++) {
        if (fds[i] < 0) {
            continue;
        }
        int st = reply_of(fds[i]);
        if (st == 0) {
            served++; /* held open: it keeps its place under the cap */
            continue;
        }
        if (st == BZL__V1__STATUS__STATUS_LIMIT_EXCEEDED) {
            limited++;
        } else if (st == -1) {
            closed++;
        } else {
            silent++;
        }
        close(fds[i]);
        fds[i] = -1;
    }
    printf("%d attempts: %d served, %d LIMIT_EXCEEDED, %d closed, %d turned away by the "
           "backlog, %d silent\n",
           ATTEMPTS, served, limited, closed, backlog, silent);
    if (served > CAP) {
        h_fail("%d connections were served at once; the cap is %d", served, CAP);
    }
    if (served == 0 || limited == 0) {
        h_fail("expected some served and some refused connections");
    }
    if (silent != 0) {
        h_fail("%d connections got neither a reply nor a close within 5 s", silent);
    }
    for (int i = 0; i < ATTEMPTS; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    /* The flood is over: a fresh client is served at once (the held ones are closing). */
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    int st = -1;
    for (int i = 0; i < 100 && st != 0; i++) {
        st = h_status(&h, &req, NULL, 0);
        if (st != 0) {
            h_sleep_ms(20);
        }
    }
    if (st != 0 || !harness_alive(&h)) {
        h_fail("after the flood a fresh request got %d", st);
    } else {
        printf("ok: after the flood a fresh client is served\n");
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM (directory %s kept)", h.dir);
    }
    return harness_failures == 0 ? 0 : 1;
}
