// A tiny static freestanding program, compiled at build time (tests/host/CMakeLists.txt) so the
// ELF loader is tested on what a real compiler and linker produce: text, read-only data, data
// and BSS in separate segments. It is only parsed and loaded by the tests, never run.
const char message[] = "MinimalOS loader fixture";
volatile int counter = 0x12345678;
char scratch[10000]; // BSS spanning several pages

void _start(void) {
    scratch[9999] = message[0];
    counter++;
    for (;;)
        __asm__ volatile("pause");
}
