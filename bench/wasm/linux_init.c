/* /init of the Linux guest in the Wasm benchmark's Linux anchor (bench/wasm/run-os-bench): runs
 * /wasm-run --time on each workload in the initramfs, `runs` times (the kernel passes the
 * command line's runs=N to init's environment), each announced by a "linux-wasm: NAME" line,
 * then powers the machine off. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* const WORKLOADS[] = {"fib", "sieve", "matmul", "nbody", "mandel", "crc", "mixed"};

int main(void) {
    const char* runs_text = getenv("runs");
    int runs = runs_text ? atoi(runs_text) : 3;
    for (size_t w = 0; w < sizeof WORKLOADS / sizeof WORKLOADS[0]; ++w) {
        char path[64];
        snprintf(path, sizeof path, "/%s.wasm", WORKLOADS[w]);
        for (int r = 0; r < runs; ++r) {
            printf("linux-wasm: %s\n", WORKLOADS[w]);
            fflush(stdout);
            pid_t child = fork();
            if (child == 0) {
                execl("/wasm-run-static", "wasm-run", "--time", path, (char*)NULL);
                perror("linux-wasm: exec /wasm-run-static");
                _exit(127);
            }
            int status = 0;
            if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0)
                printf("linux-wasm: %s failed (status %d)\n", WORKLOADS[w], status);
        }
    }
    printf("linux-wasm: done\n");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
