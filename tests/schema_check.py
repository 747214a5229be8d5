#!/usr/bin/python3
"""Checks that scenarios/schema.json and the loader accept and reject the same files.

Runs every tests/data/**/*.yaml and scenarios/**/*.yaml (except scenarios/studies/, which holds
study files) through both `polarity validate` and the JSON Schema, and fails on any file where
they disagree, unless the loader's error is one the schema cannot express (EXPECTED below).

    /usr/bin/python3 tests/schema_check.py SOURCE_DIR POLARITY_BINARY

Needs Debian's python3-yaml and python3-jsonschema (hence /usr/bin/python3).
"""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

# Loader errors a JSON Schema cannot express, matched on "key.path: message" of the loader's
# error. A file rejected by the loader for one of these reasons may pass the schema; every other
# disagreement fails the test. (A file the schema rejects and the loader accepts always fails:
# an editor would flag a valid scenario.)
EXPECTED = {
    # A JSON Schema validates a value without the rest of the document: it cannot know which
    # names the file defines.
    "a reference to a name defined elsewhere in the file":
        r"is not a (bloc|nation|SKU|lab|nation, bloc, tier1/tier2/tier3 or all)\b"
        r"|expected a SKU of supplier|expected a different SKU|expected a lab of bloc",
    # uniqueItems compares whole list items, not one key of them.
    "a name used twice in a list of maps":
        r"duplicate (nation|SKU|lab|rule|tool control|calibration target|supplier) name"
        r"|duplicate stock entry|is also a bloc name",
    # Comparisons between two keys' values.
    "a bound set by another key":
        r"expected training_share \+ research_share <= 1|expected research_factor_min <="
        r"|expected acceleration_full_capability >|expected loosen_above_lag_months >="
        r"|expected a month (after|not before|within the run)|expected low <= high"
        r"|expected the rival to differ|is aligned with both|expected a nation of another bloc",
    # The schema sees one file at a time.
    "a problem with the file `extends` names": r"^extends: ",
    # The schema's date pattern checks the month, not the year's range (limits.hpp).
    "a year outside the engine's limits": r"expected a year from \d+ to \d+",
}

# YAML 1.2 core schema, as editors' YAML language servers read it: PyYAML implements YAML 1.1,
# where 2.5e13 is a string and yes/no are booleans.
CORE_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
]


class NotJson(Exception):
    """The document has no JSON equivalent for a schema to check."""


class CoreLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        # YAML requires unique keys (language servers flag repeats); PyYAML keeps the last.
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise NotJson(f"duplicate key {key!r}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


CoreLoader.yaml_implicit_resolvers = {}
for tag, pattern, first in CORE_RESOLVERS:
    CoreLoader.add_implicit_resolver(tag, re.compile(pattern), first)


def construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # decimal, as the loader reads "024"


def construct_float(loader, node):
    value = float(loader.construct_scalar(node).replace(".inf", "inf").replace(".Inf", "inf")
                  .replace(".INF", "inf").lower().replace(".nan", "nan"))
    if not math.isfinite(value):
        raise NotJson("a non-finite number")  # JSON has none
    return value


CoreLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", construct_float)


def check_expansion(text, limit=1_000_000):
    """Aliases can make a document cyclic or astronomically large once expanded (a "billion
    laughs"); no JSON holds either, and expanding one would hang. Counts nodes with aliases
    expanded, stopping at the loader's limit."""
    stack, seen = [yaml.compose(text, Loader=CoreLoader)], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            raise NotJson(f"aliases expand it past {limit} nodes")
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]


def schema_verdict(validator, path):
    """None if the schema accepts the file, else why not."""
    try:
        text = path.read_text()
        check_expansion(text)
        document = yaml.load(text, Loader=CoreLoader)
        json.dumps(document)  # a cyclic document has no JSON form
    except (yaml.YAMLError, NotJson, RecursionError, UnicodeDecodeError, ValueError, TypeError) as e:
        return f"not a JSON-compatible YAML document: {str(e).splitlines()[0]}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message[:200]}"


def loader_verdict(polarity, path):
    """None if `polarity validate` accepts the file, else its error."""
    result = subprocess.run([polarity, "validate", str(path)], capture_output=True, text=True)
    return None if result.returncode == 0 else result.stderr.strip()


def is_study(source, path):
    """Study files (scenarios/studies/, tests/data/studies/) name a scenario; they are not one."""
    return "studies" in path.relative_to(source).parts


def main():
    source, polarity = Path(sys.argv[1]), sys.argv[2]
    schema = json.loads((source / "scenarios" / "schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    files = sorted((source / "tests" / "data").rglob("*.yaml"))
    files += sorted((source / "scenarios").rglob("*.yaml"))
    files = [p for p in files if not is_study(source, p)]

    failures = []
    excused = {reason: 0 for reason in EXPECTED}
    counts = {"both accept": 0, "both reject": 0}
    for path in files:
        name = path.relative_to(source)
        loader = loader_verdict(polarity, path)
        schema_error = schema_verdict(validator, path)
        if loader is None and schema_error is None:
            counts["both accept"] += 1
        elif loader is not None and schema_error is not None:
            counts["both reject"] += 1
        elif loader is None:
            failures.append(f"{name}: the loader accepts it, the schema rejects it: {schema_error}")
        else:
            # "file:line:col: key.path: message" -> "key.path: message"
            detail = re.sub(r"^(error: )?[^:]*:(\d+:\d+:)? ?", "", loader.splitlines()[0])
            reason = next((r for r, pattern in EXPECTED.items() if re.search(pattern, detail)),
                          None)
            if reason is None:
                failures.append(f"{name}: the schema accepts it, the loader rejects it: {loader}")
            else:
                excused[reason] += 1

    print(f"{len(files)} files: {counts['both accept']} accepted by both, "
          f"{counts['both reject']} rejected by both")
    for reason, n in excused.items():
        print(f"  {n} rejected by the loader alone: {reason}")
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
