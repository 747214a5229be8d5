#pragma once
/// @file
/// The classroom playground's JSON API, apart from HTTP: the presets, their levers, one run with
/// overrides and a small study ("run 200 futures"). Each call takes a request body and returns
/// the status and JSON body to answer with, so the API is tested without a socket; http_server.hpp
/// puts it on the wire. docs/classroom.md describes every request and reply.
///
/// Safe to call from many threads at once: the presets are read once at construction and each
/// request works on its own copy. Nothing is read from or written to disk after construction: a
/// request loads its preset from the resolved text kept in memory, with its overrides.

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "polarity/model/scenario.hpp"
#include "polarity/serve/limits.hpp"
#include "polarity/study/study.hpp"

namespace polarity::serve {

/// A status and a JSON body.
struct Reply {
    int status = 200;
    std::string body;
};

/// A scenario the page offers, loaded once.
struct Preset {
    std::string id;          ///< the file's stem: "baseline", "own_chips"
    std::filesystem::path path;
    std::string title;       ///< the description's first sentence (or the name, made readable)
    std::string question;    ///< question.text, or the question the outcome answers in words
    std::string description;
    model::Scenario scenario;
};

class Playground {
public:
    /// Loads every preset file and the futures study (which uncertain inputs "run 200 futures"
    /// samples; its `scenario:` is replaced by the chosen preset).
    /// @throws polarity::ConfigError for a preset or study file that does not load;
    ///         std::invalid_argument when @p preset_files is empty.
    Playground(const std::vector<std::filesystem::path>& preset_files, const std::filesystem::path& futures_file,
               Limits limits = {});

    /// GET /api/presets: id, title, question and description of each preset.
    [[nodiscard]] Reply presets() const;
    /// GET /api/levers?preset=id: the preset's levers (key paths, units, ranges, starting values
    /// and descriptions from the key table) and its rules.
    [[nodiscard]] Reply levers(const std::string& preset) const;
    /// POST /api/run: one run of a preset with overrides: series, outcome and the answer in words.
    [[nodiscard]] Reply run(const std::string& body) const;
    /// POST /api/study: a capped study of the preset with overrides: outcome probabilities and
    /// the spread. At most Limits::max_concurrent_studies at once; more are refused (503).
    [[nodiscard]] Reply study(const std::string& body);

    [[nodiscard]] const Limits& limits() const { return limits_; }
    [[nodiscard]] const std::vector<Preset>& preset_list() const { return presets_; }

private:
    [[nodiscard]] const Preset& find(const std::string& id) const;

    std::vector<Preset> presets_;
    study::StudySpec futures_;
    Limits limits_;
    std::atomic<std::size_t> studies_running_{0};
};

}  // namespace polarity::serve
