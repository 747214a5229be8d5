#include "source_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "yaml_reader.hpp"

namespace polarity::config::detail {
namespace {

namespace fs = std::filesystem;
using Kind = SourceNode::Kind;

std::string child_path(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

SourceNode convert(const YAML::Node& node, const std::string& path,
                   const std::shared_ptr<const std::string>& file) {
    SourceNode out;
    out.origin = {file, node.Mark()};
    switch (node.Type()) {
        case YAML::NodeType::Scalar:
            out.kind = Kind::scalar;
            out.text = node.Scalar();
            break;
        case YAML::NodeType::Sequence: {
            out.kind = Kind::sequence;
            std::size_t index = 0;
            for (const auto& item : node) {
                const std::string item_path = path + "[" + std::to_string(index++) + "]";
                out.items.push_back(convert(item, item_path, file));
            }
            break;
        }
        case YAML::NodeType::Map:
            out.kind = Kind::map;
            // Range-for binds each key/value pair to a named object; `it->first` would refer
            // into a temporary proxy of yaml-cpp's iterator and dangle.
            for (const auto& pair : node) {
                const YAML::Node key = pair.first;
                if (!key.IsScalar()) {
                    throw make_error(*file, key.Mark(), path,
                                     "expected a plain key, got a complex one");
                }
                const std::string& name = key.Scalar();
                if (const auto* previous = out.find(name)) {
                    throw make_error(*file, key.Mark(), child_path(path, name),
                                     "duplicate key '" + name + "' (first defined at line " +
                                         std::to_string(previous->key_origin.mark.line + 1) + ")");
                }
                out.entries.push_back({name, {file, key.Mark()},
                                       convert(pair.second, child_path(path, name), file)});
            }
            break;
        default:
            break;  // null
    }
    return out;
}

/// The single document of @p text, or nothing if the text holds no document.
std::optional<YAML::Node> load_single(const std::string& text, const std::string& file) {
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        throw make_error(file, e.mark, "", "invalid YAML: " + e.msg);
    }
    if (documents.empty()) return std::nullopt;
    if (documents.size() > 1) {
        throw make_error(file, documents[1].Mark(), "",
                         "expected a single YAML document, got " +
                             std::to_string(documents.size()));
    }
    return documents.front();
}

/// Merges @p over into @p base: maps key by key, anything else replaces. A merged map takes
/// the overriding file's origin, since that file is the last to have written it.
void merge(SourceNode& base, SourceNode&& over) {
    if (base.kind != Kind::map || over.kind != Kind::map) {
        base = std::move(over);
        return;
    }
    for (auto& entry : over.entries) {
        if (auto* mine = base.find(entry.key)) {
            mine->key_origin = entry.key_origin;
            merge(mine->value, std::move(entry.value));
        } else {
            base.entries.push_back(std::move(entry));
        }
    }
    base.origin = over.origin;
}

struct Link {
    std::string name;    // as shown in messages
    fs::path identity;   // for cycle detection: "a.yaml" and "./x/../a.yaml" are one file
};

fs::path identity_of(const fs::path& path) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    return ec ? path.lexically_normal() : canonical;
}

void resolve(SourceNode& root, const std::string& file, std::vector<Link>& chain,
             bool& extended) {
    if (root.kind != Kind::map) return;  // the reader reports a non-map root
    const auto it = std::find_if(root.entries.begin(), root.entries.end(),
                                 [](const SourceNode::Entry& e) { return e.key == "extends"; });
    if (it == root.entries.end()) return;
    const SourceNode::Entry entry = std::move(*it);
    root.entries.erase(it);
    extended = true;

    const SourceNode& value = entry.value;
    const Origin& at = value.kind == Kind::null ? entry.key_origin : value.origin;
    const auto fail = [&](const std::string& message) {
        throw make_error(*at.file, at.mark, "extends", message);
    };
    if (value.kind != Kind::scalar || value.text.empty()) {
        fail("expected the path of the scenario file this one extends");
    }
    // Relative to the extending file, so a scenario library can be moved or run from anywhere.
    const fs::path parent = (fs::path(file).parent_path() / value.text).lexically_normal();
    const std::string parent_name = parent.string();
    const fs::path identity = identity_of(parent);
    for (const auto& link : chain) {
        if (link.identity != identity) continue;
        std::string cycle;
        for (const auto& l : chain) cycle += l.name + " -> ";
        fail("extends cycle: " + cycle + parent_name);
    }
    std::string text;
    std::string reason;
    if (!read_text_file(parent_name, text, reason)) {
        fail("cannot read '" + value.text + "' (" + parent_name + "): " + reason);
    }
    SourceNode base = parse_document(text, parent_name);
    chain.push_back({parent_name, identity});
    resolve(base, parent_name, chain, extended);
    chain.pop_back();
    merge(base, std::move(root));
    root = std::move(base);
}

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string name_of(const SourceNode& item) {
    if (item.kind != Kind::map) return {};
    const auto* name = item.find("name");
    return name && name->value.kind == Kind::scalar ? name->value.text : std::string();
}

}  // namespace

const SourceNode::Entry* SourceNode::find(std::string_view key) const {
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&](const Entry& e) { return e.key == key; });
    return it == entries.end() ? nullptr : &*it;
}

SourceNode::Entry* SourceNode::find(std::string_view key) {
    return const_cast<Entry*>(std::as_const(*this).find(key));
}

bool read_text_file(const std::string& path, std::string& text, std::string& reason) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        reason = fs::exists(path, ec) ? "not a regular file" : "no such file";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        reason = std::strerror(errno);
        return false;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        reason = "read failed";
        return false;
    }
    return true;
}

SourceNode parse_document(const std::string& text, const std::string& file) {
    const auto root = load_single(text, file);
    if (!root) {
        throw make_error(file, YAML::Mark(), "", "expected a scenario map, got an empty document");
    }
    return convert(*root, "", std::make_shared<const std::string>(file));
}

bool resolve_extends(SourceNode& root, const std::string& file) {
    std::vector<Link> chain{{file, identity_of(file)}};
    bool extended = false;
    resolve(root, file, chain, extended);
    return extended;
}

void apply_override(SourceNode& root, const std::string& assignment) {
    const auto label = std::make_shared<const std::string>("--set " + assignment);
    const auto fail = [&](const std::string& path, const std::string& message) {
        throw ConfigError(*label, 0, 0, path, message);
    };
    const std::size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) fail("", "expected key.path=value");
    const std::string path = assignment.substr(0, eq);
    std::vector<std::string> keys;
    for (std::size_t from = 0;;) {
        const std::size_t dot = path.find('.', from);
        keys.push_back(path.substr(from, dot - from));
        if (keys.back().empty()) {
            fail("", "expected key.path=value, got an empty key in '" + path + "'");
        }
        if (dot == std::string::npos) break;
        from = dot + 1;
    }

    SourceNode value;  // an empty value ("key=") is null, as "key:" is in a file
    value.origin = {label, YAML::Mark()};
    if (const auto node = load_single(assignment.substr(eq + 1), *label)) {
        value = convert(*node, "", label);
    }

    SourceNode* node = &root;
    std::string walked;  // the key path so far, spelt as the reader spells it
    for (const auto& key : keys) {
        if (node->kind == Kind::null) {  // "world:" with nothing after it, or a new key
            node->kind = Kind::map;
            node->origin = value.origin;
        }
        if (node->kind == Kind::map) {
            auto* entry = node->find(key);
            if (entry == nullptr) {
                SourceNode fresh;
                fresh.origin = value.origin;
                node->entries.push_back({key, value.origin, std::move(fresh)});
                entry = &node->entries.back();
            }
            walked = child_path(walked, key);
            node = &entry->value;
        } else if (node->kind == Kind::sequence) {
            std::size_t index = 0;
            if (all_digits(key)) {
                // Long digit strings are out of range anyway, and would overflow stoul.
                index = key.size() > 9 ? node->items.size() : std::stoul(key);
                if (index >= node->items.size()) {
                    fail(walked, "no entry " + key + " (the list has " +
                                     std::to_string(node->items.size()) + " entries)");
                }
            } else {
                std::vector<std::string> names;
                for (const auto& item : node->items) names.push_back(name_of(item));
                const auto it = std::find(names.begin(), names.end(), key);
                if (it == names.end()) {
                    std::string message = "no entry is named '" + key + "'";
                    names.erase(std::remove(names.begin(), names.end(), ""), names.end());
                    if (const auto suggestion = nearest(key, names)) {
                        message += "; did you mean '" + *suggestion + "'?";
                    } else if (names.empty()) {
                        message += " (its entries have no names; use an index)";
                    } else {
                        message += " (expected one of: " + join_names(names) + ")";
                    }
                    fail(walked, message);
                }
                index = static_cast<std::size_t>(it - names.begin());
            }
            walked += "[" + std::to_string(index) + "]";
            node = &node->items[index];
        } else {
            fail(walked, "cannot set '" + key + "' inside the value '" + node->text + "'");
        }
    }
    *node = std::move(value);
}

}  // namespace polarity::config::detail
