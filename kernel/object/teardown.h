// The order in which an ended process gives back what it holds, once its last thread has made
// its final switch away (docs/processes.md, "Teardown"). Process::release_address_space runs
// it with the real steps; tests/host/cap/teardown_test.cpp runs it over real capabilities and
// frames and checks what each step may rely on.
#pragma once

namespace kernel::object {

// `steps` provides the four steps; each may assume the ones before it are done.
template <typename Steps> void tear_down(Steps& steps) {
    // 1. The page tables: no CPU runs on them any more, and nothing maps into them after.
    steps.release_page_tables();
    // 2. The frames its image and MapMemory mapped, now that no table points at them (a frame
    //    a capability still holds stays, with that capability).
    steps.free_mapped_frames();
    // 3. Its capabilities: nothing of the process runs again to use them. Objects whose last
    //    reference they were go too; an endpoint whose last capability goes closes, and its
    //    waiting callers and receivers fail with PeerGone.
    steps.clear_capabilities();
    // 4. Last, the exit notice: a parent woken by WaitProcess finds every frame and every
    //    capability of the child already given back.
    steps.post_exit();
}

} // namespace kernel::object
