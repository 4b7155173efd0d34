# Turns one spec-suite .wast file into fuzz seeds: the binary modules wast2json writes for it,
# without the JSON and text files (libFuzzer would read those as inputs too).
# Variables: WAST2JSON, WAST, OUT_DIR (the seeds folder), STAMP.
get_filename_component(name ${WAST} NAME_WE)
set(tmp ${OUT_DIR}/.tmp-${name})
file(REMOVE_RECURSE ${tmp})
file(MAKE_DIRECTORY ${tmp})
execute_process(COMMAND ${WAST2JSON} --disable-simd ${WAST} -o ${tmp}/${name}.json
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
file(GLOB modules ${tmp}/*.wasm)
foreach(m ${modules})
    get_filename_component(base ${m} NAME)
    file(COPY_FILE ${m} ${OUT_DIR}/spec-${base})
endforeach()
file(REMOVE_RECURSE ${tmp})
file(TOUCH ${STAMP})
