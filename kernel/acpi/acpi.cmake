# The hardware-free ACPI core. Both the kernel and the host tests compile exactly these files;
# include() this from either and add ${MNOS_ACPI_SOURCES} to the target.
set(MNOS_ACPI_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/physical_reader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rsdp.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tables.cpp
    ${CMAKE_CURRENT_LIST_DIR}/madt.cpp
    ${CMAKE_CURRENT_LIST_DIR}/mcfg.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fadt.cpp
)
