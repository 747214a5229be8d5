#include "polarity/serve/http_server.hpp"

#include <httplib.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "polarity/core/error.hpp"

namespace polarity::serve {
namespace {

struct StaticFile {
    std::string content_type;
    std::shared_ptr<const std::string> body;
};

std::string content_type_of(const std::filesystem::path& p) {
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},     {".svg", "image/svg+xml"},
        {".png", "image/png"},                   {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},   {".md", "text/plain; charset=utf-8"},
        {".json", "application/json"}};
    const auto it = types.find(p.extension().string());
    return it == types.end() ? "" : it->second;
}

/// Every servable file under @p dir, by URL path ("/vendor/chart.umd.js"); the index also as "/".
std::map<std::string, StaticFile> read_page(const std::filesystem::path& dir) {
    std::map<std::string, StaticFile> files;
    if (!std::filesystem::is_regular_file(dir / "index.html"))
        throw IoError((dir / "index.html").string() + ": the page is missing (pass --web <folder>)");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const std::string type = content_type_of(entry.path());
        if (type.empty()) continue;  // only the page's kinds of file (not the futures study)
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        if (!in) throw IoError(entry.path().string() + ": cannot read");
        std::string url = "/";  // appended, not '+': GCC 12 warns falsely (-Wrestrict) on the '+'
        url += std::filesystem::relative(entry.path(), dir).generic_string();
        files[url] = {type, std::make_shared<const std::string>(body.str())};
    }
    files["/"] = files.at("/index.html");
    return files;
}

/// Sends @p body as it is, never compressed. Debian's cpp-httplib compresses with Brotli at its
/// slowest quality: 0.5 s for the chart library and ~80 ms for each run reply, far more than the
/// bytes saved are worth on loopback or a classroom network. A sized content provider is the one
/// path on which cpp-httplib 0.11 leaves a body uncompressed.
void send_uncompressed(httplib::Response& res, std::shared_ptr<const std::string> body, const std::string& type) {
    const std::size_t size = body->size();
    if (size == 0) {
        res.set_content("", type);
        return;
    }
    res.set_content_provider(size, type, [body = std::move(body)](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, length);
    });
}

void send_json(httplib::Response& res, std::string body) {
    send_uncompressed(res, std::make_shared<const std::string>(std::move(body)), "application/json");
}

void send(httplib::Response& res, const Reply& r) {
    res.status = r.status;
    send_json(res, r.body);
}

std::string json_error(const std::string& message) {
    std::string escaped;
    for (char c : message) {
        if (c == '"' || c == '\\') escaped += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        escaped += c;
    }
    return "{\"error\":\"" + escaped + "\"}";
}

}  // namespace

struct HttpServer::Impl {
    httplib::Server server;
    std::map<std::string, StaticFile> files;
};

HttpServer::HttpServer(Playground& playground, const std::filesystem::path& web_dir) : impl_(std::make_unique<Impl>()) {
    impl_->files = read_page(web_dir);
    auto& s = impl_->server;
    const Limits& limits = playground.limits();
    // Enough workers that browsers' keep-alive connections never hold up other clients, and
    // short keep-alive so idle connections give their worker back.
    s.new_task_queue = [] { return new httplib::ThreadPool(16); };
    s.set_keep_alive_timeout(2);
    s.set_read_timeout(5, 0);
    s.set_write_timeout(5, 0);
    s.set_payload_max_length(limits.max_body_bytes);

    s.Get("/api/presets", [&playground](const httplib::Request&, httplib::Response& res) { send(res, playground.presets()); });
    s.Get("/api/levers", [&playground](const httplib::Request& req, httplib::Response& res) {
        send(res, playground.levers(req.get_param_value("preset")));
    });
    s.Post("/api/run", [&playground](const httplib::Request& req, httplib::Response& res) {
        send(res, playground.run(req.body));
    });
    s.Post("/api/study", [&playground](const httplib::Request& req, httplib::Response& res) {
        send(res, playground.study(req.body));
    });
    // The page's files, looked up by exact path (registered last: the API routes match first).
    s.Get(R"(/.*)", [&files = impl_->files](const httplib::Request& req, httplib::Response& res) {
        const auto it = files.find(req.path);
        if (it == files.end()) {
            res.status = 404;
            return;
        }
        res.set_header("Cache-Control", "no-cache");
        send_uncompressed(res, it->second.body, it->second.content_type);
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = std::string("internal error: ") + e.what();
        } catch (...) {
        }
        res.status = 500;
        send_json(res, json_error(what));
    });
    // httplib's own refusals (404, 405, 413, 400) get a JSON body too, unless a handler wrote one
    // (every reply a handler writes has a content type).
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (res.has_header("Content-Type")) return;
        const std::string message = res.status == 404   ? "no such page or API route: " + req.path.substr(0, 200)
                                    : res.status == 413 ? "the request is larger than the server accepts"
                                                        : "the server cannot handle this request";
        send_json(res, json_error(message));
    });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind(const std::string& host, int port) {
    const int bound = port == 0 ? impl_->server.bind_to_any_port(host) : (impl_->server.bind_to_port(host, port) ? port : -1);
    if (bound <= 0) throw IoError(host + ":" + std::to_string(port) + ": cannot listen there (in use, or not an address of this machine)");
    return bound;
}

void HttpServer::listen() { impl_->server.listen_after_bind(); }

void HttpServer::stop() { impl_->server.stop(); }

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace polarity::serve
