#pragma once
// Looking up a scenario's entities by name, so that tests do not depend on a fixture's order.

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string_view>

namespace polarity::test {

/// The entry of @p items (labs, nations, suppliers, SKUs, rules, ...) called @p name; fails the
/// test if there is none.
template <class Items>
auto& named(Items& items, std::string_view name) {
    for (auto& item : items)
        if (item.name == name) return item;
    FAIL("no entry named '" << name << "'");
    throw std::logic_error("unreachable");  // FAIL throws; this keeps every path returning
}

}  // namespace polarity::test
