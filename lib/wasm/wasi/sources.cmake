# The WASI layer's sources, included by lib/CMakeLists.txt into every build of lib/.
list(APPEND MNOS_LIB_SOURCES
    wasm/wasi/args_env.cpp
    wasm/wasi/fd.cpp
    wasm/wasi/guest_memory.cpp
    wasm/wasi/system.cpp
    wasm/wasi/wasi.cpp
)
