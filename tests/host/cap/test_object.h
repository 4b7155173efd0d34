// A kernel object for capability tests: any type tag, and a count of destructions so a test can
// tell exactly when the last reference went.
#pragma once

#include "kernel/object/kernel_object.h"

namespace cap_test {

inline int g_destroyed = 0;

class TestObject final : public kernel::object::KernelObject {
public:
    explicit TestObject(mnos::CapType type = mnos::CapType::IpcEndpoint) : KernelObject(type) {}
    ~TestObject() override { ++g_destroyed; }
};

inline lib::RefPtr<kernel::object::KernelObject> make_object(
    mnos::CapType type = mnos::CapType::IpcEndpoint) {
    return *kernel::object::create_object<TestObject>(type);
}

} // namespace cap_test
