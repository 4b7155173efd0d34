# The hardware-free capability core, kernel objects and IPC, listed once for the kernel build and for
# the host tests that compile the very same files.
set(MNOS_CAP_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/cnode.cpp
    ${CMAKE_CURRENT_LIST_DIR}/derivation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../object/endpoint.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../object/irq_line.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../syscall/decode.cpp
)
