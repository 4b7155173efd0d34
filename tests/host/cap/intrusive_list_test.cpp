// lib::IntrusiveList: order, removal from any position, re-linking, iteration.
#include <gtest/gtest.h>

#include <vector>

#include "lib/intrusive_list.h"

namespace {

struct Item {
    Item() = default;
    explicit Item(int v) : value(v) {}
    int value = 0;
    lib::IntrusiveListNode other; // a second node before the one under test: a nonzero offset
    lib::IntrusiveListNode node;
};

using List = lib::IntrusiveList<Item, &Item::node>;
using OtherList = lib::IntrusiveList<Item, &Item::other>;

std::vector<int> values(List& list) {
    std::vector<int> out;
    for (Item& item : list)
        out.push_back(item.value);
    return out;
}

TEST(IntrusiveList, StartsEmpty) {
    List list;
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.size(), 0u);
    EXPECT_EQ(list.front(), nullptr);
    EXPECT_EQ(list.back(), nullptr);
    EXPECT_EQ(list.pop_front(), nullptr);
}

TEST(IntrusiveList, PushBackIsFifo) {
    Item a{1}, b{2}, c{3};
    List list;
    list.push_back(a);
    list.push_back(b);
    list.push_back(c);
    EXPECT_EQ(values(list), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(list.front(), &a);
    EXPECT_EQ(list.back(), &c);
    EXPECT_EQ(list.pop_front(), &a);
    EXPECT_EQ(list.pop_front(), &b);
    EXPECT_EQ(list.pop_front(), &c);
    EXPECT_TRUE(list.empty());
    EXPECT_FALSE(a.node.is_linked());
}

TEST(IntrusiveList, PushFrontPrepends) {
    Item a{1}, b{2};
    List list;
    list.push_back(a);
    list.push_front(b);
    EXPECT_EQ(values(list), (std::vector<int>{2, 1}));
    list.clear();
}

TEST(IntrusiveList, RemoveFromMiddleHeadAndTail) {
    Item items[5];
    List list;
    for (int i = 0; i < 5; ++i) {
        items[i].value = i;
        list.push_back(items[i]);
    }
    list.remove(items[2]);
    EXPECT_EQ(values(list), (std::vector<int>{0, 1, 3, 4}));
    list.remove(items[0]);
    list.remove(items[4]);
    EXPECT_EQ(values(list), (std::vector<int>{1, 3}));
    EXPECT_FALSE(items[2].node.is_linked());
    EXPECT_TRUE(items[3].node.is_linked());
    EXPECT_FALSE(list.contains(items[2]));
    EXPECT_TRUE(list.contains(items[3]));
    list.clear();
    EXPECT_FALSE(items[3].node.is_linked());
}

TEST(IntrusiveList, AnElementCanMoveBetweenLists) {
    Item a{1};
    List first, second;
    first.push_back(a);
    first.remove(a);
    second.push_back(a);
    EXPECT_TRUE(first.empty());
    EXPECT_EQ(second.front(), &a);
    second.clear();
}

TEST(IntrusiveList, OneElementOnTwoListsThroughTwoNodes) {
    Item a{1}, b{2};
    List list;
    OtherList other;
    list.push_back(a);
    list.push_back(b);
    other.push_back(b);
    other.push_back(a);
    EXPECT_EQ(values(list), (std::vector<int>{1, 2}));
    EXPECT_EQ(other.front(), &b);
    EXPECT_EQ(other.back(), &a);
    other.remove(b);
    EXPECT_EQ(values(list), (std::vector<int>{1, 2})); // untouched by the other list
    list.clear();
    other.clear();
}

TEST(IntrusiveList, RemovingWhileIteratingAfterAdvancing) {
    Item items[4];
    List list;
    for (int i = 0; i < 4; ++i) {
        items[i].value = i;
        list.push_back(items[i]);
    }
    for (auto it = list.begin(); it != list.end();) {
        Item& item = *it;
        ++it;
        if (item.value % 2 == 0)
            list.remove(item);
    }
    EXPECT_EQ(values(list), (std::vector<int>{1, 3}));
    EXPECT_EQ(list.size(), 2u);
    list.clear();
}

} // namespace
