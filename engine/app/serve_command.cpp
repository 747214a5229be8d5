#include "serve_command.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "polarity/serve/http_server.hpp"
#include "polarity/serve/playground.hpp"

namespace polarity::app {
namespace {

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string web = POLARITY_SOURCE_DIR "/web";
    std::string scenarios = POLARITY_SOURCE_DIR "/scenarios";
};

/// The presets: the baseline, then the classroom presets in name order.
std::vector<std::filesystem::path> preset_files(const std::filesystem::path& scenarios) {
    std::vector<std::filesystem::path> classroom;
    for (const auto& e : std::filesystem::directory_iterator(scenarios / "classroom"))
        if (e.path().extension() == ".yaml") classroom.push_back(e.path());
    std::sort(classroom.begin(), classroom.end());
    std::vector<std::filesystem::path> files = {scenarios / "baseline.yaml"};
    files.insert(files.end(), classroom.begin(), classroom.end());
    return files;
}

int run_serve(const ServeOptions& opt) {
    serve::Playground playground(preset_files(opt.scenarios), std::filesystem::path(opt.web) / "futures.yaml");
    serve::HttpServer server(playground, opt.web);
    if (!serve::is_loopback(opt.host))
        std::cerr << "warning: serving on " << opt.host << ": anyone who can reach this machine can use the playground "
                  << "(it has no login); --host 127.0.0.1 keeps it to this machine\n";

    // SIGINT and SIGTERM are taken by one thread, which stops the server; the server's threads,
    // started after this, inherit the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    const int port = server.bind(opt.host, opt.port);
    std::thread watcher([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        server.stop();
    });
    const std::string shown = opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host;
    std::cout << "Polarity playground: http://" << shown << ":" << port << "/  (" << playground.preset_list().size()
              << " presets; Ctrl-C stops it)" << std::endl;
    server.listen();
    watcher.join();
    std::cout << "Stopped." << std::endl;
    return 0;
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
    auto opt = std::make_shared<ServeOptions>();
    auto* cmd = app.add_subcommand("serve",
                                   "Serve the classroom playground: a page that reruns a preset as levers move "
                                   "(docs/classroom.md)");
    cmd->add_option("--host", opt->host, "Address to listen on (default 127.0.0.1: this machine only)");
    cmd->add_option("--port", opt->port, "Port to listen on (default 8080; 0 picks a free one)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--web", opt->web, "Folder of the page (default: the repository's web/)")->check(CLI::ExistingDirectory);
    cmd->add_option("--scenarios", opt->scenarios,
                    "Folder holding baseline.yaml and classroom/ (default: the repository's scenarios/)")
        ->check(CLI::ExistingDirectory);
    return [cmd, opt]() -> int { return *cmd ? run_serve(*opt) : -1; };
}

}  // namespace polarity::app
