// Key paths to numbers: a visitor of the key table that walks one path segment per level and
// composes the accessors of the levels it passes through.

#include "polarity/model/scenario_paths.hpp"

#include <algorithm>
#include <span>
#include <type_traits>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/model/scenario_keys.hpp"

namespace polarity::model {
namespace {

using keys::Keys;
using keys::Spec;

template <class S>
using Accessor = std::function<double&(S&)>;

[[noreturn]] void fail(const std::string& key_path, const std::string& message) {
    throw ConfigError("", 0, 0, key_path, message);
}

std::string joined(const std::string& walked, std::string_view key) {
    return walked.empty() ? std::string(key) : walked + "." + std::string(key);
}

std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

/// The keys of S and, for a list entry, its `name` (the table's own spelling of both).
template <class S>
struct KeysOf {
    const S* item = nullptr;
    std::vector<std::string> keys;
    std::string name;
    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec&) {
        keys.emplace_back(key);
        if constexpr (std::is_same_v<T, std::string>) {
            if (key == "name" && item != nullptr) name = item->*member;
        }
    }
    template <class T>
    void section(std::string_view key, T S::*, const Spec&) { keys.emplace_back(key); }
    template <class T>
    void list(std::string_view key, std::vector<T> S::*, const Spec&) { keys.emplace_back(key); }
    void interval(std::string_view key, double S::*, double S::*, const Spec&) { keys.emplace_back(key); }
    void version(std::string_view key, int, const Spec&) { keys.emplace_back(key); }
};

template <class S>
Accessor<S> find(const S& s, std::span<const std::string> path, const std::string& walked, NumberBinding& out);

/// Entry @p segment of a list: by index if all digits (as `--set`), else by its `name`.
template <class T>
std::size_t entry(const std::vector<T>& items, const std::string& segment, const std::string& walked) {
    const bool digits = !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    if (digits) {
        const std::size_t index = segment.size() > 9 ? items.size() : std::stoul(segment);
        if (index >= items.size())
            fail(walked, "no entry " + segment + " (the list has " + std::to_string(items.size()) + " entries)");
        return index;
    }
    std::vector<std::string> names;
    for (const T& item : items) {
        KeysOf<T> k{&item, {}, {}};
        Keys<T>::visit(k);
        if (k.name == segment) return names.size();
        names.push_back(k.name);
    }
    names.erase(std::remove(names.begin(), names.end(), ""), names.end());
    fail(walked, "no entry is named '" + segment + "'" +
                     (names.empty() ? " (its entries have no names; use an index)"
                                    : " (expected one of: " + listed(names) + ")"));
}

/// Matches the first segment of @p path against the keys of S.
template <class S>
class Finder {
public:
    Finder(const S& s, std::span<const std::string> path, const std::string& walked, NumberBinding& out)
        : s_(s), path_(path), walked_(walked), out_(out) {}

    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec& spec) {
        if (!match(key)) return;
        if (path_.size() > 1) fail(here_, "is a value; it has no key '" + path_[1] + "'");
        if constexpr (std::is_same_v<T, double>) {
            take(spec);
            found_ = [member](S& x) -> double& { return x.*member; };
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
            if (!(s_.*member)) fail(here_, "is not set in this scenario; give it a value (in the scenario or the arm's set) to vary it");
            take(spec);
            found_ = [member](S& x) -> double& { return *(x.*member); };
        } else {
            fail(here_, "is not a number the study can sample (use arms for switches, lists and integers)");
        }
    }

    template <class T>
    void section(std::string_view key, T S::*member, const Spec&) {
        if (!match(key)) return;
        if (path_.size() == 1) fail(here_, "is a section, not a number");
        Accessor<T> inner = find<T>(s_.*member, path_.subspan(1), here_, out_);
        found_ = [member, inner](S& x) -> double& { return inner(x.*member); };
    }

    template <class T>
    void list(std::string_view key, std::vector<T> S::*member, const Spec&) {
        if (!match(key)) return;
        if constexpr (std::is_same_v<T, std::string>) {
            fail(here_, "is a list of names, not a number");
        } else {
            if (path_.size() < 3) fail(here_, "is a list; name an entry (by name or index) and one of its keys");
            const std::size_t index = entry(s_.*member, path_[1], here_);
            const std::string item = here_ + "[" + std::to_string(index) + "]";
            Accessor<T> inner = find<T>((s_.*member)[index], path_.subspan(2), item, out_);
            found_ = [member, index, inner](S& x) -> double& { return inner((x.*member)[index]); };
        }
    }

    void interval(std::string_view key, double S::*, double S::*, const Spec&) {
        if (match(key)) fail(here_, "is a range [low, high], not a number the study can sample");
    }

    void version(std::string_view key, int, const Spec&) {
        if (match(key)) fail(here_, "is the schema version; it cannot be varied");
    }

    [[nodiscard]] Accessor<S> found() const { return found_; }

private:
    bool match(std::string_view key) {
        if (found_ || key != path_[0]) return false;
        here_ = joined(walked_, key);
        return true;
    }
    void take(const Spec& spec) {
        out_.key_path = here_;
        out_.range = spec.range;
        if (spec.sentinel) out_.sentinel = spec.sentinel->value;
    }

    const S& s_;
    std::span<const std::string> path_;
    const std::string& walked_;
    NumberBinding& out_;
    std::string here_;
    Accessor<S> found_;
};

template <class S>
Accessor<S> find(const S& s, std::span<const std::string> path, const std::string& walked, NumberBinding& out) {
    Finder<S> finder(s, path, walked, out);
    Keys<S>::visit(finder);
    if (Accessor<S> found = finder.found()) return found;
    KeysOf<S> known;
    Keys<S>::visit(known);
    fail(walked, "no key '" + path[0] + "' (expected one of: " + listed(known.keys) + ")");
}

}  // namespace

NumberBinding bind_number(const Scenario& scenario, std::string_view path) {
    std::vector<std::string> segments;
    for (std::size_t from = 0;;) {
        const std::size_t dot = path.find('.', from);
        segments.emplace_back(path.substr(from, dot == std::string_view::npos ? dot : dot - from));
        if (segments.back().empty()) fail("", "expected a key path such as labs.deepseek.risk_appetite, got '" + std::string(path) + "'");
        if (dot == std::string_view::npos) break;
        from = dot + 1;
    }
    NumberBinding out;
    out.path = std::string(path);
    out.at = find<Scenario>(scenario, segments, "", out);
    return out;
}

}  // namespace polarity::model
