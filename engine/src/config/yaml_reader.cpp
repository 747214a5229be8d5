#include "yaml_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <sstream>

#include "polarity/config/limits.hpp"

namespace polarity::config::detail {

ConfigError make_error(const std::string& file, const YAML::Mark& mark,
                       const std::string& key_path, const std::string& message) {
    const bool known = !mark.is_null() && mark.line >= 0;
    return ConfigError(file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key_path,
                       message);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: Levenshtein plus adjacent transpositions, the commonest typo
    // ("chnia" for "china" is one edit, not two).
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::size_t> d((n + 1) * (m + 1));
    const auto at = [m, &d](std::size_t i, std::size_t j) -> std::size_t& {
        return d[i * (m + 1) + j];
    };
    for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
    for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
            }
        }
    }
    return at(n, m);
}

std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
    // Roughly one typo per three characters, at most three: close enough to be a slip of the
    // keyboard, far enough apart that unrelated short keys ("end", "tier") are not suggested.
    const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(word, candidate);
        if (d > 0 && d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    if (best || word.size() < 4) return best;
    // A key cut short ("funding_usd" for "funding_usd_per_month") is far in edit distance but
    // plainly meant: suggest the shortest candidate it begins.
    for (const auto& candidate : candidates) {
        if (candidate.size() > word.size() && candidate.compare(0, word.size(), word) == 0 &&
            (!best || candidate.size() < best->size())) {
            best = candidate;
        }
    }
    return best;
}

std::string format_exact(double x) {
    // Whole numbers of a readable size as integers ("100000", not "1e+05"); everything else in
    // the shortest form that reads back exactly.
    if (std::trunc(x) == x && std::abs(x) < 1e7) {
        return std::to_string(static_cast<long long>(x));
    }
    std::array<char, 32> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
    return ec == std::errc() ? std::string(buffer.data(), end) : std::string("nan");
}

std::string join_names(const std::vector<std::string>& names) {
    constexpr std::size_t kShown = 12;
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
        out += (i == 0 ? "" : ", ") + names[i];
    }
    if (names.size() > kShown) out += ", ...";
    return out;
}

std::string not_found_message(const std::string& name, const std::string& what,
                              const std::vector<std::string>& candidates) {
    std::string message = "'" + name + "' is not a " + what;
    if (const auto suggestion = nearest(name, candidates)) {
        return message + "; did you mean '" + *suggestion + "'?";
    }
    if (candidates.empty()) return message + " (none are defined)";
    return message + " (expected one of: " + join_names(candidates) + ")";
}

// ---- Value -------------------------------------------------------------------------------

void Value::fail(const std::string& message) const {
    throw make_error(file(), mark(), path_, message);
}

std::string Value::describe() const {
    switch (node_->kind) {
        case SourceNode::Kind::scalar: return "'" + node_->text + "'";
        case SourceNode::Kind::sequence: return "a list";
        case SourceNode::Kind::map: return "a map";
        default: return "nothing";
    }
}

std::string Value::child_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::vector<Value> Value::items() const {
    if (node_->kind == SourceNode::Kind::null) return {};
    if (node_->kind != SourceNode::Kind::sequence) fail("expected a list, got " + describe());
    std::vector<Value> out;
    out.reserve(node_->items.size());
    std::size_t index = 0;
    for (const auto& item : node_->items) {
        // An empty item ("-" alone) has the mark of the following token; the list is nearer.
        const Origin& where = item.kind == SourceNode::Kind::null ? where_ : item.origin;
        out.emplace_back(item, path_ + "[" + std::to_string(index++) + "]", where);
    }
    return out;
}

namespace {

const std::string& scalar_text(const Value& v, const char* expected) {
    if (v.node().kind != SourceNode::Kind::scalar) {
        v.fail(std::string("expected ") + expected + ", got " + v.describe());
    }
    return v.text();
}

// from_chars rejects a leading '+', which YAML allows for numbers.
std::string_view strip_plus(std::string_view text) {
    return (text.size() > 1 && text[0] == '+') ? text.substr(1) : text;
}

template <class Int>
void parse_integer(const Value& v, Int& out, const char* expected) {
    const std::string_view text = strip_plus(scalar_text(v, expected));
    // Decimal only: yaml-cpp's own conversion reads "010" as octal 8, a silent surprise.
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc::result_out_of_range) {
        v.fail(std::string("expected ") + expected + " in range, got " + v.text());
    }
    if (ec != std::errc() || end != text.data() + text.size()) {
        v.fail(std::string("expected ") + expected + ", got " + v.describe());
    }
}

}  // namespace

void parse(const Value& v, double& out) {
    const std::string_view text = strip_plus(scalar_text(v, "a number"));
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    const bool parsed = ec == std::errc() && end == text.data() + text.size();
    if (parsed && std::isfinite(out)) return;
    if (ec == std::errc::result_out_of_range) {
        v.fail("expected a number within double precision range, got " + v.text());
    }
    // YAML spells non-finite numbers .nan/.inf and from_chars reads "nan" and "inf"; all of
    // them would poison the simulation, so none is accepted.
    static constexpr std::array<std::string_view, 12> kNonFinite = {
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF",
        "+.inf", "+.Inf", "+.INF"};
    const std::string& raw = v.text();
    const bool yaml_spelling =
        std::find(kNonFinite.begin(), kNonFinite.end(), raw) != kNonFinite.end();
    if (parsed || yaml_spelling) v.fail("expected a finite number, got " + raw);
    v.fail("expected a number, got " + v.describe());
}

void parse(const Value& v, int& out) { parse_integer(v, out, "an integer"); }

void parse(const Value& v, std::uint64_t& out) {
    if (!v.text().empty() && v.text()[0] == '-') {
        v.fail("expected a non-negative integer, got " + v.text());
    }
    parse_integer(v, out, "a non-negative integer");
}

void parse(const Value& v, bool& out) {
    // yaml-cpp's own spellings (true/false, yes/no, on/off in their capitalisations).
    if (!YAML::convert<bool>::decode(YAML::Node(scalar_text(v, "true or false")), out)) {
        v.fail("expected true or false, got " + v.describe());
    }
}

void parse(const Value& v, std::string& out) { out = scalar_text(v, "a string"); }

void parse(const Value& v, model::CalendarMonth& out) {
    const std::string& text = scalar_text(v, "a date \"YYYY-MM\"");
    const auto digits = [&](std::size_t from, std::size_t count) {
        return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from),
                           text.begin() + static_cast<std::ptrdiff_t>(from + count),
                           [](char c) { return c >= '0' && c <= '9'; });
    };
    const bool shaped = text.size() == 7 && digits(0, 4) && text[4] == '-' && digits(5, 2);
    const int month = shaped ? std::stoi(text.substr(5, 2)) : 0;
    if (!shaped || month < 1 || month > 12) {
        v.fail("expected a date \"YYYY-MM\" with month 01-12, got '" + text + "'");
    }
    const int year = std::stoi(text.substr(0, 4));
    if (year < limits::kMinYear || year > limits::kMaxYear) {
        v.fail("expected a year from " + std::to_string(limits::kMinYear) + " to " +
               std::to_string(limits::kMaxYear) + ", got '" + text + "'");
    }
    out = {year, month};
}

// ---- MapReader ---------------------------------------------------------------------------

MapReader::MapReader(const Value& map) : self_(map) {
    const SourceNode& node = map.node();
    if (node.kind == SourceNode::Kind::null) return;
    if (node.kind != SourceNode::Kind::map) map.fail("expected a map, got " + map.describe());
    for (const auto& entry : node.entries) entries_.push_back({&entry, false});
}

Value MapReader::value_of(const Entry& e) const {
    // An empty value ("key:" alone) carries the mark of the next token, often on a later
    // line; the key's own mark is where the reader should look.
    const SourceNode& value = e.entry->value;
    const Origin& where =
        value.kind == SourceNode::Kind::null ? e.entry->key_origin : value.origin;
    return Value(value, self_.child_path(e.entry->key), where);
}

ConfigError MapReader::error_at_key(const Entry& e, const std::string& message) const {
    const Origin& where = e.entry->key_origin;
    return make_error(*where.file, where.mark, self_.child_path(e.entry->key), message);
}

std::optional<Value> MapReader::find(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    for (auto& e : entries_) {
        if (e.entry->key == key) {
            e.used = true;
            return value_of(e);
        }
    }
    return std::nullopt;
}

Value MapReader::need(std::string_view key, std::string_view why) {
    if (auto v = find(key)) return *v;
    // A missing required key next to an unexpected one is usually a misspelling of it: point
    // at the misspelt key, which is the line to fix.
    std::vector<std::string> unused;
    for (const auto& e : entries_) {
        if (!e.used) unused.push_back(e.entry->key);
    }
    std::string message = "missing required key '" + std::string(key) + "'";
    if (!why.empty()) message += " " + std::string(why);
    if (const auto typo = nearest(key, unused)) {
        const auto& e = *std::find_if(entries_.begin(), entries_.end(),
                                      [&](const Entry& x) { return x.entry->key == *typo; });
        const Origin& where = e.entry->key_origin;
        throw make_error(*where.file, where.mark, self_.child_path(key),
                         message + " (is '" + *typo + "' a misspelling of it?)");
    }
    throw make_error(self_.file(), self_.mark(), self_.child_path(key), message);
}

bool MapReader::has(std::string_view key) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.entry->key == key; });
}

Value MapReader::at(std::string_view key) const {
    for (const auto& e : entries_) {
        if (e.entry->key == key) return value_of(e);
    }
    return self_;
}

std::vector<Value> MapReader::list(std::string_view key) {
    const auto v = find(key);
    return v ? v->items() : std::vector<Value>{};
}

MapReader MapReader::section(std::string_view key) {
    if (auto v = find(key)) return MapReader(*v);
    static const SourceNode kAbsent;
    return MapReader(Value(kAbsent, self_.child_path(key), self_.origin()));
}

void MapReader::finish() const {
    for (const auto& e : entries_) {
        if (e.used) continue;
        const std::string& key = e.entry->key;
        std::string message = "unknown key '" + key + "'";
        if (const auto suggestion = nearest(key, known_)) {
            message += "; did you mean '" + *suggestion + "'?";
        } else {
            std::string all;
            for (const auto& k : known_) all += (all.empty() ? "" : ", ") + k;
            message += " (expected one of: " + all + ")";
        }
        throw error_at_key(e, message);
    }
}

// ---- NameRegistry ------------------------------------------------------------------------

std::string NameRegistry::add(const Value& name_value) {
    auto name = name_value.as<std::string>();
    if (name.empty()) name_value.fail("expected a non-empty " + kind_ + " name");
    if (const auto it = origins_.find(name); it != origins_.end()) {
        // Composed documents mix files; name the other file when it is not this one.
        const Origin& first = it->second;
        const std::string where = *first.file == name_value.file() ? "line " : *first.file + ":";
        name_value.fail("duplicate " + kind_ + " name '" + name + "' (first defined at " + where +
                        std::to_string(first.mark.line + 1) + ")");
    }
    origins_.emplace(name, name_value.origin());
    order_.push_back(name);
    return name;
}

std::string NameRegistry::resolve(const Value& ref) const {
    auto name = ref.as<std::string>();
    if (!contains(name)) ref.fail(not_found_message(name, kind_, order_));
    return name;
}

}  // namespace polarity::config::detail
