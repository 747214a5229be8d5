#pragma once
// Private helpers of the scenario loader: typed, validating access to yaml-cpp nodes.
//
// Every failure becomes a polarity::ConfigError carrying the file, the 1-based line and column
// of the offending node and its key path ("labs[2].nation"). The helpers never call
// YAML::Node::operator[], so yaml-cpp's mark-less InvalidNode exception cannot occur, and they
// never let a yaml-cpp exception escape.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/model/scenario.hpp"

namespace polarity::config::detail {

/// Builds a ConfigError; a null mark (no position known) gives line and column 0.
[[nodiscard]] ConfigError make_error(const std::string& file, const YAML::Mark& mark,
                                     const std::string& key_path, const std::string& message);

/// Edit distance (with transpositions), for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to @p word if it is close enough to be a plausible typo.
[[nodiscard]] std::optional<std::string> nearest(std::string_view word,
                                                 const std::vector<std::string>& candidates);

/// "a, b, c" (shortened with ", ..." past a handful, so messages stay one line).
[[nodiscard]] std::string join_names(const std::vector<std::string>& names);

/// An allowed numeric interval; its description completes "expected a number ...".
class Range {
public:
    [[nodiscard]] static Range any() { return {}; }
    [[nodiscard]] static Range at_least(double lo) { return {lo, kInf, false, false}; }
    [[nodiscard]] static Range above(double lo) { return {lo, kInf, true, false}; }
    [[nodiscard]] static Range closed(double lo, double hi) { return {lo, hi, false, false}; }
    [[nodiscard]] static Range open_closed(double lo, double hi) { return {lo, hi, true, false}; }
    [[nodiscard]] static Range closed_open(double lo, double hi) { return {lo, hi, false, true}; }
    /// The share ranges [0, 1] that most of the scenario uses.
    [[nodiscard]] static Range unit() { return closed(0, 1); }

    [[nodiscard]] bool contains(double x) const;
    /// "", ">= 0", "> 0" or "in (0, 1]".
    [[nodiscard]] std::string describe() const;

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    Range() = default;
    Range(double lo, double hi, bool lo_open, bool hi_open)
        : lo_(lo), hi_(hi), lo_open_(lo_open), hi_open_(hi_open) {}
    double lo_ = -kInf;
    double hi_ = kInf;
    bool lo_open_ = false;
    bool hi_open_ = false;
};

class MapReader;

/// One YAML node together with where it is: file, key path and the mark errors should point at.
class Value {
public:
    Value(YAML::Node node, std::string path, const std::string& file, YAML::Mark mark)
        : node_(std::move(node)), path_(std::move(path)), file_(&file), mark_(mark) {}

    [[nodiscard]] const YAML::Node& node() const { return node_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] const std::string& file() const { return *file_; }
    [[nodiscard]] const YAML::Mark& mark() const { return mark_; }
    [[nodiscard]] int line() const { return mark_.line + 1; }

    /// Throws a ConfigError at this node.
    [[noreturn]] void fail(const std::string& message) const;

    /// Converts a scalar; numbers must be finite and inside @p range.
    template <class T>
    [[nodiscard]] T as(const Range& range = Range::any()) const;

    /// A scalar that must be one of the given spellings.
    template <class E>
    [[nodiscard]] E as_choice(std::initializer_list<std::pair<std::string_view, E>> choices) const;

    /// The items of a list; null (a key with nothing after it) reads as an empty list.
    [[nodiscard]] std::vector<Value> items() const;

    /// "a list", "a map", "nothing" or the quoted scalar, for "expected X, got Y" messages.
    [[nodiscard]] std::string describe() const;

    [[nodiscard]] std::string child_path(std::string_view key) const;

private:
    YAML::Node node_;
    std::string path_;
    const std::string* file_;
    YAML::Mark mark_;
};

// Scalar conversions used by Value::as; each fails with "expected ..., got ...".
void parse(const Value& v, double& out);
void parse(const Value& v, int& out);
void parse(const Value& v, std::uint64_t& out);
void parse(const Value& v, bool& out);
void parse(const Value& v, std::string& out);
void parse(const Value& v, model::CalendarMonth& out);

template <class T>
T Value::as(const Range& range) const {
    T out{};
    parse(*this, out);
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (!range.contains(static_cast<double>(out))) {
            const char* kind = std::is_integral_v<T> ? "an integer " : "a number ";
            fail(std::string("expected ") + kind + range.describe() + ", got " + node_.Scalar());
        }
    }
    return out;
}

template <class E>
E Value::as_choice(std::initializer_list<std::pair<std::string_view, E>> choices) const {
    const auto text = as<std::string>();
    std::string spellings;
    for (const auto& [spelling, value] : choices) {
        if (text == spelling) return value;
        spellings += (spellings.empty() ? "" : ", ") + std::string(spelling);
    }
    fail("expected one of " + spellings + ", got '" + text + "'");
}

/// Reads one YAML map. Construction rejects non-maps and duplicate keys; each lookup records
/// the key as part of the schema, so finish() can reject every key nobody asked for (typos) and
/// suggest the nearest one that was asked for.
class MapReader {
public:
    /// @p map may be null (an empty section such as "world:"), which reads as an empty map.
    explicit MapReader(const Value& map);

    /// The value of @p key if present (and marks it consumed).
    [[nodiscard]] std::optional<Value> find(std::string_view key);
    /// The value of @p key; a missing key is an error.
    [[nodiscard]] Value need(std::string_view key);
    /// The value of @p key if present, else the map itself: where a cross-field error points.
    [[nodiscard]] Value at(std::string_view key) const;

    template <class T>
    [[nodiscard]] T required(std::string_view key, const Range& range = Range::any()) {
        return need(key).as<T>(range);
    }

    /// Overwrites @p target (which holds the default) if @p key is present; std::optional
    /// targets are engaged. Returns whether the key was present.
    template <class T>
    bool optional(std::string_view key, T& target, const Range& range = Range::any());

    /// The items of an optional list (absent reads as empty).
    [[nodiscard]] std::vector<Value> list(std::string_view key);
    /// An optional sub-map (absent reads as empty, so its defaults apply).
    [[nodiscard]] MapReader section(std::string_view key);

    /// Rejects keys that were never looked up.
    void finish() const;

    [[nodiscard]] const Value& self() const { return self_; }

private:
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
        bool used = false;
    };
    [[nodiscard]] Value value_of(const Entry& e) const;

    Value self_;
    std::vector<Entry> entries_;
    std::vector<std::string> known_;  // every key looked up, i.e. the schema of this map
};

template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

template <class T>
bool MapReader::optional(std::string_view key, T& target, const Range& range) {
    const auto v = find(key);
    if (!v) return false;
    if constexpr (is_std_optional<T>::value) {
        target = v->as<typename T::value_type>(range);
    } else {
        target = v->as<T>(range);
    }
    return true;
}

/// The names of one kind of entity ("nation", "SKU", ...): rejects duplicates and empty names,
/// and resolves references with a "did you mean" suggestion.
class NameRegistry {
public:
    explicit NameRegistry(std::string kind) : kind_(std::move(kind)) {}

    /// Registers the name held by @p name_value and returns it.
    std::string add(const Value& name_value);
    [[nodiscard]] bool contains(const std::string& name) const { return lines_.count(name) > 0; }
    [[nodiscard]] const std::vector<std::string>& names() const { return order_; }
    [[nodiscard]] const std::string& kind() const { return kind_; }

    /// Reads a reference and fails unless it names a registered entity.
    [[nodiscard]] std::string resolve(const Value& ref) const;

private:
    std::string kind_;
    std::vector<std::string> order_;
    std::unordered_map<std::string, int> lines_;  // name -> line where it was defined
};

/// "'x' is not a nation; did you mean 'y'?" or "...; the nations are a, b, c".
[[nodiscard]] std::string not_found_message(const std::string& name, const std::string& what,
                                            const std::vector<std::string>& candidates);

}  // namespace polarity::config::detail
