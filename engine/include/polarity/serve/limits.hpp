#pragma once
/// @file
/// What `polarity serve` accepts: the caps on request size, runs and run time that keep one
/// request from starving the others (docs/classroom.md, "Safety").

#include <chrono>
#include <cstddef>
#include <string>

#include "polarity/core/error.hpp"

namespace polarity::serve {

struct Limits {
    std::size_t max_body_bytes = 64 * 1024;    ///< larger requests are refused (413) unread
    std::size_t max_overrides = 64;            ///< entries of `set` plus `rules_off`
    int max_horizon_months = 240;              ///< longest run a request may ask for
    int default_study_runs = 200;              ///< "run 200 futures"
    int max_study_runs = 500;                  ///< runs of one study request
    std::size_t max_concurrent_studies = 2;    ///< more at once are refused (503), never queued
    std::chrono::milliseconds max_run_time{5000};     ///< one run; stopped past it
    std::chrono::milliseconds max_study_time{30000};  ///< one study; stopped between batches past it
};

/// A request the playground refuses: its shape is wrong, or it asks for more than the limits
/// allow. `status()` is the HTTP status to answer with.
class RequestError : public Error {
public:
    RequestError(int status, const std::string& message) : Error(message), status_(status) {}
    [[nodiscard]] int status() const { return status_; }

private:
    int status_;
};

}  // namespace polarity::serve
