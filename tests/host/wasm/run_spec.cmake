# One spec-suite file: wast2json into the build tree, then wasm-spectest. Passes only when the
# runner reports 0 failed. Variables: WAST2JSON, SPECTEST, WAST, OUT_DIR, TIER (interp or jit).
get_filename_component(name ${WAST} NAME_WE)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
execute_process(COMMAND ${WAST2JSON} --disable-simd ${WAST} -o ${OUT_DIR}/${name}.json
    RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "wast2json failed on ${WAST}: ${err}")
endif()
if(NOT TIER)
    set(TIER interp)
endif()
execute_process(COMMAND ${SPECTEST} --tier=${TIER} ${OUT_DIR}/${name}.json
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
file(WRITE ${OUT_DIR}/result.txt "${out}")
string(REGEX MATCH "[0-9]+ passed, [0-9]+ failed[^\n]*\n?$" last "${out}")
if(NOT rc EQUAL 0 OR NOT last MATCHES " 0 failed")
    message(FATAL_ERROR "${name}: spec assertions failed (exit ${rc})")
endif()
