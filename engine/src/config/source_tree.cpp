#include "source_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "polarity/config/limits.hpp"

#include "yaml_reader.hpp"

namespace polarity::config::detail {
namespace {

namespace fs = std::filesystem;
using Kind = SourceNode::Kind;

std::string child_path(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

/// "','" for a printable character, "byte 0x01" otherwise: what a message may quote.
std::string describe_char(unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    if (c >= 0x20 && c < 0x7f) {
        out = {'\'', static_cast<char>(c), '\''};
    } else {
        out = "byte 0x";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    return out;
}

/// The mark (line and column, 0-based) of byte @p pos of @p text.
YAML::Mark mark_at(const std::string& text, std::size_t pos) {
    YAML::Mark m;
    m.pos = static_cast<int>(pos);
    m.line = 0;
    m.column = 0;
    for (std::size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n') {
            ++m.line;
            m.column = 0;
        } else {
            ++m.column;
        }
    }
    return m;
}

/// Rejects what is not text before the parser sees it: invalid UTF-8 (names must be readable
/// wherever they are printed) and control characters (which would be echoed raw into error
/// messages and output files). Tab, line feed and carriage return are text.
void check_text(const std::string& text, const std::string& file) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    // A UTF-8 byte order mark is allowed at the start, as YAML allows it.
    if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) i = 3;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                throw make_error(file, mark_at(text, i), "",
                                 "expected text, got the control character " + describe_char(c));
            }
            ++i;
            continue;
        }
        // The length of a well-formed sequence and the range of its second byte (RFC 3629:
        // no overlong forms, no surrogates, nothing past U+10FFFF).
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        }
        bool ok = len > 0 && i + len <= n && s[i + 1] >= lo && s[i + 1] <= hi;
        for (std::size_t k = 2; ok && k < len; ++k) ok = s[i + k] >= 0x80 && s[i + k] <= 0xbf;
        if (!ok) {
            throw make_error(file, mark_at(text, i), "",
                             "expected UTF-8 text, got " + describe_char(c) +
                                 " (save the file as UTF-8)");
        }
        i += len;
    }
}

/// Builds a SourceNode tree straight from yaml-cpp's parser events, instead of yaml-cpp's own
/// node graph, so that every limit is enforced while the input is read, before any of it is
/// expanded: nesting depth, list length, and the nodes aliases expand to (a "billion laughs"
/// file stops at limits::kMaxNodes). An alias to a node that is still open (`&a [*a]`) would
/// make the tree infinite, so it is an error here. It also builds the tree with a third of the
/// memory yaml-cpp's graph took.
class TreeBuilder : public YAML::EventHandler {
public:
    explicit TreeBuilder(std::shared_ptr<const std::string> file) : file_(std::move(file)) {}

    /// The document; throws the first structural error (a complex or duplicate key), which
    /// waits until the whole text has parsed so that syntax errors are reported first, as
    /// a parser that builds the whole document first would.
    [[nodiscard]] SourceNode take_root() {
        if (deferred_) throw *deferred_;
        return std::move(root_);
    }

    /// Where the document began (the stall check of load_single).
    [[nodiscard]] const YAML::Mark& document_start() const { return start_; }

    void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        SourceNode n;
        n.origin = {file_, mark};
        add_leaf(std::move(n), anchor, mark);
    }

    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string& value) override {
        SourceNode n;
        n.kind = Kind::scalar;
        n.text = value;
        n.origin = {file_, mark};
        add_leaf(std::move(n), anchor, mark);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const Anchor& a = anchors_.at(anchor);
        if (a.open) {
            throw make_error(*file_, mark, path(), "alias *" + a.name +
                                 " refers to a node that contains it, which would never end");
        }
        count(a.nodes, mark, "aliases expand");
        SourceNode copy = a.node;
        add(std::move(copy), mark);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(Kind::sequence, mark, anchor);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(Kind::map, mark, anchor);
    }
    void OnMapEnd() override {
        if (frames_.back().key_pending) {
            // yaml-cpp always pairs keys with values; a dangling key means a broken stream.
            throw make_error(*file_, frames_.back().key_origin.mark, path(), "a key without a value");
        }
        close();
    }

    void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_name_ = name; }

private:
    struct Anchor {
        std::string name;
        bool open = true;
        std::size_t nodes = 0;  // in the anchored subtree, for the expansion budget
        SourceNode node;
    };
    struct Frame {
        SourceNode* node = nullptr;
        YAML::anchor_t anchor = 0;
        std::size_t first_node = 0;  // nodes_ when it opened, to size an anchored subtree
        std::string path;        // key path, for messages
        bool key_pending = false;  // a map has read a key and waits for its value
        std::string key;
        Origin key_origin;
    };

    void defer(ConfigError e) {
        if (!deferred_) deferred_ = std::move(e);
    }

    std::string path() const { return frames_.empty() ? std::string() : frames_.back().path; }

    void count(std::size_t nodes, const YAML::Mark& mark, const char* what) {
        nodes_ += nodes;
        if (nodes_ > limits::kMaxNodes) {
            throw make_error(*file_, mark, path(),
                             std::string(what) + " the document past " +
                                 std::to_string(limits::kMaxNodes) + " nodes (the limit)");
        }
    }

    void remember(YAML::anchor_t anchor, const SourceNode& node, std::size_t nodes) {
        if (anchor == 0) return;
        if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
        Anchor& a = anchors_[anchor];
        a.open = false;
        a.nodes = nodes;
        a.node = node;
    }

    void add_leaf(SourceNode&& n, YAML::anchor_t anchor, const YAML::Mark& mark) {
        count(1, mark, "the nodes take");
        remember(anchor, n, 1);
        if (anchor != 0) anchors_[anchor].name = std::exchange(anchor_name_, {});
        add(std::move(n), mark);
    }

    /// Places a finished node in the open list or map (or makes it the root); returns it.
    SourceNode* add(SourceNode&& n, const YAML::Mark& mark) {
        if (frames_.empty()) {
            root_ = std::move(n);
            return &root_;
        }
        Frame& f = frames_.back();
        SourceNode& parent = *f.node;
        if (parent.kind == Kind::sequence) {
            if (parent.items.size() >= limits::kMaxListItems) {
                throw make_error(*file_, mark, f.path,
                                 "the list has more than " + std::to_string(limits::kMaxListItems) +
                                     " items (the limit)");
            }
            parent.items.push_back(std::move(n));
            return &parent.items.back();
        }
        if (!f.key_pending) {
            f.key_pending = true;
            f.key_origin = {file_, mark};
            if (n.kind != Kind::scalar) {
                const char* got = n.kind == Kind::null ? "nothing (a null key)"
                                  : n.kind == Kind::map ? "a map" : "a list";
                defer(make_error(*file_, mark, f.path, std::string("expected a plain key, got ") + got));
                f.key.clear();
                discarded_.push_back(std::move(n));
                return &discarded_.back();
            }
            if (const auto* previous = parent.find(n.text)) {
                defer(make_error(*file_, mark, child_path(f.path, n.text),
                                 "duplicate key '" + n.text + "' (first defined at line " +
                                     std::to_string(previous->key_origin.mark.line + 1) + ")"));
            }
            if (parent.entries.size() >= limits::kMaxMapKeys) {
                throw make_error(*file_, mark, f.path,
                                 "the map has more than " + std::to_string(limits::kMaxMapKeys) +
                                     " keys (the limit)");
            }
            f.key = std::move(n.text);
            return nullptr;
        }
        f.key_pending = false;
        parent.entries.push_back({std::move(f.key), f.key_origin, std::move(n)});
        return &parent.entries.back().value;
    }

    void open(Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
        if (frames_.size() >= limits::kMaxNestingDepth) {
            throw make_error(*file_, mark, path(),
                             "lists and maps nest deeper than " +
                                 std::to_string(limits::kMaxNestingDepth) + " levels (the limit)");
        }
        count(1, mark, "the nodes take");
        if (anchor != 0) {
            if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
            anchors_[anchor] = Anchor{std::exchange(anchor_name_, {}), true, 0, {}};
        }
        // The key path of the new node: its parent's, plus its key or index.
        std::string here = path();
        if (!frames_.empty()) {
            const Frame& f = frames_.back();
            if (f.node->kind == Kind::sequence) {
                here += "[" + std::to_string(f.node->items.size()) + "]";
            } else if (f.key_pending) {
                here = child_path(here, f.key);
            }
        }
        SourceNode n;
        n.kind = kind;
        n.origin = {file_, mark};
        SourceNode* placed = add(std::move(n), mark);
        Frame f;
        f.node = placed;
        f.anchor = anchor;
        f.first_node = nodes_ - 1;
        f.path = std::move(here);
        frames_.push_back(std::move(f));
    }

    void close() {
        const Frame f = std::move(frames_.back());
        frames_.pop_back();
        remember(f.anchor, *f.node, nodes_ - f.first_node);
    }

    std::shared_ptr<const std::string> file_;
    SourceNode root_;
    std::vector<Frame> frames_;
    std::vector<Anchor> anchors_;  // by yaml-cpp's anchor id (1-based)
    std::optional<ConfigError> deferred_;
    std::deque<SourceNode> discarded_;  // complex keys: parsed, then dropped with deferred_
    std::string anchor_name_;      // announced by OnAnchor just before its node
    std::size_t nodes_ = 0;
    YAML::Mark start_;
};

/// Counts the documents after the first without building them. yaml-cpp 0.7 can stall on a
/// token no rule consumes (a document starting with ','): it then reports empty documents at
/// the same place forever. A document that starts where the previous one did is that stall.
class DocumentCounter : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& mark) override {
        start = mark;
        root = YAML::Mark::null_mark();
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override {
        node(m);
    }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnMapEnd() override {}
    YAML::Mark start = YAML::Mark::null_mark();
    YAML::Mark root = YAML::Mark::null_mark();  ///< the document's first node, where errors point

private:
    void node(const YAML::Mark& m) {
        if (root.is_null()) root = m;
    }
};

/// The single document of @p text, or nothing if the text holds no document.
std::optional<SourceNode> load_single(const std::string& text, const std::string& file) {
    const auto fail_stalled = [&](const YAML::Mark& at) {
        const auto c = static_cast<std::size_t>(at.pos) < text.size()
                           ? static_cast<unsigned char>(text[static_cast<std::size_t>(at.pos)])
                           : '?';
        throw make_error(file, at, "", "invalid YAML: unexpected " + describe_char(c));
    };
    if (text.size() > limits::kMaxInputBytes) {
        throw make_error(file, YAML::Mark(), "",
                         "the text is " + std::to_string(text.size()) + " bytes, more than " +
                             std::to_string(limits::kMaxInputBytes) + " (the limit)");
    }
    check_text(text, file);
    std::istringstream in(text);
    try {
        YAML::Parser parser(in);
        TreeBuilder builder(std::make_shared<const std::string>(file));
        if (!parser.HandleNextDocument(builder)) return std::nullopt;
        // Later documents are only counted (for the message), never built.
        std::size_t documents = 1;
        YAML::Mark previous = builder.document_start();
        std::optional<YAML::Mark> second;
        DocumentCounter rest;
        while (parser.HandleNextDocument(rest)) {
            if (rest.start.pos <= previous.pos) fail_stalled(rest.start);
            if (!second) second = rest.root.is_null() ? rest.start : rest.root;
            previous = rest.start;
            ++documents;
        }
        if (second) {
            throw make_error(file, *second, "",
                             "expected a single YAML document, got " + std::to_string(documents));
        }
        return builder.take_root();
    } catch (const YAML::Exception& e) {
        throw make_error(file, e.mark, "", "invalid YAML: " + e.msg);
    }
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
    if (chain.size() >= limits::kMaxExtendsChain) {
        fail("extends chains more than " + std::to_string(limits::kMaxExtendsChain) +
             " files (the limit)");
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
    // Checked before reading, so a huge file costs nothing.
    const auto bytes = fs::file_size(path, ec);
    if (!ec && bytes > limits::kMaxInputBytes) {
        reason = "the file is " + std::to_string(bytes) + " bytes, more than " +
                 std::to_string(limits::kMaxInputBytes) + " (the limit)";
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
    auto root = load_single(text, file);
    if (!root) {
        throw make_error(file, YAML::Mark(), "", "expected a scenario map, got an empty document");
    }
    return std::move(*root);
}

bool resolve_extends(SourceNode& root, const std::string& file) {
    std::vector<Link> chain{{file, identity_of(file)}};
    bool extended = false;
    resolve(root, file, chain, extended);
    return extended;
}

void apply_override(SourceNode& root, const std::string& assignment) {
    const auto label = std::make_shared<const std::string>(std::string(kOverrideFilePrefix) + assignment);
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
    if (auto node = load_single(assignment.substr(eq + 1), *label)) value = std::move(*node);

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
