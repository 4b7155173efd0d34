#include "user/libmnos/name_service.h"

#include "abi/init.h"

namespace mnos::names {

namespace {
constexpr bool name_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}
} // namespace

lib::Result<rpc::Words> pack(lib::StringView name) {
    if (name.is_empty() || name.length() > name_service::MAX_NAME)
        return lib::fail(Error::InvalidArgument);
    rpc::Words words{};
    for (size_t i = 0; i < name.length(); ++i) {
        if (!name_character(name[i]))
            return lib::fail(Error::InvalidArgument);
        words[i / 8] |= uint64_t(uint8_t(name[i])) << (8 * (i % 8));
    }
    return words;
}

lib::Result<lib::StringView> unpack(const rpc::Words& words,
                                    char (&out)[name_service::MAX_NAME + 1]) {
    size_t length = 0;
    for (size_t i = 0; i < sizeof(rpc::Words); ++i) {
        char c = char(words[i / 8] >> (8 * (i % 8)));
        if (c == '\0')
            break;
        if (i == name_service::MAX_NAME || !name_character(c))
            return lib::fail(Error::InvalidArgument);
        out[length++] = c;
    }
    // Everything after the name must be padding: one name has one encoding.
    for (size_t i = length; i < sizeof(rpc::Words); ++i)
        if (char(words[i / 8] >> (8 * (i % 8))) != '\0')
            return lib::fail(Error::InvalidArgument);
    if (length == 0)
        return lib::fail(Error::InvalidArgument);
    out[length] = '\0';
    return lib::StringView(out, length);
}

lib::Result<void> register_endpoint(lib::StringView name, CapSlot endpoint) {
    rpc::Words words = TRY(pack(name));
    TRY(rpc::call(service_caps::NAME_SERVICE, name_service::Register, words,
                  {endpoint, Rights::Write | Rights::Grant | Rights::Revoke}));
    return {};
}

lib::Result<CapSlot> free_slot() {
    for (uint32_t i = CNODE_SLOTS; i-- > service_caps::FIRST_GRANT;)
        if (auto what = sys::inspect(CapSlot(i)); !what && what.error() == Error::EmptySlot)
            return CapSlot(i);
    return lib::fail(Error::NoSlot);
}

lib::Result<CapSlot> lookup(lib::StringView name, CapSlot into) {
    rpc::Words words = TRY(pack(name));
    if (into.is_none())
        into = TRY(free_slot());
    rpc::Answer answer = TRY(rpc::call(service_caps::NAME_SERVICE, name_service::Lookup, words,
                                       {}, into));
    if (answer.capability.slot.is_none())
        return lib::fail(Error::NotFound);
    return answer.capability.slot;
}

lib::Result<CapSlot> wait_for(lib::StringView name, CapSlot into, uint32_t attempts) {
    for (uint32_t i = 0;; ++i) {
        auto found = lookup(name, into);
        if (found || found.error() != Error::NotFound || i == attempts)
            return found;
        sys::yield();
    }
}

} // namespace mnos::names
