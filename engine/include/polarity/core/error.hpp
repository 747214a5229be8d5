#pragma once
/// @file
/// Every exception the engine throws derives from polarity::Error.

#include <sstream>
#include <stdexcept>
#include <string>

namespace polarity {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A scenario file is malformed or inconsistent. what() reads
/// "file:line:col: key.path: message" so editors can jump to it.
class ConfigError : public Error {
public:
    ConfigError(std::string file, int line, int column, std::string key_path, std::string message)
        : Error(format(file, line, column, key_path, message)),
          file_(std::move(file)), line_(line), column_(column),
          key_path_(std::move(key_path)), message_(std::move(message)) {}
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

}  // namespace polarity
