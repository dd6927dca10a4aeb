/*
 * speedlens launcher: runs untrusted programs under limits and reports exactly what each used.
 *
 * It runs inside the isolation layer (bubblewrap, ideally as pid 1 of its own pid namespace), so its own
 * start-up never pollutes a measurement: CPU time comes from wait4() on the program alone.
 *
 * Nothing about a job is on the command line: the jobs arrive framed on stdin and the reports leave on stdout,
 * two pipes the programs never inherit (each program's fds 0/1/2 are memfds; everything above 2 is closed before
 * exec). The launcher makes itself non-dumpable, so a program running as the same uid can neither ptrace it nor
 * open /proc/<launcher>/fd/1 to forge reports. A checking run and a timing run are set up identically: stdin is
 * a sealed memfd holding the input's content (no path, no neighbouring files), stdout and stderr are memfds read
 * back afterwards, and the work directory (plus the sandbox's private tmpfs dirs) is emptied between jobs.
 *
 * Each program gets rlimits, a seccomp filter inherited from the launcher (EPERM for mount, ptrace, keyctl, bpf,
 * perf, namespace and module syscalls; raw BPF, no library needed), and a watch over its whole process tree every
 * 20 ms: the summed RSS (memory held by children counts), the number of processes and the bytes written under the
 * watched dirs. Exceeding one kills the tree. As subreaper (or pid 1) it kills every descendant before reporting.
 *
 * stdin:  "SPEEDLENS1 cpu_s as_mb fsize_mb nofile nproc wall_ms stack_mb tree_mb disk_mb private_ipc n_dirs\n"
 *         n_dirs lines: a directory to watch for disk use and to empty between jobs (the first is the work dir)
 *         per job: "JOB argc args_len stdin_len\n", argc NUL-terminated arguments (args_len bytes in all),
 *         then stdin_len bytes of input
 * stdout: a hello line {"launcher": 1, "seccomp": 0|1}, then per job one JSON report line followed by
 *         stdout_len bytes of the program's stdout and stderr_len bytes of its stderr.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_DIRS 8
#define STDERR_CAP (64 << 10)

struct limits {
    long cpu_s, as_mb, fsize_mb, nofile, nproc, wall_ms, stack_mb, tree_mb, disk_mb;
};

static char *watched[MAX_DIRS];
static int n_watched;
static int private_ipc; /* our own IPC namespace, whose objects are all the tree's (and may all be removed) */
static ino_t stdio_inodes[3]; /* the job's own stdin/stdout/stderr memfds: its input, and output bounded apart */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_limit(int resource, rlim_t value) {
    struct rlimit rl = {value, value};
    setrlimit(resource, &rl);
}

/* ---- seccomp: raw BPF so the launcher builds with nothing but a C compiler and the kernel headers ---- */

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef SECCOMP_ARCH
static const long denied[] = {
    SYS_mount, SYS_umount2, SYS_pivot_root, SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
    SYS_keyctl, SYS_add_key, SYS_request_key, SYS_bpf, SYS_perf_event_open, SYS_unshare, SYS_setns,
    SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_reboot, SYS_swapon, SYS_swapoff,
    SYS_acct, SYS_userfaultfd, SYS_open_by_handle_at, SYS_name_to_handle_at, SYS_chroot,
#ifdef SYS_kexec_file_load
    SYS_kexec_file_load,
#endif
#ifdef SYS_fsopen
    SYS_fsopen, SYS_fsmount, SYS_fsconfig, SYS_move_mount, SYS_open_tree, SYS_fspick,
#endif
#ifdef SYS_mount_setattr
    SYS_mount_setattr,
#endif
};
#define CLONE_NAMESPACES \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
#endif

/* Install the filter in the calling process; every process forked afterwards inherits it. Returns 1 when active
 * (probed: a filtered no-op unshare must fail with EPERM). The launcher itself needs none of the denied calls. */
static int install_seccomp(void) {
#ifdef SECCOMP_ARCH
    enum { N = sizeof denied / sizeof denied[0] };
    struct sock_filter prog[2 * N + 16];
    int i = 0;
    const unsigned eperm = SECCOMP_RET_ERRNO | EPERM;
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0);
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS); /* foreign ABI */
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1); /* x32 ABI */
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, eperm);
#endif
    for (int d = 0; d < N; d++) {
        prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[d], 0, 1);
        prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, eperm);
    }
    /* clone3 passes its flags in memory BPF cannot read: ENOSYS makes libc fall back to clone, checked below. */
    prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3);
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NAMESPACES, 0, 1);
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, eperm);
    prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog fprog = {(unsigned short)i, prog};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0)
        return 0;
    return syscall(SYS_unshare, 0) != 0 && errno == EPERM;
#else
    return 0;
#endif
}

/* ---- the process tree ---- */

/* Kill every process re-parented to us until none is left (bounded, so a fork storm cannot keep us here). */
static void kill_descendants(pid_t child) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    for (int round = 0; round < 2000; round++) {
        kill(-child, SIGKILL);
        if (getpid() == 1) kill(-1, SIGKILL); /* pid 1 of our own namespace: every other process in it */
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

/* What the tree holds that neither RSS nor a directory walk shows: memfds kept open (each up to the file-size
 * limit, as many as it may open files) and System V shared memory left detached in our IPC namespace, in kB of
 * memory; and files deleted while still open (invisible to the walk, yet on disk), in kB via *deleted_kb. */
static long held_kb(const int *pids, const char *in_tree, int n, long *deleted_kb) {
    enum { MAXI = 1024 };
    static ino_t seen[MAXI];
    int n_seen = 3;
    memcpy(seen, stdio_inodes, sizeof stdio_inodes);
    long kb = 0;
    char path[64], link[512];
    for (int i = 0; i < n; i++) {
        if (!in_tree[i]) continue;
        snprintf(path, sizeof path, "/proc/%d/fd", pids[i]);
        DIR *fds = opendir(path);
        if (!fds) continue;
        struct dirent *e;
        while ((e = readdir(fds))) {
            char fd_path[320];
            snprintf(fd_path, sizeof fd_path, "%s/%s", path, e->d_name);
            ssize_t len = readlink(fd_path, link, sizeof link - 1);
            if (len <= 0) continue;
            link[len] = 0;
            int memfd = strncmp(link, "/memfd:", 7) == 0;
            int deleted = len > 10 && strcmp(link + len - 10, " (deleted)") == 0;
            struct stat st;
            if (!(memfd || deleted) || stat(fd_path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
            int dup = 0;
            for (int j = 0; j < n_seen && !dup; j++) dup = seen[j] == st.st_ino;
            if (dup) continue;
            if (n_seen < MAXI) seen[n_seen++] = st.st_ino;
            if (memfd) kb += (long)st.st_blocks / 2;
            else *deleted_kb += (long)st.st_blocks / 2;
        }
        closedir(fds);
    }
    FILE *shm = private_ipc ? fopen("/proc/sysvipc/shm", "r") : NULL;
    if (shm) {
        char line[512];
        long long rss, swap;
        if (!fgets(line, sizeof line, shm)) line[0] = 0; /* the header */
        while (fgets(line, sizeof line, shm))
            if (sscanf(line, "%*d %*d %*o %*u %*d %*d %*u %*u %*u %*u %*u %*u %*u %*u %lld %lld", &rss, &swap) == 2)
                kb += (long)((rss + swap) / 1024);
        fclose(shm);
    }
    return kb;
}

/* Memory (kB) a process holds on its own: anonymous and shared-memory pages resident or swapped. File-backed pages
 * (the executable, libc) are left out: they are page cache shared by every process that maps them, and summing
 * them once per process made 64 forked children of a small program look like 256 MB. */
static long private_kb(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    long kb = 0, value;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "RssAnon: %ld", &value) == 1 || sscanf(line, "RssShmem: %ld", &value) == 1 ||
            sscanf(line, "VmSwap: %ld", &value) == 1)
            kb += value;
    fclose(f);
    return kb;
}

/* Private memory (kB, see private_kb) and number of our descendants: every /proc entry whose parent chain reaches
 * us. With ``deleted_kb`` (dearer, so not every tick), also what held_kb finds. */
static void tree_usage(long *rss_kb, long *count, long *deleted_kb) {
    enum { MAXP = 4096 };
    static int pids[MAXP], ppids[MAXP];
    int n = 0;
    *rss_kb = 0;
    *count = 0;
    DIR *proc = opendir("/proc");
    if (!proc) return;
    struct dirent *e;
    char path[64], buf[512];
    while ((e = readdir(proc)) && n < MAXP) {
        int pid = atoi(e->d_name);
        if (pid <= 0) continue;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0) continue;
        buf[len] = 0;
        char *paren = strrchr(buf, ')'); /* the command name may contain spaces and parentheses */
        long ppid = 0;
        if (!paren || sscanf(paren + 2, "%*c %ld", &ppid) != 1) continue;
        pids[n] = pid;
        ppids[n] = (int)ppid;
        n++;
    }
    closedir(proc);
    /* mark descendants: repeat until no new process joins (the list is small; depth is bounded by n) */
    static char in_tree[MAXP];
    memset(in_tree, 0, n);
    int self = getpid(), changed = 1;
    while (changed) {
        changed = 0;
        for (int i = 0; i < n; i++) {
            if (in_tree[i] || pids[i] == self) continue;
            int parent_in = ppids[i] == self;
            for (int j = 0; j < n && !parent_in; j++) parent_in = in_tree[j] && pids[j] == ppids[i];
            if (parent_in) {
                in_tree[i] = 1;
                changed = 1;
                *rss_kb += private_kb(pids[i]);
                (*count)++;
            }
        }
    }
    if (deleted_kb) *rss_kb += held_kb(pids, in_tree, n, deleted_kb);
}

static long long disk_bytes;
static int add_size(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)path, (void)flag, (void)ftw;
    disk_bytes += (long long)st->st_blocks * 512;
    return 0;
}

static long long disk_used(void) {
    disk_bytes = 0;
    for (int i = 0; i < n_watched; i++) nftw(watched[i], add_size, 16, FTW_PHYS | FTW_MOUNT);
    return disk_bytes;
}

static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR) chmod(path, 0700); /* a program may leave unreadable directories */
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag;
    if (ftw->level > 0) remove(path);
    return 0;
}

/* Remove the System V IPC objects listed in /proc/sysvipc/<kind> (they outlive the processes that made them). */
static void remove_ipc(const char *kind) {
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (!fgets(line, sizeof line, f)) line[0] = 0; /* the header */
    while (fgets(line, sizeof line, f)) {
        int key, id;
        if (sscanf(line, "%d %d", &key, &id) != 2) continue;
        if (kind[1] == 'h') shmctl(id, IPC_RMID, NULL);
        else if (kind[1] == 'e') semctl(id, 0, IPC_RMID);
        else msgctl(id, IPC_RMID, NULL);
    }
    fclose(f);
}

/* Empty the watched directories and the (private) System V IPC namespace, so each job starts from the same state
 * as a job run on its own: nothing left by an earlier job can tell a program it is one of a timed series. */
static void clean_watched(void) {
    for (int i = 0; i < n_watched; i++) {
        nftw(watched[i], open_up, 16, FTW_PHYS | FTW_MOUNT);
        nftw(watched[i], remove_entry, 16, FTW_PHYS | FTW_MOUNT | FTW_DEPTH);
    }
    if (private_ipc) {
        remove_ipc("shm");
        remove_ipc("sem");
        remove_ipc("msg");
    }
}

/* ---- one job ---- */

static int make_memfd(const char *name, const char *data, size_t len, int seal) {
    int fd = memfd_create(name, MFD_CLOEXEC | (seal ? MFD_ALLOW_SEALING : 0));
    if (fd < 0) return -1;
    for (size_t done = 0; done < len;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w <= 0) return close(fd), -1;
        done += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    if (seal) fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    return fd;
}

static void write_all(const char *data, size_t len) {
    for (size_t done = 0; done < len;) {
        ssize_t w = write(1, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(3); /* the caller is gone */
        done += (size_t)w;
    }
}

/* Read back up to cap bytes of a memfd the program wrote; *truncated when it holds more. */
static char *read_back(int fd, size_t cap, size_t *len, int *truncated) {
    struct stat st;
    fstat(fd, &st);
    size_t size = st.st_size > 0 ? (size_t)st.st_size : 0;
    *truncated = size > cap;
    *len = size > cap ? cap : size;
    char *buf = malloc(*len + 1);
    size_t got = 0;
    while (buf && got < *len) {
        ssize_t r = pread(fd, buf + got, *len - got, (off_t)got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    *len = buf ? got : 0;
    return buf;
}

static void report_error(const char *what) {
    dprintf(1, "{\"status\": \"error\", \"error\": \"%s: %s\", \"stdout_len\": 0, \"stderr_len\": 0}\n", what,
            strerror(errno));
}

static void run_one(char **args, const char *input, size_t input_len, const struct limits *lim) {
    int in = make_memfd("stdin", input, input_len, 1);
    int out = memfd_create("stdout", MFD_CLOEXEC), err = memfd_create("stderr", MFD_CLOEXEC);
    if (in < 0 || out < 0 || err < 0) {
        report_error("memfd_create failed");
        return;
    }
    int stdio[3] = {in, out, err};
    for (int i = 0; i < 3; i++) {
        struct stat st;
        stdio_inodes[i] = fstat(stdio[i], &st) == 0 ? st.st_ino : 0;
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    double start = now();
    pid_t child = fork();
    if (child < 0) {
        report_error("fork failed");
        close(in), close(out), close(err);
        return;
    }
    if (child == 0) {
        sigprocmask(SIG_UNBLOCK, &chld, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        dup2(in, 0), dup2(out, 1), dup2(err, 2);
        syscall(SYS_close_range, 3, ~0U, 0); /* the job and report pipes, and anything else inherited */
        set_limit(RLIMIT_CORE, 0);
        if (lim->cpu_s > 0) {
            struct rlimit rl = {(rlim_t)lim->cpu_s, (rlim_t)lim->cpu_s + 1};
            setrlimit(RLIMIT_CPU, &rl);
        }
        if (lim->as_mb > 0) set_limit(RLIMIT_AS, (rlim_t)lim->as_mb << 20);
        if (lim->fsize_mb > 0) set_limit(RLIMIT_FSIZE, (rlim_t)lim->fsize_mb << 20);
        if (lim->nofile > 0) set_limit(RLIMIT_NOFILE, lim->nofile);
        if (lim->nproc > 0) set_limit(RLIMIT_NPROC, lim->nproc);
        if (lim->stack_mb > 0) set_limit(RLIMIT_STACK, (rlim_t)lim->stack_mb << 20);
        execvp(args[0], args);
        dprintf(2, "speedlens launcher: cannot execute %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }

    int status = 0;
    const char *over = NULL; /* which whole-tree limit killed it */
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (int tick = 0;; tick++) {
        pid_t got = wait4(child, &status, WNOHANG, &ru);
        if (got == child) break;
        while (waitpid(-1, NULL, WNOHANG) > 0) {} /* reap re-parented orphans as they die */
        double left = lim->wall_ms > 0 ? start + lim->wall_ms / 1000.0 - now() : 3600.0;
        if (left <= 0) over = "timeout";
        if (!over && tick > 0) {
            long rss_kb, count, deleted_kb = 0;
            int deep = tick % 5 == 0;
            tree_usage(&rss_kb, &count, deep ? &deleted_kb : NULL);
            if (lim->tree_mb > 0 && rss_kb > lim->tree_mb * 1024) over = "memory";
            else if (lim->nproc > 0 && count > lim->nproc) over = "process_limit";
            else if (lim->disk_mb > 0 && deep && disk_used() + deleted_kb * 1024LL > (long long)lim->disk_mb << 20)
                over = "disk_limit";
        }
        if (over) {
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            wait4(child, &status, 0, &ru);
            break;
        }
        if (left > 0.02) left = 0.02; /* the tree watch; orphans' SIGCHLD may also arrive instead */
        struct timespec ts = {(time_t)left, (long)((left - (time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);
    }
    double wall = now() - start;
    kill_descendants(child);

    const char *kind = over ? over : WIFSIGNALED(status) ? "signaled" : "exited";
    size_t out_len, err_len;
    int out_trunc, err_trunc;
    char *out_data = read_back(out, lim->fsize_mb > 0 ? (size_t)lim->fsize_mb << 20 : (size_t)1 << 30, &out_len,
                               &out_trunc);
    char *err_data = read_back(err, STDERR_CAP, &err_len, &err_trunc);
    dprintf(1,
            "{\"status\": \"%s\", \"exit_code\": %d, \"signal\": %d, \"utime\": %.6f, \"stime\": %.6f, "
            "\"maxrss_kb\": %ld, \"wall\": %.6f, \"stdout_len\": %zu, \"stderr_len\": %zu, "
            "\"stdout_truncated\": %d}\n",
            kind, WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
            ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
            ru.ru_maxrss, wall, out_len, err_len, out_trunc);
    write_all(out_data ? out_data : "", out_len);
    write_all(err_data ? err_data : "", err_len);
    free(out_data), free(err_data);
    close(in), close(out), close(err);
}

/* ---- framing ---- */

static int read_exact(FILE *f, char *buf, size_t len) {
    return fread(buf, 1, len, f) == len;
}

int main(void) {
    prctl(PR_SET_DUMPABLE, 0); /* no ptrace, no /proc/<launcher>/fd for a program running as the same uid */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    umask(022);
    fcntl(0, F_SETFD, FD_CLOEXEC);
    fcntl(1, F_SETFD, FD_CLOEXEC);
    struct limits lim;
    char line[4096];
    int n_dirs = 0;
    if (!fgets(line, sizeof line, stdin) ||
        sscanf(line, "SPEEDLENS1 %ld %ld %ld %ld %ld %ld %ld %ld %ld %d %d", &lim.cpu_s, &lim.as_mb, &lim.fsize_mb,
               &lim.nofile, &lim.nproc, &lim.wall_ms, &lim.stack_mb, &lim.tree_mb, &lim.disk_mb, &private_ipc,
               &n_dirs) != 11) {
        fprintf(stderr, "speedlens launcher: bad header (it takes its jobs on stdin)\n");
        return 125;
    }
    for (int i = 0; i < n_dirs && i < MAX_DIRS; i++) {
        if (!fgets(line, sizeof line, stdin)) return 125;
        line[strcspn(line, "\n")] = 0;
        watched[n_watched++] = strdup(line);
    }
    int seccomp_ok = install_seccomp(); /* before any program is forked: they all inherit it */
    dprintf(1, "{\"launcher\": 1, \"seccomp\": %d, \"pid\": %d}\n", seccomp_ok, (int)getpid());

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    for (int job = 0; fgets(line, sizeof line, stdin); job++) {
        int argc = 0;
        size_t input_len = 0, args_len = 0;
        if (sscanf(line, "JOB %d %zu %zu", &argc, &args_len, &input_len) != 3 || argc < 1 || argc > 4096) return 125;
        char *arg_data = malloc(args_len + 1), *input = malloc(input_len + 1);
        char **args = calloc((size_t)argc + 1, sizeof *args);
        if (!arg_data || !input || !args || !read_exact(stdin, arg_data, args_len) ||
            !read_exact(stdin, input, input_len))
            return 125;
        arg_data[args_len] = 0;
        char *p = arg_data;
        for (int i = 0; i < argc; i++) {
            if (p >= arg_data + args_len) return 125;
            args[i] = p;
            p += strlen(p) + 1;
        }
        if (job > 0) clean_watched();
        run_one(args, input, input_len, &lim);
        free(arg_data), free(input), free(args);
    }
    return 0;
}
