/* Ends with the status named on the command line: "exit N" calls exit(N) (proc_exit from inside
 * the program), "return N" returns N from main (wasi-libc's _start calls proc_exit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
    if (argc != 3)
        return 99;
    int code = atoi(argv[2]);
    printf("leaving with %d\n", code);
    if (strcmp(argv[1], "exit") == 0) {
        fflush(stdout);
        exit(code);
    }
    return code;
}
