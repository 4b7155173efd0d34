/* Grows linear memory well past its initial size (malloc calls memory.grow), then hands WASI
 * buffers that lie in the new pages: the layer must see the memory's current size, not the
 * size it had when the module started. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    size_t size = 8u << 20;
    char* big = malloc(size);
    if (!big)
        return 2;
    memset(big, 'x', size);
    char* tail = big + size - 16;
    memcpy(tail, "from the end\n", 13);
    if (write(1, tail, 13) != 13)
        return 3;
    printf("grown to %zu MiB\n", (size_t)__builtin_wasm_memory_size(0) * 65536 >> 20);
    return 0;
}
