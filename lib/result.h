// Result<T>: a value or an mnos::Error. Fallible functions return one and callers propagate it
// explicitly, with TRY where the error goes straight up.
#pragma once

#include <expected>
#include <utility>

#include "abi/error.h"

namespace lib {

using mnos::Error;

template <typename T = void> using Result = std::expected<T, Error>;

// `return lib::fail(Error::Malformed);` reads better than spelling out std::unexpected.
constexpr std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(e); }

} // namespace lib

// TRY(expr): evaluates a Result; on error returns it from the enclosing function, otherwise
// yields the value. operator* is used rather than value(), which would need exceptions.
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto&& try_result_ = (expr);                                                               \
        if (!try_result_) [[unlikely]]                                                             \
            return std::unexpected(try_result_.error());                                           \
        *std::move(try_result_);                                                                   \
    })
