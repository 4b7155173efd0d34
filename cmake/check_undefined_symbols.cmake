# cmake -DNM=<llvm-nm> -DOBJECTS=<a|b|...> -P check_undefined_symbols.cmake (FreestandingCheck.cmake)
# Fails if the object files, taken together, reference a symbol that neither one of them
# defines nor the freestanding kernel provides. ('|'-separated: a ';' list would be split
# into separate command-line arguments on the way here.)
cmake_minimum_required(VERSION 3.25)
# What every MinimalOS image provides: lib/freestanding's memory functions and the C++
# runtime pieces (kernel/cxx_runtime.cpp in the kernel, libmnos in userspace), among them
# operator delete, which a kernel object's deleting destructor calls (kernel/mm/operator_new.cpp,
# user/libmnos/heap.cpp).
# In Debug builds also the lock-rank checker's entry points (kernel/sync/lock_rank.cpp).
set(allowed memcpy memset memmove memcmp strlen __stack_chk_fail __stack_chk_guard __cxa_pure_virtual
    _ZdlPv _ZdlPvm
    _ZN6kernel9lock_rank10on_acquireENS_8LockRankEPKvb
    _ZN6kernel9lock_rank15on_try_acquiredENS_8LockRankEPKv
    _ZN6kernel9lock_rank10on_releaseENS_8LockRankE)
string(REPLACE "|" ";" OBJECTS "${OBJECTS}")

function(symbols_of object mode out)
    execute_process(COMMAND ${NM} ${mode} --format=just-symbols ${object}
        OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${NM} failed on ${object}")
    endif()
    string(REPLACE "\n" ";" symbols "${symbols}")
    set(${out} ${symbols} PARENT_SCOPE)
endfunction()

set(defined "")
foreach(object IN LISTS OBJECTS)
    symbols_of(${object} --defined-only symbols)
    list(APPEND defined ${symbols})
endforeach()

set(bad "")
foreach(object IN LISTS OBJECTS)
    symbols_of(${object} --undefined-only symbols)
    foreach(symbol IN LISTS symbols)
        if(symbol AND NOT symbol IN_LIST allowed AND NOT symbol IN_LIST defined)
            list(APPEND bad "${object}: ${symbol}")
        endif()
    endforeach()
endforeach()
list(LENGTH OBJECTS count)
if(count EQUAL 0)
    message(FATAL_ERROR "no object files given")
endif()
if(bad)
    string(REPLACE ";" "\n  " bad "${bad}")
    message(FATAL_ERROR "undefined symbols MinimalOS does not provide:\n  ${bad}")
endif()
message(STATUS "${count} objects reference only each other and kernel-provided symbols")
