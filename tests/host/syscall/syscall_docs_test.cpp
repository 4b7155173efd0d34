// docs/syscalls.md must describe every call of MNOS_SYSCALLS: a table row "| N | Name |" with
// the call's number and name, whose rights column names the rights the table requires on the
// invoked capability.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "abi/syscall.h"

namespace {

std::vector<std::string> rights_names(mnos::Rights rights) {
    std::vector<std::string> names;
    const std::pair<mnos::Rights, const char*> all[] = {
        {mnos::Rights::Read, "READ"},   {mnos::Rights::Write, "WRITE"},
        {mnos::Rights::Exec, "EXEC"},   {mnos::Rights::Grant, "GRANT"},
        {mnos::Rights::Revoke, "REVOKE"}};
    for (auto [right, name] : all)
        if (mnos::has_rights(rights, right))
            names.push_back(name);
    return names;
}

TEST(SyscallDocs, EveryCallHasARowWithItsRights) {
    std::ifstream file(MNOS_SYSCALLS_MD);
    ASSERT_TRUE(file) << MNOS_SYSCALLS_MD;
    std::vector<std::string> lines;
    for (std::string line; std::getline(file, line);)
        lines.push_back(line);
    for (const mnos::SyscallSpec& spec : mnos::SYSCALL_SPECS) {
        std::ostringstream prefix;
        prefix << "| " << uint64_t(spec.number) << " | " << spec.name << " |";
        const std::string* row = nullptr;
        for (const std::string& line : lines)
            if (line.rfind(prefix.str(), 0) == 0)
                row = &line;
        ASSERT_NE(row, nullptr) << "docs/syscalls.md has no row starting " << prefix.str();
        for (const std::string& right : rights_names(spec.rights))
            EXPECT_NE(row->find(right), std::string::npos)
                << spec.name << ": its row does not name " << right;
        if (spec.invokes == mnos::Invokes::Object)
            EXPECT_NE(row->find(mnos::cap_type_name(spec.type)), std::string::npos)
                << spec.name << ": its row does not name the object type "
                << mnos::cap_type_name(spec.type);
    }
}

} // namespace
