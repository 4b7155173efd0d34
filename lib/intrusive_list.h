// IntrusiveList<T, &T::node>: a doubly-linked list whose links live inside the elements, so
// linking and unlinking never allocate and never fail (what the IPC path and the capability
// derivation tree need). The list does not own its elements; an element must be removed
// before it is destroyed, and can be on at most one list per IntrusiveListNode member.
// O(1): push_front, push_back, pop_front, remove. Not thread-safe: the owner's lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lib {

class IntrusiveListNode {
public:
    constexpr IntrusiveListNode() = default;
    // Links are addresses of neighbours: copying or moving a linked node would corrupt its list.
    IntrusiveListNode(const IntrusiveListNode&) = delete;
    IntrusiveListNode& operator=(const IntrusiveListNode&) = delete;

    bool is_linked() const { return m_next != nullptr; }

private:
    template <typename T, IntrusiveListNode T::*> friend class IntrusiveList;
    IntrusiveListNode* m_prev = nullptr;
    IntrusiveListNode* m_next = nullptr;
};

template <typename T, IntrusiveListNode T::*Member> class IntrusiveList {
public:
    IntrusiveList() { m_head.m_prev = m_head.m_next = &m_head; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;
    // Elements still linked would point at a dead head; the owner must empty the list first.
    ~IntrusiveList() { clear(); }

    bool empty() const { return m_head.m_next == &m_head; }
    size_t size() const {
        size_t count = 0;
        for (const IntrusiveListNode* n = m_head.m_next; n != &m_head; n = n->m_next)
            ++count;
        return count;
    }

    T* front() const { return empty() ? nullptr : element_of(m_head.m_next); }
    T* back() const { return empty() ? nullptr : element_of(m_head.m_prev); }

    void push_back(T& element) { insert_before(&m_head, node_of(element)); }
    void push_front(T& element) { insert_before(m_head.m_next, node_of(element)); }

    // Inserts `element` just before `position`, which must be in this list.
    void insert_before(T& position, T& element) {
        insert_before(node_of(position), node_of(element));
    }

    T* pop_front() {
        T* first = front();
        if (first)
            remove(*first);
        return first;
    }

    // The element must be on this list.
    void remove(T& element) {
        IntrusiveListNode* node = node_of(element);
        node->m_prev->m_next = node->m_next;
        node->m_next->m_prev = node->m_prev;
        node->m_prev = node->m_next = nullptr;
    }

    // Whether this element is on this list (O(n); for assertions and tests).
    bool contains(const T& element) const {
        for (const IntrusiveListNode* n = m_head.m_next; n != &m_head; n = n->m_next)
            if (n == &(element.*Member))
                return true;
        return false;
    }

    // Unlinks every element (their nodes read as unlinked afterwards).
    void clear() {
        while (!empty())
            pop_front();
    }

    // Forward iteration. Removing the element an iterator points at invalidates that iterator
    // only; advance first, then remove.
    class Iterator {
    public:
        T& operator*() const { return *element_of(m_node); }
        T* operator->() const { return element_of(m_node); }
        Iterator& operator++() {
            m_node = m_node->m_next;
            return *this;
        }
        bool operator==(const Iterator&) const = default;

    private:
        friend class IntrusiveList;
        explicit Iterator(IntrusiveListNode* node) : m_node(node) {}
        IntrusiveListNode* m_node;
    };
    Iterator begin() { return Iterator(m_head.m_next); }
    Iterator end() { return Iterator(&m_head); }

private:
    static IntrusiveListNode* node_of(T& element) { return &(element.*Member); }
    // Member is a pointer to data member, which the Itanium C++ ABI (the ABI of every target we
    // build for, kernel and host) represents as the member's byte offset in T. Subtracting it
    // from the node's address gives back the element that contains the node.
    static T* element_of(const IntrusiveListNode* node) {
        static_assert(sizeof(Member) == sizeof(ptrdiff_t), "data member pointer is an offset");
        const auto offset = __builtin_bit_cast(ptrdiff_t, Member);
        // Sound: every node on this list is the Member of some T (push_* only take T&), so
        // the address `offset` bytes before it is that T.
        return reinterpret_cast<T*>(reinterpret_cast<uintptr_t>(node) - offset);
    }
    static void insert_before(IntrusiveListNode* next, IntrusiveListNode* node) {
        node->m_next = next;
        node->m_prev = next->m_prev;
        next->m_prev->m_next = node;
        next->m_prev = node;
    }

    IntrusiveListNode m_head; // sentinel: the list is a ring through it
};

} // namespace lib
