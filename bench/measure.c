/*
 * measure: run one command and print what it cost, for bench/fping.
 *
 *   measure [--stdin FILE] --stdout FILE (--stderr FILE | --merge) -- PROGRAM ARGS...
 *
 * Prints one line on its own stdout: "wall_ns cpu_us maxrss_kib status", where wall is
 * from just before fork to the return of wait4, cpu is the child's user + system time and
 * maxrss its peak resident set (both from wait4's rusage, so the child alone), and status is
 * the exit code (128 + N for a signal N). --merge sends the command's stderr to its stdout
 * file, as a caller's "2>&1" does. Without --stdin the command reads /dev/null.
 *
 * Why not hyperfine and GNU time: the peak RSS of a forked child includes what its parent
 * had resident before exec, so the launcher must be small (a Python launcher adds ~8 MB), and
 * every run's output must be kept for checking, with stdin from a file. GNU time counts CPU
 * in 10 ms steps; a single probe takes a few ms.
 *
 * Build: gcc -O2 -o measure measure.c
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
    fputs("usage: measure [--stdin FILE] --stdout FILE (--stderr FILE | --merge) -- PROGRAM ARGS...\n", stderr);
    return 2;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *in_path = "/dev/null", *out_path = NULL, *err_path = NULL;
    int merge = 0, i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) { i++; break; }
        if (strcmp(argv[i], "--merge") == 0) { merge = 1; continue; }
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--stdin") == 0) in_path = argv[++i];
        else if (strcmp(argv[i], "--stdout") == 0) out_path = argv[++i];
        else if (strcmp(argv[i], "--stderr") == 0) err_path = argv[++i];
        else return usage();
    }
    if (i >= argc || !out_path || (!err_path && !merge)) return usage();

    /* Opened before the clock starts: only the command is timed. */
    int in = open(in_path, O_RDONLY | O_CLOEXEC);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = merge ? out : open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (in < 0 || out < 0 || err < 0) { perror("measure: open"); return 2; }
    fflush(stdout);

    long long start = now_ns();
    pid_t pid = fork();
    if (pid < 0) { perror("measure: fork"); return 2; }
    if (pid == 0) {
        /* One shared offset for a merged stdout and stderr, so lines land in the order written. */
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
        execv(argv[i], argv + i);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) { perror("measure: wait4"); return 2; }
    long long wall = now_ns() - start;

    long long cpu_us = (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL +
                       usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%lld %lld %ld %d\n", wall, cpu_us, usage.ru_maxrss, code);
    return 0;
}
