#pragma once
// A scenario document as the loader reads it, after `extends` and `--set` are applied: a YAML
// tree in which every node remembers the file it was written in.
//
// yaml-cpp's marks carry a line and column but not a file, and a composed document mixes nodes
// from several files and from --set values. So the loader reads this tree rather than yaml-cpp
// nodes, and every error can name the file, line and column where the offending text was
// written: a bad value inherited from a parent points into the parent, an override into the
// child, a --set value at the option itself.

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace polarity::config::detail {

/// Where a node was written. All nodes of one file share one `file` string.
struct Origin {
    std::shared_ptr<const std::string> file;
    YAML::Mark mark;  ///< a null mark means no position is known
};

/// One node of a composed document.
struct SourceNode {
    enum class Kind { null, scalar, sequence, map };
    struct Entry;

    Kind kind = Kind::null;
    std::string text;               ///< a scalar's text
    Origin origin;
    std::vector<SourceNode> items;  ///< a sequence's items
    std::vector<Entry> entries;     ///< a map's entries in file order; keys are unique

    [[nodiscard]] const Entry* find(std::string_view key) const;
    [[nodiscard]] Entry* find(std::string_view key);
};

struct SourceNode::Entry {
    std::string key;
    Origin key_origin;
    SourceNode value;
};

/// Reads a whole file into @p text; on failure returns false with the reason ("no such file",
/// "not a regular file", a file larger than limits::kMaxInputBytes, or the system's message).
[[nodiscard]] bool read_text_file(const std::string& path, std::string& text, std::string& reason);

/// Parses one YAML document of a scenario file. Rejects invalid YAML, text that is not UTF-8 or
/// holds control characters, empty text, more than one document, complex keys, duplicate keys
/// (yaml-cpp keeps both entries of a repeated key, so a merge would otherwise silently drop
/// one), aliases to a node that contains them, and input past the limits of
/// polarity/config/limits.hpp (size, nesting, list length, nodes after alias expansion), each
/// as a ConfigError naming @p file.
[[nodiscard]] SourceNode parse_document(const std::string& text, const std::string& file);

/// Resolves `extends` on the top-level map of @p root, recursively: each file is merged over
/// the file it extends (its path relative to the extending file; @p file is the name of
/// @p root's file). Maps merge key by key, everything else (lists, scalars, null) replaces.
/// The `extends` keys are removed. Returns whether any file extended another.
bool resolve_extends(SourceNode& root, const std::string& file);

/// Applies one `--set key.path=value` override (the text after "--set "). The path walks maps
/// by key (creating missing keys) and lists by index or by an entry's `name`; the value is
/// YAML and replaces whatever was at the path. Errors name the file "--set <assignment>".
void apply_override(SourceNode& root, const std::string& assignment);

/// What the nodes of an override name as their file: "--set " and the assignment.
inline constexpr std::string_view kOverrideFilePrefix = "--set ";

/// Whether @p file names an override rather than a file on disk.
[[nodiscard]] inline bool is_override_file(const std::string& file) { return file.rfind(kOverrideFilePrefix, 0) == 0; }

}  // namespace polarity::config::detail
