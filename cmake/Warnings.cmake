# Warnings every target of ours compiles with.
add_library(mnos_warnings INTERFACE)
target_compile_options(mnos_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wno-unused-parameter)
