#!/usr/bin/python3
"""docs/calibration.md agrees with scenarios/baseline.yaml: every default the document's tables
quote for the run, world, algorithm, paradigm and market sections must be the value the baseline
resolves to (`polarity show scenarios/baseline.yaml`: extends applied, every default written out).

    /usr/bin/python3 tests/calibration_doc_check.py SOURCE_DIR POLARITY_CLI

A row is `| `key` | value | ...`; `a` / `b` rows pair keys and values; a value written with its
unit ("96 (to 2030-12)") is read up to the first space. Rows whose value is not a number or a date
are words (sources, notes) and are skipped; every section must still check at least one key, so a
renamed heading cannot turn the check off. Exit 1 listing every disagreement.
"""
import re
import subprocess
import sys

import yaml

SECTIONS = {"Run": ["run", "question", ""], "World": ["world"],
            "Algorithms and paradigm": ["algorithms", "paradigm"], "Market": ["market"]}


def number(text):
    text = text.strip().split(" ")[0].replace(",", "").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return text if re.fullmatch(r"\d{4}-\d{2}", text) else None


def lookup(config, prefixes, key):
    for prefix in prefixes:
        node = config
        for part in ([prefix] if prefix else []) + key.split("."):
            if not isinstance(node, dict) or part not in node:
                node = None
                break
            node = node[part]
        if node is not None:
            return node
    return None


def main(source, cli):
    shown = subprocess.run([cli, "show", f"{source}/scenarios/baseline.yaml"], capture_output=True, text=True, check=True)
    config = yaml.safe_load(shown.stdout)
    doc = open(f"{source}/docs/calibration.md", encoding="utf-8").read()
    problems, checked = [], {}
    section = None
    for line in doc.splitlines():
        heading = re.match(r"^## (.+)$", line)
        if heading:
            section = heading.group(1).strip() if heading.group(1).strip() in SECTIONS else None
            continue
        row = re.match(r"^\| `([^|]+)` \|([^|]+)\|", line)
        if section is None or row is None:
            continue
        if any(c in row.group(1) for c in "*,"):
            continue  # a row about a group of keys ("acceleration_*"): prose, not one value
        keys = [k.strip(" `") for k in row.group(1).split("/")]
        values = [v for v in row.group(2).split("/")]
        if len(keys) != len(values):
            values = values[:1] * len(keys) if len(values) == 1 else values
        for i, key in enumerate(keys):
            if i > 0 and "." not in key and "_" not in key and len(key) < 4:  # "min / max": the second key's stem
                key = keys[0].rsplit("_", 1)[0] + "_" + key
            written = number(values[i])
            if written is None:
                continue
            actual = lookup(config, SECTIONS[section], key)
            if actual is None:
                problems.append(f"{section}: `{key}` is not a key of the resolved baseline")
                continue
            checked[section] = checked.get(section, 0) + 1
            same = (str(actual) == written) if isinstance(written, str) else \
                isinstance(actual, (int, float)) and abs(float(actual) - written) <= 1e-9 * max(1.0, abs(written))
            if not same:
                problems.append(f"{section}: `{key}` is {values[i].strip()} in docs/calibration.md but {actual} in the baseline")
    for s in SECTIONS:
        if not checked.get(s):
            problems.append(f"section '{s}' of docs/calibration.md has no checked key (renamed?)")
    for p in problems:
        print(p)
    print(f"{sum(checked.values())} defaults checked, {len(problems)} disagree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
