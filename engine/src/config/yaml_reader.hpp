#pragma once
// Private helpers of the scenario loader: typed, validating access to the nodes of a composed
// document (source_tree.hpp).
//
// Every failure becomes a polarity::ConfigError carrying the file, the 1-based line and column
// of the offending node and its key path ("labs[2].nation"). The file is the node's own, so in
// a document composed with `extends` or `--set` errors point into whichever file wrote the value.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "polarity/core/error.hpp"
#include "polarity/model/key_range.hpp"
#include "polarity/model/scenario.hpp"
#include "polarity/model/scenario_keys.hpp"
#include "source_tree.hpp"

namespace polarity::config::detail {

/// Builds a ConfigError; a null mark (no position known) gives line and column 0.
[[nodiscard]] ConfigError make_error(const std::string& file, const YAML::Mark& mark,
                                     const std::string& key_path, const std::string& message);

/// Edit distance (with transpositions), for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to @p word if it is close enough to be a plausible typo.
[[nodiscard]] std::optional<std::string> nearest(std::string_view word,
                                                 const std::vector<std::string>& candidates);

/// Decimal text that reads back as exactly @p x: whole numbers below 1e7 as integers ("1500"),
/// anything else in its shortest form ("0.4", "9.894e+14").
[[nodiscard]] std::string format_exact(double x);

/// "a, b, c" (shortened with ", ..." past a handful, so messages stay one line).
[[nodiscard]] std::string join_names(const std::vector<std::string>& names);

// The key table (Keys, Spec, Range, ...) is the loader's vocabulary.
using namespace model::keys;

class MapReader;

/// One node together with where it is: key path, and the file and mark errors should point at.
/// The node is borrowed from the document, which must outlive the Value.
class Value {
public:
    Value(const SourceNode& node, std::string path, Origin where)
        : node_(&node), path_(std::move(path)), where_(std::move(where)) {}

    [[nodiscard]] const SourceNode& node() const { return *node_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] const Origin& origin() const { return where_; }
    [[nodiscard]] const std::string& file() const { return *where_.file; }
    [[nodiscard]] const YAML::Mark& mark() const { return where_.mark; }
    [[nodiscard]] int line() const { return where_.mark.line + 1; }
    /// A scalar's text ("" for anything else).
    [[nodiscard]] const std::string& text() const { return node_->text; }

    /// Throws a ConfigError at this node.
    [[noreturn]] void fail(const std::string& message) const;

    /// Converts a scalar; numbers must be finite and inside @p range.
    template <class T>
    [[nodiscard]] T as(const Range& range = Range::any()) const;

    /// A scalar that must be one of the given spellings: a range of (spelling, value) pairs.
    template <class E, class Choices>
    [[nodiscard]] E as_choice(const Choices& choices) const;

    /// The items of a list; null (a key with nothing after it) reads as an empty list.
    [[nodiscard]] std::vector<Value> items() const;

    /// "a list", "a map", "nothing" or the quoted scalar, for "expected X, got Y" messages.
    [[nodiscard]] std::string describe() const;

    [[nodiscard]] std::string child_path(std::string_view key) const;

private:
    const SourceNode* node_;
    std::string path_;
    Origin where_;
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
            fail(std::string("expected ") + kind + range.describe() + ", got " + text());
        }
    }
    return out;
}

template <class E, class Choices>
E Value::as_choice(const Choices& choices) const {
    const auto word = as<std::string>();
    std::string spellings;
    for (const auto& [spelling, value] : choices) {
        if (word == spelling) return value;
        spellings += (spellings.empty() ? "" : ", ") + std::string(spelling);
    }
    fail("expected one of " + spellings + ", got '" + word + "'");
}

/// Reads one YAML map. Construction rejects non-maps (duplicate keys were rejected when the
/// document was parsed); each lookup records the key as part of the schema, so finish() can
/// reject every key nobody asked for (typos) and suggest the nearest one that was asked for.
class MapReader {
public:
    /// @p map may be null (an empty section such as "world:"), which reads as an empty map.
    explicit MapReader(const Value& map);

    /// The value of @p key if present (and marks it consumed).
    [[nodiscard]] std::optional<Value> find(std::string_view key);
    /// The value of @p key; a missing key is an error (@p why, if given, is added to it).
    [[nodiscard]] Value need(std::string_view key, std::string_view why = {});
    /// The value of @p key if present, else the map itself: where a cross-field error points.
    [[nodiscard]] Value at(std::string_view key) const;
    /// Whether @p key is present (without consuming it).
    [[nodiscard]] bool has(std::string_view key) const;

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
        const SourceNode::Entry* entry;
        bool used = false;
    };
    [[nodiscard]] Value value_of(const Entry& e) const;
    [[nodiscard]] ConfigError error_at_key(const Entry& e, const std::string& message) const;

    Value self_;
    std::vector<Entry> entries_;
    std::vector<std::string> known_;  // every key looked up, i.e. the schema of this map
};

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
    [[nodiscard]] bool contains(const std::string& name) const { return origins_.count(name) > 0; }
    [[nodiscard]] const std::vector<std::string>& names() const { return order_; }
    [[nodiscard]] const std::string& kind() const { return kind_; }

    /// Reads a reference and fails unless it names a registered entity.
    [[nodiscard]] std::string resolve(const Value& ref) const;

private:
    std::string kind_;
    std::vector<std::string> order_;
    std::unordered_map<std::string, Origin> origins_;  // name -> where it was defined
};

/// "'x' is not a nation; did you mean 'y'?" or "...; the nations are a, b, c".
[[nodiscard]] std::string not_found_message(const std::string& name, const std::string& what,
                                            const std::vector<std::string>& candidates);

}  // namespace polarity::config::detail
