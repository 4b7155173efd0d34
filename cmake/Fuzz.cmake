# The fuzz configuration (-DMNOS_FUZZ=ON, build/fuzz, `make fuzz`): lib/ and the libFuzzer
# targets of tests/fuzz, all built with clang's coverage instrumentation, AddressSanitizer and
# UndefinedBehaviorSanitizer. Only the fuzz targets link libFuzzer's main (-fsanitize=fuzzer);
# everything else gets fuzzer-no-link so that the code under test is instrumented too.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MNOS_FUZZ needs clang (libFuzzer): configure with clang++-22")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)

# mnos_fuzz_target(NAME SOURCES... [LIBS LIBRARIES...]): one libFuzzer executable in
# <build>/fuzzers/, linked with mnos_lib and LIBRARIES, which tools/fuzz finds and runs; seeds,
# if any, come from <build>/seeds/NAME/.
function(mnos_fuzz_target name)
    cmake_parse_arguments(arg "" "" "LIBS" ${ARGN})
    add_executable(${name} ${arg_UNPARSED_ARGUMENTS})
    target_link_libraries(${name} PRIVATE mnos_lib ${arg_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzzers)
endfunction()
