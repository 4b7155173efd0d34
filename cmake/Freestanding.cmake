# Compiler flags for code that runs on MinimalOS itself. The host triple is used on purpose:
# with the bare-metal triple clang finds no C++ standard headers (see docs/toolchain.md).
# The stack protector reads a global guard, not %fs:0x28 (there is no TLS block in the kernel).
set(MNOS_FREESTANDING_FLAGS
    --target=x86_64-linux-gnu -ffreestanding -nostdlib -fno-pic -fno-pie -fno-omit-frame-pointer
    -fno-asynchronous-unwind-tables
    $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-builtin
      -fstack-protector-strong -mstack-protector-guard=global>)

# Kernel: no red zone (interrupts push onto the current stack), kernel code model
# (linked in the top 2 GiB), and no FPU/SIMD registers (their state is not saved on kernel entry).
add_library(mnos_kernel_flags INTERFACE)
target_compile_options(mnos_kernel_flags INTERFACE ${MNOS_FREESTANDING_FLAGS}
    -mno-red-zone -mcmodel=kernel -mno-sse -mno-sse2 -mno-mmx -mno-avx)
target_compile_definitions(mnos_kernel_flags INTERFACE MNOS_KERNEL=1 MNOS_FREESTANDING=1)
target_include_directories(mnos_kernel_flags INTERFACE ${PROJECT_SOURCE_DIR})
target_link_libraries(mnos_kernel_flags INTERFACE mnos_warnings)

# Userspace: the ordinary small code model at 0x400000; SSE is allowed (the kernel saves it per thread).
add_library(mnos_user_flags INTERFACE)
target_compile_options(mnos_user_flags INTERFACE ${MNOS_FREESTANDING_FLAGS})
target_compile_definitions(mnos_user_flags INTERFACE MNOS_USER=1 MNOS_FREESTANDING=1)
target_include_directories(mnos_user_flags INTERFACE ${PROJECT_SOURCE_DIR})
target_link_libraries(mnos_user_flags INTERFACE mnos_warnings)
