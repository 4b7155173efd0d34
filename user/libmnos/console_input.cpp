#include "user/libmnos/console_input.h"

#include "abi/console.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/rpc.h"

namespace mnos {

bool ConsoleInput::push(const char* bytes, size_t count) {
    for (int attempt = 0; attempt < 2 && count; ++attempt) {
        if (!m_connected)
            m_connected = names::lookup(console::INPUT, m_slot).has_value();
        if (!m_connected)
            return false;
        bool delivered = true;
        for (size_t sent = 0; sent < count && delivered;) {
            rpc::Words words{};
            size_t taken = console::pack(bytes + sent, count - sent, words.data());
            delivered = rpc::call(m_slot, console::Input, words).has_value();
            sent += taken;
        }
        if (delivered)
            return true;
        (void)sys::drop_cap(m_slot);
        m_connected = false;
    }
    return count == 0;
}

} // namespace mnos
