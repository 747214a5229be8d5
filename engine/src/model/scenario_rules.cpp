// The rules of scenario_rules.hpp applied to a whole scenario: a walk of the key table that
// visits every map (sections and list entries) with its key path.

#include "polarity/model/scenario_rules.hpp"

#include <type_traits>

namespace polarity::model::keys {
namespace {

std::string joined(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

/// Calls f(map, key path) for @p s and every map below it.
template <class S, class F>
void for_each_map(const S& s, const std::string& path, F& f);

template <class S, class F>
struct Descend {
    const S& s;
    const std::string& path;
    F& f;
    template <class T>
    void scalar(std::string_view, T S::*, const Spec&) {}
    template <class T>
    void section(std::string_view key, T S::*member, const Spec&) {
        for_each_map(s.*member, joined(path, key), f);
    }
    template <class T>
    void list(std::string_view key, std::vector<T> S::*member, const Spec&) {
        if constexpr (!std::is_same_v<T, std::string>) {
            const auto& items = s.*member;
            for (std::size_t i = 0; i < items.size(); ++i)
                for_each_map(items[i], joined(path, key) + "[" + std::to_string(i) + "]", f);
        }
    }
    void interval(std::string_view, double S::*, double S::*, const Spec&) {}
    void version(std::string_view, int, const Spec&) {}
};

template <class S, class F>
void for_each_map(const S& s, const std::string& path, F& f) {
    f(s, path);
    Descend<S, F> d{s, path, f};
    Keys<S>::visit(d);
}

/// A visitor of scalar keys only: the rest of the table's calls do nothing.
template <class S>
struct ScalarsOnly {
    template <class T>
    void section(std::string_view, T S::*, const Spec&) {}
    template <class T>
    void list(std::string_view, std::vector<T> S::*, const Spec&) {}
    void interval(std::string_view, double S::*, double S::*, const Spec&) {}
    void version(std::string_view, int, const Spec&) {}
};

/// The address of each key's member (scalars only), to bind a rule's keys.
template <class S>
struct AddressOf : ScalarsOnly<S> {
    const S& s;
    std::string_view wanted;
    const void* found = nullptr;
    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec&) {
        if (key == wanted) found = &(s.*member);
    }
};

template <class S>
const void* address_of(const S& s, std::string_view key) {
    AddressOf<S> a{{}, s, key};
    Keys<S>::visit(a);
    return a.found;
}

/// The first number of one map outside its key's range.
template <class S>
struct RangeCheck : ScalarsOnly<S> {
    const S& s;
    const std::string& path;
    std::optional<Breach> breach;
    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec& spec) {
        if (breach) return;
        if constexpr (is_std_optional<T>::value) {
            if (s.*member) check(key, *(s.*member), spec);
        } else {
            check(key, s.*member, spec);
        }
    }

private:
    template <class T>
    void check(std::string_view key, const T& value, const Spec& spec) {
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
            const auto x = static_cast<double>(value);
            if (spec.range.contains(x) || (spec.sentinel && x == spec.sentinel->value)) return;
            breach = Breach{joined(path, key), "expected a number " + spec.range.describe() + ", got " +
                                                   format_number(x)};
        }
    }
};

}  // namespace

std::vector<RuleAt> rules_of(const Scenario& scenario) {
    std::vector<RuleAt> out;
    auto collect = [&](const auto& map, const std::string& path) {
        using S = std::decay_t<decltype(map)>;
        for (const Rule<S>& rule : Rules<S>::list) {
            const S* s = &map;
            out.push_back({joined(path, rule.keys[0]),
                           {joined(path, rule.keys[0]), joined(path, rule.keys[1])},
                           {address_of(map, rule.keys[0]), address_of(map, rule.keys[1])},
                           [s, holds = rule.holds] { return holds(*s); },
                           [s, message = rule.message] { return message(*s); }});
        }
    };
    for_each_map(scenario, "", collect);
    return out;
}

std::optional<Breach> validate_sampled(const Scenario& scenario) {
    std::optional<Breach> first;
    auto check = [&](const auto& map, const std::string& path) {
        using S = std::decay_t<decltype(map)>;
        if (first) return;
        RangeCheck<S> ranges{{}, map, path, std::nullopt};
        Keys<S>::visit(ranges);
        if ((first = ranges.breach)) return;
        for (const Rule<S>& rule : Rules<S>::list) {
            if (!rule.holds(map)) {
                first = Breach{joined(path, rule.keys[0]), rule.message(map)};
                return;
            }
        }
    };
    for_each_map(scenario, "", check);
    return first;
}

}  // namespace polarity::model::keys
