#pragma once
// The key table's description of the key a path names (its doc, unit and range), for the levers
// the playground shows. Walks Keys<S> one segment per level; a list of maps takes one more
// segment, the entry (by name or index), which does not change the key's description.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "polarity/model/scenario_keys.hpp"

namespace polarity::serve::detail {

struct KeyDescription {
    std::string doc;
    std::string unit;
    model::keys::Range range = model::keys::Range::any();
};

template <class S>
std::optional<KeyDescription> describe_key(std::span<const std::string> path);

template <class S>
struct KeyFinder {
    std::span<const std::string> path;
    std::optional<KeyDescription> found;

    [[nodiscard]] bool here(std::string_view key) const { return !found && !path.empty() && path[0] == key; }
    template <class T>
    void scalar(std::string_view key, T S::*, const model::keys::Spec& spec) {
        if (here(key) && path.size() == 1)
            found = KeyDescription{std::string(spec.doc), std::string(spec.unit), spec.range};
    }
    template <class T>
    void section(std::string_view key, T S::*, const model::keys::Spec&) {
        if (here(key)) found = describe_key<T>(path.subspan(1));
    }
    template <class T>
    void list(std::string_view key, std::vector<T> S::*, const model::keys::Spec&) {
        if constexpr (!std::is_same_v<T, std::string>) {
            if (here(key) && path.size() > 2) found = describe_key<T>(path.subspan(2));
        }
    }
    void interval(std::string_view, double S::*, double S::*, const model::keys::Spec&) {}
    void version(std::string_view, int, const model::keys::Spec&) {}
};

template <class S>
std::optional<KeyDescription> describe_key(std::span<const std::string> path) {
    KeyFinder<S> finder{path, std::nullopt};
    model::keys::Keys<S>::visit(finder);
    return finder.found;
}

/// The description of the scalar key @p dotted_path ("suppliers.huawei.yield"), if it names one.
[[nodiscard]] std::optional<KeyDescription> describe_scenario_key(std::string_view dotted_path);

}  // namespace polarity::serve::detail
