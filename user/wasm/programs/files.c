/* WASI files on MinimalOS: stats, reads and seeks the file argv[1] through the preopened "/",
 * lists the directory argv[2], and checks that nothing can be written or reached above "/". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: files.wasm FILE DIRECTORY\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0) {
        printf("stat %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    FILE* f = fopen(argv[1], "r");
    if (!f) {
        printf("open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    unsigned long long hash = 0xcbf29ce484222325ull, total = 0;
    unsigned char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) {
        for (size_t i = 0; i < n; ++i)
            hash = (hash ^ buffer[i]) * 0x100000001b3ull;
        total += n;
    }
    printf("%s: %lld bytes (stat %lld), FNV-1a %016llx\n", argv[1], (long long)total,
           (long long)st.st_size, hash);
    fseek(f, -4, SEEK_END);
    printf("tell after seeking 4 before the end: %ld\n", ftell(f));
    fclose(f);

    DIR* dir = opendir(argv[2]);
    if (!dir) {
        printf("opendir %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    int entries = 0;
    struct dirent* e;
    while ((e = readdir(dir)) != NULL) {
        printf("  %s%s\n", e->d_name, e->d_type == DT_DIR ? "/" : "");
        ++entries;
    }
    closedir(dir);
    printf("%s: %d entries\n", argv[2], entries);

    FILE* w = fopen(argv[1], "w");
    printf("open for writing: %s\n", w ? "allowed (wrong)" : strerror(errno));
    FILE* up = fopen("/../../etc/init.manifest", "r");
    printf("a path above /: %s\n", up ? "opened" : strerror(errno));
    FILE* missing = fopen("/no/such/file", "r");
    printf("a missing file: %s\n", missing ? "opened (wrong)" : strerror(errno));
    return 0;
}
