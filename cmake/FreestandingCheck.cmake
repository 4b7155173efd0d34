# mnos_freestanding_check(NAME FLAGS <mnos_kernel_flags|mnos_user_flags> SOURCES files...)
#
# In the host configuration, proves that code built into the host tests also builds for
# MinimalOS: it compiles SOURCES with the freestanding FLAGS and adds a CTest test NAME that
# fails when the objects reference any symbol outside themselves other than the few that
# lib/freestanding and the stack protector provide (a stray libc or C++ runtime call).
if(NOT TARGET mnos_kernel_flags)
    include(${PROJECT_SOURCE_DIR}/cmake/Freestanding.cmake)
endif()
find_program(MNOS_LLVM_NM NAMES llvm-nm-22 llvm-nm REQUIRED)

function(mnos_freestanding_check name)
    cmake_parse_arguments(C "" "FLAGS" "SOURCES" ${ARGN})
    add_library(${name}_objects OBJECT ${C_SOURCES})
    target_link_libraries(${name}_objects PRIVATE ${C_FLAGS})
    add_test(NAME ${name}
        COMMAND ${CMAKE_COMMAND} -DNM=${MNOS_LLVM_NM}
                "-DOBJECTS=$<JOIN:$<TARGET_OBJECTS:${name}_objects>,|>"
                -P ${PROJECT_SOURCE_DIR}/cmake/check_undefined_symbols.cmake)
    set_tests_properties(${name} PROPERTIES LABELS host)
endfunction()
