#pragma once
/// @file
/// Every exception the engine throws derives from polarity::Error. The command line maps each
/// kind to one exit code (docs/cli.md): ConfigError 2, IoError 3, Interrupted 130, anything
/// else (ModelError, StudyError that escaped the planner's checks: a bug) 4.

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace polarity {

/// @p text made safe to print on a terminal and in one line of a log: control characters and
/// bytes that are not UTF-8 become "\xNN" (a hostile file name or value cannot drive the
/// terminal), and text past @p max_bytes is cut (at a character boundary) and ends in "...".
[[nodiscard]] inline std::string printable(std::string_view text, std::size_t max_bytes = 2000) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        if (out.size() >= max_bytes) {
            out += "...";
            break;
        }
        const unsigned char c = s[i];
        std::size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                                                   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        for (std::size_t k = 1; len > 1 && k < len; ++k) {
            if (i + k >= n || (s[i + k] & 0xc0) != 0x80) len = 0;
        }
        if (len == 1 && c >= 0x20 && c != 0x7f) {
            out.push_back(static_cast<char>(c));
        } else if (len > 1) {
            out.append(text.substr(i, len));
        } else {
            len = 1;
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
        i += len;
    }
    return out;
}

/// The base of every exception the engine throws; what() is always printable().
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(printable(what)) {}
};

/// A scenario file is malformed or inconsistent. what() reads
/// "file:line:col: key.path: message" so editors can jump to it.
class ConfigError : public Error {
public:
    ConfigError(std::string file, int line, int column, std::string key_path, std::string message)
        : Error(format(file, line, column, key_path, message)),
          file_(std::move(file)), line_(line), column_(column),
          key_path_(printable(key_path)), message_(printable(message)) {}
    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] int line() const { return line_; }       ///< 1-based, 0 when unknown
    [[nodiscard]] int column() const { return column_; }   ///< 1-based, 0 when unknown
    [[nodiscard]] const std::string& key_path() const { return key_path_; }
    [[nodiscard]] const std::string& message() const { return message_; }

private:
    static std::string format(const std::string& file, int line, int column,
                              const std::string& key_path, const std::string& message) {
        // Built with a stream: GCC 12 warns falsely (-Wrestrict) on chained string '+'.
        std::ostringstream s;
        s << file;
        if (line > 0) s << ':' << line << ':' << column;
        s << ": ";
        if (!key_path.empty()) s << key_path << ": ";
        s << message;
        return s.str();
    }
    std::string file_;
    int line_;
    int column_;
    std::string key_path_;
    std::string message_;
};

/// Reading or writing an output file failed; carries the HDF5 call and its error stack.
class IoError : public Error {
public:
    using Error::Error;
};

/// The model reached a state it must never reach (a broken invariant).
class ModelError : public Error {
public:
    using Error::Error;
};

/// A study computation was asked for something outside its domain (too few samples, an
/// impossible distribution, mismatched sizes): a study that cannot be carried out as given.
/// Where a study file caused it, the loader and planner rethrow it as a located ConfigError.
class StudyError : public Error {
public:
    using Error::Error;
};

/// The user stopped the program (SIGINT or SIGTERM) at a point where it could stop cleanly.
class Interrupted : public Error {
public:
    using Error::Error;
};

}  // namespace polarity
