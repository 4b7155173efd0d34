// A typed request/reply layer over Call and ReplyRecv, which every service speaks instead of
// packing registers by hand: a request is a method number (the label) with up to three words
// and an optional capability; a reply's label is 0 for success or the mnos::Error that failed
// it, with up to three words and an optional capability back. The server sees each request's
// badge, so it knows which client asked.
#pragma once

#include <array>
#include <cstdint>

#include "lib/result.h"
#include "user/libmnos/syscall.h"

namespace mnos::rpc {

using Words = std::array<uint64_t, IPC_MESSAGE_WORDS>;

// A capability travelling with a message: what to send, or where one arrived.
struct Attachment {
    CapSlot slot = CapSlot::none();
    Rights rights = Rights::None;
};

struct Answer {
    Words words{};
    Attachment capability; // where the reply's capability landed, if it carried one
};

// Calls `method` on the server behind `endpoint`. The reply's error comes back as the Result's
// error; so do the kernel's (EmptySlot once the service's capability was revoked, PeerGone if it
// ended while holding the call). A capability in the reply lands in `accept`.
inline lib::Result<Answer> call(CapSlot endpoint, uint64_t method, Words words = {},
                                Attachment send = {}, CapSlot accept = CapSlot::none()) {
    IpcMessage message;
    message.label = method;
    for (size_t i = 0; i < words.size(); ++i)
        message.words[i] = words[i];
    message.transfer = send.slot;
    message.transfer_rights = send.rights;
    TRY(sys::call(endpoint, message, accept));
    if (message.label != 0)
        return lib::fail(Error(int32_t(message.label)));
    Answer answer;
    for (size_t i = 0; i < words.size(); ++i)
        answer.words[i] = message.words[i];
    answer.capability = {message.transfer, message.transfer_rights};
    return answer;
}

struct Request {
    uint64_t badge;  // whose capability the client called through (0: the unbadged one)
    uint64_t method;
    Words words;
    Attachment capability; // one the client sent, in the server's receive window
};

struct Reply {
    Words words{};
    Attachment capability; // sent back to the client (it needs GRANT here)
    // The capability was made for this reply alone (a badged copy, say): the server drops its
    // own once the reply has carried it to the client.
    bool release_after_send = false;
};

// The server's side: receives requests on `endpoint` forever, handing each to
// `handle(const Request&) -> lib::Result<Reply>` and answering with what it returns. A
// capability a request carries lands in `window`; the handler must move it elsewhere (or it
// is dropped before the next request), so the window is empty for each receive.
template <typename Handler>
[[noreturn]] void serve(CapSlot endpoint, CapSlot window, Handler&& handle) {
    IpcMessage message;
    bool have_request = sys::recv(endpoint, window, message).has_value();
    while (true) {
        IpcMessage answer;
        CapSlot release = CapSlot::none();
        if (have_request) {
            Request request{message.badge, message.label, {}, {message.transfer,
                                                                message.transfer_rights}};
            for (size_t i = 0; i < request.words.size(); ++i)
                request.words[i] = message.words[i];
            auto reply = handle(static_cast<const Request&>(request));
            if (!message.transfer.is_none())
                (void)sys::drop_cap(window); // empty for the next request, if still there
            if (reply) {
                for (size_t i = 0; i < reply->words.size(); ++i)
                    answer.words[i] = reply->words[i];
                answer.transfer = reply->capability.slot;
                answer.transfer_rights = reply->capability.rights;
                if (reply->release_after_send)
                    release = reply->capability.slot;
            } else {
                answer.label = uint64_t(reply.error());
            }
        }
        message = answer;
        if (!release.is_none()) {
            // Reply, then drop, then wait: the copy must not outlive the reply that carries it.
            (void)sys::reply(message);
            (void)sys::drop_cap(release);
            have_request = sys::recv(endpoint, window, message).has_value();
            continue;
        }
        // A caller that has gone makes no difference: ReplyRecv goes on to the next request.
        have_request = sys::reply_recv(endpoint, message, window).has_value();
    }
}

} // namespace mnos::rpc
