/* bzld_proc.h — the one way the end-to-end tests start a real bzld: fork, its stderr appended to
 * a log, exec with --foreground and the test's arguments, then wait until its socket accepts a
 * connection. No test framework here: each caller fails its test its own way (Check, or the
 * harness's exit). Header-only; never used by bzld. */
#ifndef BZL_TEST_BZLD_PROC_H
#define BZL_TEST_BZLD_PROC_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bzl/client.h"

/* How long a bzld may take to listen: 400 tries 50 ms apart. */
#define BZLD_PROC_WAIT_TRIES 400

/* Forks bzld_path with "--foreground" and args (NULL-terminated, at most 12), its stderr
 * appended to log. Returns the child's pid, or -1 when fork fails. */
static inline pid_t
bzld_proc_spawn(const char *bzld_path, const char *const *args, const char *log)
{
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
    }
    const char *argv[16] = {"bzld", "--foreground"};
    size_t n = 2;
    for (size_t i = 0; args != NULL && args[i] != NULL && n < 15; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    execv(bzld_path, (char *const *)argv);
    _exit(127);
}

/* Waits until sock accepts a connection while pid runs: 0, or -1 with why (it exited, or did
 * not listen within 20 s). */
static inline int
bzld_proc_wait(pid_t pid, const char *sock, char *why, size_t cap)
{
    for (int i = 0; i < BZLD_PROC_WAIT_TRIES; i++) {
        bzl_client *c = NULL;
        if (bzl_client_connect(sock, &c, NULL, 0) == BZL_OK) {
            bzl_client_close(c);
            return 0;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            snprintf(why, cap, "bzld exited during start-up");
            return -1;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    snprintf(why, cap, "bzld did not start listening within 20 s");
    return -1;
}

#endif
