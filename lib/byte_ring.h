// A fixed-size FIFO of bytes: a driver's transmit and receive buffers, the console's input.
// Not thread-safe by itself: its owner holds the lock that guards it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lib {

template <size_t Capacity> class ByteRing {
    static_assert(Capacity > 0 && (Capacity & (Capacity - 1)) == 0, "a power of two");

public:
    bool is_empty() const { return m_head == m_tail; }
    bool is_full() const { return size() == Capacity; }
    size_t size() const { return m_tail - m_head; }
    size_t room() const { return Capacity - size(); }

    // False (and nothing stored) when full.
    bool push(uint8_t byte) {
        if (is_full())
            return false;
        m_bytes[m_tail++ % Capacity] = byte;
        return true;
    }
    uint8_t pop() { return m_bytes[m_head++ % Capacity]; } // only when not empty
    uint8_t peek(size_t i = 0) const { return m_bytes[(m_head + i) % Capacity]; }

private:
    uint8_t m_bytes[Capacity];
    size_t m_head = 0; // free-running indices: their difference is the size
    size_t m_tail = 0;
};

} // namespace lib
