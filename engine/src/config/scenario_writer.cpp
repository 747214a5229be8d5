// Writing a scenario as YAML: the key table's (scenario_keys.hpp) emitting visitor.

#include "polarity/config/scenario_writer.hpp"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <string_view>
#include <type_traits>

#include "polarity/model/scenario_keys.hpp"
#include "yaml_reader.hpp"

namespace polarity::config {
namespace {

using detail::is_std_optional;
using detail::Keys;
using detail::Spec;

/// Whether a YAML reader would take @p text for something other than a string (YAML 1.2 core
/// schema, plus the YAML 1.1 booleans yaml-cpp still reads). The loader reads any scalar as a
/// string where a string is expected, but editors and other tools would not.
bool needs_quotes(const std::string& text) {
    // Most names start with a letter no special value starts with; skip the regex for them.
    if (!text.empty() && std::string_view("~nNtTfFyYoO0123456789+-.").find(text[0]) ==
                             std::string_view::npos) {
        return false;
    }
    static const std::regex kNonString(
        "|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|"
        "on|On|ON|off|Off|OFF|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|"
        "0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    return std::regex_match(text, kNonString);
}

void emit(YAML::Emitter& out, const std::string& text) {
    if (needs_quotes(text)) out << YAML::DoubleQuoted;
    out << text;
}

template <class T>
void emit(YAML::Emitter& out, const T& x) {
    if constexpr (std::is_same_v<T, bool>) {
        out << (x ? "true" : "false");
    } else if constexpr (std::is_enum_v<T>) {
        out << std::string(detail::spelling(x));
    } else if constexpr (std::is_same_v<T, model::CalendarMonth>) {
        out << detail::format_month(x);
    } else if constexpr (std::is_floating_point_v<T>) {
        out << detail::format_exact(x);
    } else {
        out << std::to_string(x);
    }
}

template <class S>
void write_map(YAML::Emitter& out, const S& s);

template <class S>
class Writer {
public:
    Writer(YAML::Emitter& out, const S& s) : out_(out), s_(s) {}

    void version(std::string_view key, int version, const Spec&) {
        out_ << YAML::Key << std::string(key) << YAML::Value << version;
    }

    template <class T>
    void scalar(std::string_view key, T S::*member, const Spec& spec) {
        const T& x = s_.*member;
        if constexpr (is_std_optional<T>::value) {
            if (!x) return;  // absent means "none" (never discontinued, no end, ...)
            key_of(key);
            emit(out_, *x);
        } else {
            if constexpr (std::is_same_v<T, std::string>) {
                if (x.empty() && detail::empty_means_absent(spec)) return;
            }
            key_of(key);
            emit(out_, x);
        }
    }

    template <class T>
    void section(std::string_view key, T S::*member, const Spec&) {
        key_of(key);
        write_map(out_, s_.*member);
    }

    template <class T>
    void list(std::string_view key, std::vector<T> S::*member, const Spec&) {
        key_of(key);
        const auto& items = s_.*member;
        // Names fit on one line; maps are easier to read one key per line.
        if (std::is_same_v<T, std::string> || items.empty()) out_ << YAML::Flow;
        out_ << YAML::BeginSeq;
        for (const auto& item : items) {
            if constexpr (std::is_same_v<T, std::string>) {
                emit(out_, item);
            } else {
                write_map(out_, item);
            }
        }
        out_ << YAML::EndSeq;
    }

    void interval(std::string_view key, double S::*low, double S::*high, const Spec&) {
        key_of(key);
        out_ << YAML::Flow << YAML::BeginSeq;
        emit(out_, s_.*low);
        emit(out_, s_.*high);
        out_ << YAML::EndSeq;
    }

private:
    void key_of(std::string_view key) { out_ << YAML::Key << std::string(key) << YAML::Value; }

    YAML::Emitter& out_;
    const S& s_;
};

template <class S>
void write_map(YAML::Emitter& out, const S& s) {
    out << YAML::BeginMap;
    Writer<S> writer(out, s);
    Keys<S>::visit(writer);
    out << YAML::EndMap;
}

}  // namespace

std::string write_scenario_yaml(const model::Scenario& scenario) {
    YAML::Emitter out;
    out.SetIndent(2);
    write_map(out, scenario);
    return std::string(out.c_str()) + "\n";
}

}  // namespace polarity::config
