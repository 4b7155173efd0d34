/* Echoes argv (without argv[0], which is the module's path) and the size of the environment. */
#include <stdio.h>

extern char** environ;

int main(int argc, char** argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; ++i)
        printf("argv[%d]=%s\n", i, argv[i]);
    int env = 0;
    while (environ && environ[env])
        ++env;
    printf("environ=%d\n", env);
    return 0;
}
