// The block service's checks (lib/block/request.h): what a well-formed request costs, and that
// each way of being out of range, misaligned or oversized is refused with its error, without
// any sum wrapping around.
#include <gtest/gtest.h>

#include "abi/block.h"
#include "lib/block/request.h"

namespace {

using lib::Error;
using lib::block::check_request;
using lib::block::Limits;
using lib::block::Request;

constexpr Limits DISK{8192, 64 * 1024}; // 4 MiB disk, 64 KiB buffer

TEST(BlockRequest, WellFormedRequestsAreItsBytes) {
    EXPECT_EQ(*check_request({0, 1, 0}, DISK), 512u);
    EXPECT_EQ(*check_request({8191, 1, 0}, DISK), 512u);
    EXPECT_EQ(*check_request({8064, 128, 0}, DISK), 65536u);
    EXPECT_EQ(*check_request({5, 2, 65536 - 1024}, DISK), 1024u);
}

TEST(BlockRequest, OversizedOrEmptyIsInvalid) {
    EXPECT_EQ(check_request({0, 0, 0}, DISK).error(), Error::InvalidArgument);
    EXPECT_EQ(check_request({0, mnos::block::MAX_SECTORS + 1, 0}, {1u << 20, 1u << 20}).error(),
              Error::InvalidArgument);
    EXPECT_EQ(check_request({0, UINT64_MAX, 0}, DISK).error(), Error::InvalidArgument);
}

TEST(BlockRequest, MisalignedOffsetIsInvalid) {
    EXPECT_EQ(check_request({0, 1, 1}, DISK).error(), Error::InvalidArgument);
    EXPECT_EQ(check_request({0, 1, 511}, DISK).error(), Error::InvalidArgument);
}

TEST(BlockRequest, PastTheEndOfTheDiskIsOverflow) {
    EXPECT_EQ(check_request({8192, 1, 0}, DISK).error(), Error::Overflow);
    EXPECT_EQ(check_request({8191, 2, 0}, DISK).error(), Error::Overflow);
    EXPECT_EQ(check_request({UINT64_MAX, 1, 0}, DISK).error(), Error::Overflow);
    EXPECT_EQ(check_request({UINT64_MAX - 1, 2, 0}, DISK).error(), Error::Overflow);
    EXPECT_EQ(check_request({0, 1, 0}, {0, 4096}).error(), Error::Overflow);
}

TEST(BlockRequest, NotFittingTheBufferIsBadAddress) {
    EXPECT_EQ(check_request({0, 2, 65536 - 512}, DISK).error(), Error::BadAddress);
    EXPECT_EQ(check_request({0, 1, 65536}, DISK).error(), Error::BadAddress);
    EXPECT_EQ(check_request({0, 1, UINT64_MAX - 511}, DISK).error(), Error::BadAddress);
    EXPECT_EQ(check_request({0, 128, 0}, {8192, 4096}).error(), Error::BadAddress);
}

} // namespace
