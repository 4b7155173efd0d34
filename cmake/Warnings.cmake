# Warnings every target of ours compiles with.
add_library(mnos_warnings INTERFACE)
target_compile_options(mnos_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wno-unused-parameter)

# Source paths in __FILE__ (panic locations) and debug info are relative to the repository.
add_compile_options(-ffile-prefix-map=${PROJECT_SOURCE_DIR}/=)
