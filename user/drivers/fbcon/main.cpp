// fbcon: the screen service (docs/console.md). It maps the framebuffer its manifest entry grants
// (a MemoryFrame, `framebuffer`), reads the geometry from MNOS_FRAMEBUFFER, and serves
// console::Write on the endpoint it registers as "screen": the console service sends it the
// echo and everything programs print. From init's start the kernel no longer draws there
// (it does again on a panic).
//
// Threads: the served endpoint takes text into the screen's grid, which is cheap; a render
// thread draws it, at most once a frame. A program that prints fast pays for the text, not for
// a move of the whole framebuffer per line, and what it printed is on the screen a frame later.
#include "abi/console.h"
#include "abi/init.h"
#include "user/drivers/fbcon/screen.h"
#include "user/libmnos/console.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/spin_lock.h"
#include "user/libmnos/thread.h"

#include <atomic>

#include <optional>

namespace {

using mnos::CapSlot;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot FRAMEBUFFER{mnos::service_caps::FIRST_GRANT};
constexpr CapSlot WINDOW{mnos::CNODE_SLOTS - 1};
constexpr uint64_t PAGE_SIZE = 4096;
constexpr uint32_t MAX_SIDE = 16384; // pixels: more is a broken description, not a screen

struct Description {
    fbcon::Geometry geometry;
    uint32_t bpp = 0;
    uint32_t offset = 0; // of the first pixel in the frame's first page
};

// A decimal number up to `stop` (or the end); advances `at` past it and the stop character.
std::optional<uint32_t> number(lib::StringView text, size_t& at, char stop) {
    uint64_t value = 0;
    size_t start = at;
    while (at < text.length() && text[at] >= '0' && text[at] <= '9') {
        value = value * 10 + uint64_t(text[at++] - '0');
        if (value > 0xffffffff)
            return std::nullopt;
    }
    if (at == start || (stop ? at >= text.length() || text[at] != stop : at != text.length()))
        return std::nullopt;
    ++at;
    return uint32_t(value);
}

// "<width>x<height>x<bpp>,<pitch>,<offset>" (abi/init.h), checked to describe a screen this
// service can draw on.
std::optional<Description> describe(lib::StringView text) {
    Description d;
    size_t at = 0;
    auto width = number(text, at, 'x'), height = number(text, at, 'x');
    auto bpp = number(text, at, ','), pitch = number(text, at, ','), offset = number(text, at, 0);
    if (!width || !height || !bpp || !pitch || !offset)
        return std::nullopt;
    d.geometry = {*width, *height, *pitch};
    d.bpp = *bpp;
    d.offset = *offset;
    bool drawable = d.bpp == 32 && *width >= 8 && *height >= 16 && *width <= MAX_SIDE &&
                    *height <= MAX_SIDE && *pitch >= uint64_t(*width) * 4 && *pitch % 4 == 0 &&
                    *pitch <= MAX_SIDE * 4 && *offset < PAGE_SIZE && *offset % 4 == 0;
    return drawable ? std::optional(d) : std::nullopt;
}

// A display refreshes about 60 times a second: drawing more often shows nothing more.
constexpr uint64_t FRAME_MS = 16;

fbcon::Screen* g_screen = nullptr;
mnos::SpinLock g_screen_lock;           // over *g_screen
std::atomic<bool> g_render_wanted{false}; // text came in since the render thread last looked
CapSlot g_damaged;                      // a notification: wakes the render thread

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    if (request.method != mnos::console::Write)
        return lib::fail(mnos::Error::InvalidArgument);
    char bytes[mnos::console::BYTES_PER_MESSAGE];
    size_t count = mnos::console::unpack(request.words.data(), bytes);
    {
        mnos::LockGuard guard(g_screen_lock);
        g_screen->write(bytes, count);
    }
    if (!g_render_wanted.exchange(true, std::memory_order_acq_rel))
        (void)sys::signal(g_damaged, 1);
    return rpc::Reply{};
}

// Text that arrives while it draws waits for the next frame; an idle screen costs nothing.
void render_thread(void*) {
    while (true) {
        (void)sys::wait_notification(g_damaged);
        g_render_wanted.store(false, std::memory_order_release);
        {
            mnos::LockGuard guard(g_screen_lock);
            g_screen->render();
        }
        (void)sys::sleep(FRAME_MS);
    }
}

} // namespace

int main(int, char**) {
    lib::StringView env = mnos::environment(mnos::init_env::FRAMEBUFFER);
    auto description = describe(env);
    if (!description) {
        mnos::println("screen: no framebuffer it can draw on ({}='{}')",
                      mnos::init_env::FRAMEBUFFER, env);
        return 1;
    }
    const fbcon::Geometry& g = description->geometry;
    uint64_t bytes = description->offset + uint64_t(g.pitch) * g.height;
    auto mapped = mnos::map_shared(FRAMEBUFFER, (bytes + PAGE_SIZE - 1) / PAGE_SIZE, true);
    if (!mapped) {
        mnos::println("screen: cannot map the framebuffer: {}", mnos::error_name(mapped.error()));
        return 1;
    }
    auto* cells = new fbcon::Cell[size_t(fbcon::Screen::columns_for(g)) * fbcon::Screen::rows_for(g)];
    // Sound: the mapping covers offset + pitch * height bytes of the frame, the framebuffer the
    // kernel described, and offset is a multiple of 4 (describe() checked).
    static fbcon::Screen screen(static_cast<uint8_t*>(*mapped) + description->offset, g, cells);
    g_screen = &screen;
    screen.render();
    auto endpoint = sys::create_endpoint(mnos::service_caps::BUDGET);
    auto damaged = sys::create_notification(mnos::service_caps::BUDGET);
    if (!endpoint || !damaged) {
        mnos::println("screen: out of memory for its endpoint and notification");
        return 1;
    }
    g_damaged = *damaged;
    if (auto thread = mnos::Thread::start(render_thread, nullptr); !thread) {
        mnos::println("screen: no render thread: {}", mnos::error_name(thread.error()));
        return 1;
    }
    if (auto registered = mnos::names::register_endpoint(mnos::console::SCREEN, *endpoint);
        !registered) {
        mnos::println("screen: cannot register: {}", mnos::error_name(registered.error()));
        return 1;
    }
    mnos::println("screen: {}x{} pixels, {} columns x {} rows of text", g.width, g.height,
                  screen.columns(), screen.rows());
    rpc::serve(*endpoint, WINDOW, handle);
}
