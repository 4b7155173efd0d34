#include "user/libmnos/console.h"

#include <atomic>

#include "abi/console.h"
#include "user/libmnos/rpc.h"

extern "C" const char* const* mnos_environment; // runtime.cpp: what _start found

namespace mnos {

lib::StringView environment(lib::StringView name) {
    for (const char* const* entry = mnos_environment; entry && *entry; ++entry) {
        lib::StringView text(*entry);
        if (text.starts_with(name) && text.length() > name.length() && text[name.length()] == '=')
            return text.substring(name.length() + 1);
    }
    return {};
}

namespace {
std::atomic<uint32_t> g_console_override{CapSlot::NONE_VALUE};
}

void use_console(CapSlot slot) { g_console_override.store(slot.index(), std::memory_order_relaxed); }

std::span<const char* const> environment_entries() {
    size_t count = 0;
    while (mnos_environment && mnos_environment[count])
        ++count;
    return {mnos_environment, count};
}

CapSlot environment_slot(lib::StringView name) {
    lib::StringView value = environment(name);
    uint32_t index = 0;
    if (value.is_empty())
        return CapSlot::none();
    for (char c : value) {
        if (c < '0' || c > '9' || index >= CNODE_SLOTS)
            return CapSlot::none();
        index = index * 10 + uint32_t(c - '0');
    }
    return index < CNODE_SLOTS ? CapSlot(index) : CapSlot::none();
}

CapSlot console_slot() {
    uint32_t chosen = g_console_override.load(std::memory_order_relaxed);
    if (chosen != CapSlot::NONE_VALUE)
        return CapSlot(chosen);
    return environment_slot("MNOS_CONSOLE");
}

lib::Result<void> write_output(lib::StringView text) {
    CapSlot terminal = console_slot();
    if (terminal.is_none()) {
        TRY(sys::debug_log(text.data(), text.length()));
        return {};
    }
    while (!text.is_empty()) {
        rpc::Words words{};
        size_t taken = mnos::console::pack(text.data(), text.length(), words.data());
        TRY(rpc::call(terminal, mnos::console::Write, words));
        text = text.substring(taken);
    }
    return {};
}

lib::Result<size_t> read_input(char* buffer, size_t capacity) {
    CapSlot terminal = console_slot();
    if (terminal.is_none())
        return lib::fail(Error::NotFound);
    size_t length = 0;
    while (length + mnos::console::BYTES_PER_MESSAGE <= capacity) {
        rpc::Answer answer = TRY(rpc::call(terminal, mnos::console::Read, {}));
        size_t count = mnos::console::unpack(answer.words.data(), buffer + length);
        length += count;
        if (count == 0 || buffer[length - 1] == '\n' || count < mnos::console::BYTES_PER_MESSAGE)
            break;
    }
    return length;
}

} // namespace mnos
