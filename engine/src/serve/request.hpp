#pragma once
// The playground's request shape, checked before anything runs:
//   {"preset": "<id>", "set": {"<key.path>": number | true/false | "text", ...},
//    "rules_off": ["<rule name>", ...], "runs": <int, studies only>}
// Members other than these, values of other types and oversized lists are refused here; the
// values themselves are checked by the scenario loader, exactly as `--set` is.

#include <string>
#include <vector>

#include "polarity/serve/limits.hpp"

namespace polarity::serve::detail {

struct ScenarioRequest {
    std::string preset;
    std::vector<std::string> set_paths;   ///< the keys of `set`, in request order
    std::vector<std::string> overrides;   ///< `set` as "key.path=value" (the value in YAML)
    std::vector<std::string> rules_off;
    int runs = 0;                         ///< studies: runs asked for (0: the default)
};

/// Parses a request body. `study` allows `runs`.
/// @throws RequestError (400) naming the member at fault.
[[nodiscard]] ScenarioRequest parse_request(const std::string& body, bool study, const Limits& limits);

}  // namespace polarity::serve::detail
