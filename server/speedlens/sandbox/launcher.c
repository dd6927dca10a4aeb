/*
 * speedlens launcher: runs one untrusted program under resource limits and reports exactly what it used.
 *
 * It runs inside the isolation layer (bubblewrap or unshare), so its own start-up cost never pollutes the
 * measurement: CPU time comes from wait4() on the program alone. It becomes a child subreaper, so descendants
 * that escape the process group with setsid() are re-parented here and killed before it exits: nothing the
 * program started outlives the verdict.
 *
 * usage: launcher [-i stdin] [-o stdout] [-e stderr] [-c cpu_s] [-m as_mb] [-f fsize_mb] [-n nofile]
 *                 [-p nproc] [-w wall_ms] -- program args...
 * prints one JSON object on its own stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_limit(int resource, rlim_t soft, rlim_t hard) {
    struct rlimit rl = {soft, hard};
    setrlimit(resource, &rl);
}

static void redirect(const char *path, int fd, int flags) {
    if (!path) return;
    int f = open(path, flags, 0600);
    if (f < 0) {
        dprintf(2, "speedlens launcher: cannot open %s: %s\n", path, strerror(errno));
        _exit(126);
    }
    dup2(f, fd);
    close(f);
}

/* Kill every process re-parented to us until none is left (bounded, so a fork storm cannot keep us here). */
static void kill_descendants(pid_t child) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    for (int round = 0; round < 2000; round++) {
        kill(-child, SIGKILL);
        int found = 0;
        FILE *f = fopen(path, "r");
        if (f) {
            int pid;
            while (fscanf(f, "%d", &pid) == 1) {
                found = 1;
                kill(pid, SIGKILL);
                kill(-pid, SIGKILL);
            }
            fclose(f);
        }
        while (waitpid(-1, NULL, WNOHANG) > 0) found = 1;
        if (!found) {
            if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD) return;
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

int main(int argc, char **argv) {
    const char *in = "/dev/null", *out = NULL, *err = NULL;
    long cpu_s = 0, as_mb = 0, fsize_mb = 0, nofile = 0, nproc = 0, wall_ms = 0;
    int opt;
    while ((opt = getopt(argc, argv, "+i:o:e:c:m:f:n:p:w:")) != -1) {
        switch (opt) {
            case 'i': in = optarg; break;
            case 'o': out = optarg; break;
            case 'e': err = optarg; break;
            case 'c': cpu_s = atol(optarg); break;
            case 'm': as_mb = atol(optarg); break;
            case 'f': fsize_mb = atol(optarg); break;
            case 'n': nofile = atol(optarg); break;
            case 'p': nproc = atol(optarg); break;
            case 'w': wall_ms = atol(optarg); break;
            default: return 125;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "speedlens launcher: no program given\n");
        return 125;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    double start = now();
    pid_t child = fork();
    if (child < 0) {
        printf("{\"status\": \"error\", \"error\": \"fork failed: %s\"}\n", strerror(errno));
        return 0;
    }
    if (child == 0) {
        sigprocmask(SIG_UNBLOCK, &chld, NULL);
        setpgid(0, 0);
        redirect(in, 0, O_RDONLY);
        redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
        redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
        set_limit(RLIMIT_CORE, 0, 0);
        if (cpu_s > 0) set_limit(RLIMIT_CPU, cpu_s, cpu_s + 1);
        if (as_mb > 0) set_limit(RLIMIT_AS, (rlim_t)as_mb << 20, (rlim_t)as_mb << 20);
        if (fsize_mb > 0) set_limit(RLIMIT_FSIZE, (rlim_t)fsize_mb << 20, (rlim_t)fsize_mb << 20);
        if (nofile > 0) set_limit(RLIMIT_NOFILE, nofile, nofile);
        if (nproc > 0) set_limit(RLIMIT_NPROC, nproc, nproc);
        execvp(argv[optind], argv + optind);
        dprintf(2, "speedlens launcher: cannot execute %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }

    int status = 0, timed_out = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t got = wait4(child, &status, WNOHANG, &ru);
        if (got == child) break;
        while (waitpid(-1, NULL, WNOHANG) > 0) {} /* reap re-parented orphans as they die */
        double left = wall_ms > 0 ? start + wall_ms / 1000.0 - now() : 3600.0;
        if (left <= 0) {
            timed_out = 1;
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            wait4(child, &status, 0, &ru);
            break;
        }
        if (left > 0.05) left = 0.05; /* re-check: orphans' SIGCHLD may arrive instead of the child's */
        struct timespec ts = {(time_t)left, (long)((left - (time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);
    }
    double wall = now() - start;
    kill_descendants(child);

    const char *kind = timed_out ? "timeout" : WIFSIGNALED(status) ? "signaled" : "exited";
    printf("{\"status\": \"%s\", \"exit_code\": %d, \"signal\": %d, \"utime\": %.6f, \"stime\": %.6f, "
           "\"maxrss_kb\": %ld, \"wall\": %.6f}\n",
           kind, WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
           ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
           ru.ru_maxrss, wall);
    return 0;
}
