# Warnings every target of ours compiles with. clang's thread-safety analysis is an error: the
# lock annotations (kernel/sync/thread_safety.h) are only worth having if nothing slips past them.
add_library(mnos_warnings INTERFACE)
target_compile_options(mnos_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wno-unused-parameter
    -Wthread-safety -Werror=thread-safety)

# Lock-rank checking (kernel/sync/lock_rank.h): the kernel's lock order checked at run time, in
# Debug builds only; Release builds compile it out.
option(MNOS_LOCK_RANKS "Check the lock order at run time in Debug builds" ON)
if(MNOS_LOCK_RANKS)
    add_compile_definitions($<$<CONFIG:Debug>:MNOS_LOCK_RANKS=1>)
endif()

# Source paths in __FILE__ (panic locations) and debug info are relative to the repository.
add_compile_options(-ffile-prefix-map=${PROJECT_SOURCE_DIR}/=)
