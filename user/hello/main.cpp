// The smallest Ring 3 program: prints its arguments and exits with their count.
#include "user/libmnos/print.h"

int main(int argc, char** argv) {
    mnos::println("hello from Ring 3: {} argument(s)", argc);
    for (int i = 0; i < argc; ++i)
        mnos::println("  argv[{}] = {}", i, static_cast<const char*>(argv[i]));
    return argc;
}
