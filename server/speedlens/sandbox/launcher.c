/*
 * speedlens launcher: runs one untrusted program under resource limits and reports exactly what it used.
 *
 * It runs inside the isolation layer (bubblewrap or unshare), so its own start-up cost never pollutes the
 * measurement: CPU time comes from wait4() on the program alone. It becomes a child subreaper, so descendants
 * that escape the process group with setsid() are re-parented here and killed before it exits: nothing the
 * program started outlives the verdict.
 *
 * usage: launcher [-i stdin] [-o stdout] [-e stderr] [-c cpu_s] [-m as_mb] [-f fsize_mb] [-n nofile]
 *                 [-p nproc] [-w wall_ms] [-s stack_mb] -- program args...
 *        launcher [limits…] -j JOBFILE      (one "stdin<TAB>program" per line; output to /dev/null)
 * prints one JSON object per program run on its own stdout. The job-list form runs a whole timing round in one
 * sandbox, so the isolation layer's start-up is paid once per round, not once per run.
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

struct limits {
    long cpu_s, as_mb, fsize_mb, nofile, nproc, wall_ms, stack_mb;
};

/* Run one program to completion (or its wall limit) and print its JSON report line. */
static void run_one(char **args, const char *in, const char *out, const char *err, const struct limits *lim) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    double start = now();
    pid_t child = fork();
    if (child < 0) {
        printf("{\"status\": \"error\", \"error\": \"fork failed: %s\"}\n", strerror(errno));
        fflush(stdout);
        return;
    }
    if (child == 0) {
        sigprocmask(SIG_UNBLOCK, &chld, NULL);
        setpgid(0, 0);
        redirect(in, 0, O_RDONLY);
        redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
        redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
        set_limit(RLIMIT_CORE, 0, 0);
        if (lim->cpu_s > 0) set_limit(RLIMIT_CPU, lim->cpu_s, lim->cpu_s + 1);
        if (lim->as_mb > 0) set_limit(RLIMIT_AS, (rlim_t)lim->as_mb << 20, (rlim_t)lim->as_mb << 20);
        if (lim->fsize_mb > 0) set_limit(RLIMIT_FSIZE, (rlim_t)lim->fsize_mb << 20, (rlim_t)lim->fsize_mb << 20);
        if (lim->nofile > 0) set_limit(RLIMIT_NOFILE, lim->nofile, lim->nofile);
        if (lim->nproc > 0) set_limit(RLIMIT_NPROC, lim->nproc, lim->nproc);
        if (lim->stack_mb > 0) set_limit(RLIMIT_STACK, (rlim_t)lim->stack_mb << 20, (rlim_t)lim->stack_mb << 20);
        execvp(args[0], args);
        dprintf(2, "speedlens launcher: cannot execute %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }

    int status = 0, timed_out = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t got = wait4(child, &status, WNOHANG, &ru);
        if (got == child) break;
        while (waitpid(-1, NULL, WNOHANG) > 0) {} /* reap re-parented orphans as they die */
        double left = lim->wall_ms > 0 ? start + lim->wall_ms / 1000.0 - now() : 3600.0;
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
    fflush(stdout);
}

/* Job-list mode: each line "stdin<TAB>program", run in order, one report line each (the caller judges them). */
static void run_jobs(const char *jobfile, const char *err, const struct limits *lim) {
    FILE *f = fopen(jobfile, "r");
    if (!f) {
        printf("{\"status\": \"error\", \"error\": \"cannot open %s\"}\n", jobfile);
        return;
    }
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        char *args[] = {tab + 1, NULL};
        run_one(args, line, "/dev/null", err, lim);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    const char *in = "/dev/null", *out = NULL, *err = NULL, *jobs = NULL;
    struct limits lim = {0, 0, 0, 0, 0, 0, 0};
    int opt;
    while ((opt = getopt(argc, argv, "+i:o:e:c:m:f:n:p:w:s:j:")) != -1) {
        switch (opt) {
            case 'i': in = optarg; break;
            case 'o': out = optarg; break;
            case 'e': err = optarg; break;
            case 'c': lim.cpu_s = atol(optarg); break;
            case 'm': lim.as_mb = atol(optarg); break;
            case 'f': lim.fsize_mb = atol(optarg); break;
            case 'n': lim.nofile = atol(optarg); break;
            case 'p': lim.nproc = atol(optarg); break;
            case 'w': lim.wall_ms = atol(optarg); break;
            case 's': lim.stack_mb = atol(optarg); break;
            case 'j': jobs = optarg; break;
            default: return 125;
        }
    }
    if (!jobs && optind >= argc) {
        fprintf(stderr, "speedlens launcher: no program given\n");
        return 125;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    if (jobs)
        run_jobs(jobs, err, &lim);
    else
        run_one(argv + optind, in, out, err, &lim);
    return 0;
}
