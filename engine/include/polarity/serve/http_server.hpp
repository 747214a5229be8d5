#pragma once
/// @file
/// `polarity serve` on the wire: the playground's page and JSON API over HTTP (cpp-httplib, from
/// Debian's libcpp-httplib-dev). The page's files are read into memory when the server starts;
/// afterwards a request reads no file but the presets.
///
/// Routes: GET / and the page's files; GET /api/presets; GET /api/levers?preset=<id>;
/// POST /api/run; POST /api/study. Anything else is 404, a body over Limits::max_body_bytes is 413,
/// and an exception inside a handler is a 500 reply: no request stops the server.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "polarity/serve/playground.hpp"

namespace polarity::serve {

class HttpServer {
public:
    /// Reads every file under @p web_dir (the page) into memory.
    /// @throws polarity::IoError when @p web_dir has no index.html or a file cannot be read.
    HttpServer(Playground& playground, const std::filesystem::path& web_dir);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds @p host:@p port (port 0: any free port) and returns the port bound.
    /// @throws polarity::IoError when the address cannot be bound.
    int bind(const std::string& host, int port);
    /// Serves until stop() is called (from another thread or a signal watcher).
    void listen();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Whether @p host is a loopback address (127.0.0.0/8, ::1, localhost).
[[nodiscard]] bool is_loopback(const std::string& host);

}  // namespace polarity::serve
