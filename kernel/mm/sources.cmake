# The hardware-free memory-management sources, listed once for the kernel build and for the host
# tests that compile the very same files.
set(MNOS_MM_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/address_space.cpp
    ${CMAKE_CURRENT_LIST_DIR}/boot_reservations.cpp
    ${CMAKE_CURRENT_LIST_DIR}/heap.cpp
    ${CMAKE_CURRENT_LIST_DIR}/page_heap_grower.cpp
    ${CMAKE_CURRENT_LIST_DIR}/page_table.cpp
    ${CMAKE_CURRENT_LIST_DIR}/physical_allocator.cpp
)
# Kernel-only: the kernel heap instance and the global operator new/delete over it.
set(MNOS_MM_KERNEL_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/kernel_heap.cpp
    ${CMAKE_CURRENT_LIST_DIR}/operator_new.cpp
)
