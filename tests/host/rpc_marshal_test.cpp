// What travels in IPC messages: names as the name service packs them (user/libmnos/
// name_service.h) and bytes as the console's protocol packs them (abi/console.h). One name has
// one encoding; anything else is refused; bytes survive the round trip and are capped.
#include <gtest/gtest.h>

#include <string>

#include "abi/console.h"
#include "user/libmnos/name_service.h"

namespace {

using mnos::Error;
namespace names = mnos::names;

TEST(NameMarshalling, RoundTripsEveryValidName) {
    for (std::string name : std::initializer_list<std::string>{"a", "console", "console-input", "serial_drv.2",
                             std::string(mnos::name_service::MAX_NAME, 'z')}) {
        auto words = names::pack(lib::StringView(name.data(), name.size()));
        ASSERT_TRUE(words.has_value()) << name;
        char out[mnos::name_service::MAX_NAME + 1];
        auto back = names::unpack(*words, out);
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_EQ(std::string(back->data(), back->length()), name);
    }
}

TEST(NameMarshalling, RefusesBadNamesBothWays) {
    for (std::string name : std::initializer_list<std::string>{"", "Console", "two words", "slash/", std::string(24, 'a')})
        EXPECT_EQ(names::pack(lib::StringView(name.data(), name.size())).error(),
                  Error::InvalidArgument)
            << name;
    char out[mnos::name_service::MAX_NAME + 1];
    mnos::rpc::Words empty{};
    EXPECT_EQ(names::unpack(empty, out).error(), Error::InvalidArgument);
    mnos::rpc::Words gap{uint64_t('a') | uint64_t('b') << 16, 0, 0}; // "a\0b": not one name
    EXPECT_EQ(names::unpack(gap, out).error(), Error::InvalidArgument);
    mnos::rpc::Words upper{uint64_t('A'), 0, 0};
    EXPECT_EQ(names::unpack(upper, out).error(), Error::InvalidArgument);
    mnos::rpc::Words full{~0ull, ~0ull, ~0ull}; // 24 bytes of 0xff: too long and invalid
    EXPECT_EQ(names::unpack(full, out).error(), Error::InvalidArgument);
}

TEST(ByteMarshalling, RoundTripsUpToAMessageAndCapsTheRest) {
    std::string text = "hello, console \x1b[K\r\n\x7f";
    uint64_t words[mnos::IPC_MESSAGE_WORDS];
    size_t taken = mnos::console::pack(text.data(), text.size(), words);
    EXPECT_EQ(taken, text.size() < mnos::console::BYTES_PER_MESSAGE
                         ? text.size()
                         : mnos::console::BYTES_PER_MESSAGE);
    char out[mnos::console::BYTES_PER_MESSAGE];
    size_t count = mnos::console::unpack(words, out);
    EXPECT_EQ(std::string(out, count), text.substr(0, taken));

    std::string long_text(100, 'x');
    EXPECT_EQ(mnos::console::pack(long_text.data(), long_text.size(), words),
              mnos::console::BYTES_PER_MESSAGE);
    EXPECT_EQ(mnos::console::unpack(words, out), mnos::console::BYTES_PER_MESSAGE);
    EXPECT_EQ(mnos::console::pack("", 0, words), 0u);
    EXPECT_EQ(mnos::console::unpack(words, out), 0u);
}

TEST(ByteMarshalling, AHostileCountIsCapped) {
    uint64_t words[mnos::IPC_MESSAGE_WORDS] = {0xff, 0, 0}; // claims 255 bytes
    char out[mnos::console::BYTES_PER_MESSAGE];
    EXPECT_EQ(mnos::console::unpack(words, out), mnos::console::BYTES_PER_MESSAGE);
}

} // namespace
