// The name service's protocol (init serves it; user/libmnos/name_service.h is the client).
// Services register an endpoint under a name; clients look the name up and receive their own
// badged capability to that endpoint, through which the service tells them apart. When a
// service ends, init revokes every capability it handed out for its names, so a client's next
// call fails (EmptySlot, or PeerGone if it was already waiting) and it looks the name up again.
//
// A name is 1 to 23 bytes of [a-z0-9._-], packed into the three message words, NUL-padded.
// Every reply's label is 0 on success or the mnos::Error that refused the request.
#pragma once

#include <cstdint>

namespace mnos::name_service {

inline constexpr uint64_t MAX_NAME = 23;

enum Method : uint64_t {
    Register = 1, // words: the name; transfer: the endpoint (GRANT, WRITE). Exists if taken.
    Lookup = 2,   // words: the name; the reply transfers a badged endpoint (WRITE, GRANT:
                  // a client may pass its connection, badge and all, to a program it starts).
                  // NotFound.
    Unregister = 3, // words: the name, which the caller registered. NotFound otherwise.
};

} // namespace mnos::name_service
