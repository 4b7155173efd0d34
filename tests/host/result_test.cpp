#include <gtest/gtest.h>

#include "lib/result.h"

using lib::Error;
using lib::Result;

namespace {

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9')
        return lib::fail(Error::Malformed);
    return c - '0';
}

Result<int> sum_two(char a, char b) {
    int x = TRY(parse_digit(a));
    int y = TRY(parse_digit(b));
    return x + y;
}

} // namespace

TEST(Result, TryYieldsValues) { EXPECT_EQ(sum_two('3', '4').value(), 7); }

TEST(Result, TryPropagatesTheFirstError) {
    auto r = sum_two('3', 'x');
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Error::Malformed);
}

TEST(Result, ErrorNamesAreDistinct) {
    EXPECT_STREQ(mnos::error_name(Error::OutOfMemory), "out of memory");
    EXPECT_STRNE(mnos::error_name(Error::EmptySlot), mnos::error_name(Error::WrongType));
}
