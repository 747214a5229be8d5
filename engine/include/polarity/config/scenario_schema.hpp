#pragma once
/// @file
/// Descriptions of the scenario format generated from the loader's own key table, so they
/// cannot drift from what the loader accepts: a JSON Schema for editors (scenarios/schema.json)
/// and the key reference of docs/scenarios.md. `polarity schema` prints either.

#include <string>

namespace polarity::config {

/// A JSON Schema (draft-07) of one scenario file: every key with its type, range, default and
/// description, unknown keys rejected. A file with `extends` is validated on its own, so it
/// need not repeat the keys its parent provides. Checks that span keys or files (cross
/// references, unique entity names, training_share + research_share <= 1, ...) are the
/// loader's alone.
[[nodiscard]] std::string scenario_json_schema();

/// The key reference in Markdown: one table per map of the format (key, type, unit, default,
/// allowed values, meaning).
[[nodiscard]] std::string scenario_key_reference();

}  // namespace polarity::config
