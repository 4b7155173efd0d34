# Building C programs into WebAssembly modules, for the wasm tests and benchmarks.
#
# The host compiler builds them with a custom command rather than as a CMake language, since one
# configuration needs both x86_64 (tools, tests) and wasm32 (guest programs) outputs.
#
# Debian's wasi-libc installs into the multiarch directories /usr/include/wasm32-wasi and
# /usr/lib/wasm32-wasi, which clang finds with the sysroot /usr under the triple wasm32-wasi
# (and without the x86_64 /usr/include that the default sysroot would also search).
# Elsewhere (a wasi-sdk style tree) pass -DMNOS_WASI_SYSROOT=<dir>.
find_program(MNOS_WASM_CC NAMES clang-22 clang REQUIRED)
if(NOT DEFINED MNOS_WASI_SYSROOT)
    if(EXISTS /usr/share/wasi-sysroot/include)
        set(MNOS_WASI_SYSROOT /usr/share/wasi-sysroot)
    else()
        set(MNOS_WASI_SYSROOT /usr)
    endif()
endif()
set(MNOS_WASI_SYSROOT ${MNOS_WASI_SYSROOT} CACHE PATH "wasi-libc sysroot for wasm32-wasi programs")

# wasm32-wasi is the name Debian's wasi-libc layout uses; clang 22 calls it deprecated in favour
# of wasm32-wasip1, whose directories Debian does not have.
set(MNOS_WASI_FLAGS --target=wasm32-wasi -Wno-deprecated --sysroot=${MNOS_WASI_SYSROOT} -O2)
# A module with no imports at all: no libc, no entry point, only what the sources export.
set(MNOS_WASM_BARE_FLAGS --target=wasm32 -ffreestanding -nostdlib -O2 -Wl,--no-entry)

# mnos_wasm_program(OUTPUT <file.wasm> SOURCES <c files...> [DEPENDS <headers...>]
#                   [BARE] [FLAGS <extra flags...>])
# Compiles and links C sources into one module: a WASI command by default, a bare module with
# BARE. The output is part of the `all` target through the caller's custom target.
function(mnos_wasm_program)
    cmake_parse_arguments(arg "BARE" "OUTPUT" "SOURCES;DEPENDS;FLAGS" ${ARGN})
    if(arg_BARE)
        set(flags ${MNOS_WASM_BARE_FLAGS})
    else()
        set(flags ${MNOS_WASI_FLAGS})
    endif()
    set(sources)
    foreach(src IN LISTS arg_SOURCES)
        cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
        list(APPEND sources ${src})
    endforeach()
    cmake_path(GET arg_OUTPUT FILENAME name)
    add_custom_command(OUTPUT ${arg_OUTPUT}
        COMMAND ${MNOS_WASM_CC} ${flags} -Wall -Wextra ${arg_FLAGS} -o ${arg_OUTPUT} ${sources}
        DEPENDS ${sources} ${arg_DEPENDS}
        COMMENT "Building wasm module ${name}"
        VERBATIM)
endfunction()
