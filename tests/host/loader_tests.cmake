# Host tests of the initrd reader and the ELF loader (lib/tar.h, lib/elf.h), with the fixtures
# they read: archives from GNU tar and an executable from clang/lld, all made at build time.

# Real archives from GNU tar, in the POSIX ustar format and in GNU's default format, so the reader
# is checked against the tool that will build the initrd and not only against our own builder.
set(tar_fixture_root ${CMAKE_CURRENT_BINARY_DIR}/tar_fixture)
file(WRITE ${tar_fixture_root}/bin/hello.txt "hello from the initrd\n")
string(REPEAT "0123456789" 500 tar_fixture_big)
file(WRITE ${tar_fixture_root}/data/big.bin "${tar_fixture_big}")
foreach(format ustar gnu)
    add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/fixture_${format}.tar
        COMMAND tar --format=${format} --sort=name --owner=0 --group=0 --numeric-owner
                --mtime=@0 -cf ${CMAKE_CURRENT_BINARY_DIR}/fixture_${format}.tar
                -C ${tar_fixture_root} .
        DEPENDS ${tar_fixture_root}/bin/hello.txt ${tar_fixture_root}/data/big.bin
        COMMENT "tar fixture (${format})")
endforeach()
add_custom_target(tar_fixtures DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/fixture_ustar.tar
                                       ${CMAKE_CURRENT_BINARY_DIR}/fixture_gnu.tar)
mnos_host_test(tar_test tar_test.cpp)
add_dependencies(tar_test tar_fixtures)
target_compile_definitions(tar_test PRIVATE
    MNOS_TAR_FIXTURE_USTAR="${CMAKE_CURRENT_BINARY_DIR}/fixture_ustar.tar"
    MNOS_TAR_FIXTURE_GNU="${CMAKE_CURRENT_BINARY_DIR}/fixture_gnu.tar")

# A real static x86_64 executable from clang and lld, for the ELF loader tests.
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/elf_fixture.elf
    COMMAND ${CMAKE_C_COMPILER} --target=x86_64-linux-gnu -ffreestanding -nostdlib -static
            -fno-pic -fno-stack-protector -O1 -fuse-ld=lld -Wl,-Ttext=0x400000 -Wl,--build-id=none
            ${CMAKE_CURRENT_SOURCE_DIR}/elf_fixture.c -o ${CMAKE_CURRENT_BINARY_DIR}/elf_fixture.elf
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/elf_fixture.c
    COMMENT "ELF fixture")
add_custom_target(elf_fixture_build DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/elf_fixture.elf)
mnos_host_test(elf_test elf_test.cpp)
add_dependencies(elf_test elf_fixture_build)
target_compile_definitions(elf_test PRIVATE
    MNOS_ELF_FIXTURE="${CMAKE_CURRENT_BINARY_DIR}/elf_fixture.elf")

# Proof that the parsers build for the kernel with no undefined symbols beyond what MinimalOS
# provides. The check (cmake/FreestandingCheck.cmake) arrives with the merge into main; until
# then this is skipped.
if(COMMAND mnos_freestanding_check)
    mnos_freestanding_check(loader_freestanding_symbols FLAGS mnos_kernel_flags
        SOURCES ${PROJECT_SOURCE_DIR}/lib/tar.cpp ${PROJECT_SOURCE_DIR}/lib/elf.cpp)
endif()
