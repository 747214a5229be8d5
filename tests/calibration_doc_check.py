#!/usr/bin/python3
"""docs/calibration.md agrees with the engine, in three parts; exit 1 listing every disagreement.

    /usr/bin/python3 tests/calibration_doc_check.py SOURCE_DIR POLARITY_CLI
    /usr/bin/python3 tests/calibration_doc_check.py --year-ends RUN.h5   # print the 2026-2030 table
    /usr/bin/python3 tests/calibration_doc_check.py --update SOURCE_DIR POLARITY_CLI
        # rewrite the measured cells (parts 2 and 3) from fresh runs, each at its written
        # precision; defaults and published ranges are inputs and are never rewritten

1. **Defaults.** Every default the tables of "Run", "World", "Algorithms and paradigm" and
   "Market" quote is the value scenarios/baseline.yaml resolves to (`polarity show`: extends
   applied, every default written out). A row is `| `key` | value | ...`; `a` / `b` rows pair keys
   and values; a value written with its unit ("96 (to 2030-12)") is read up to the first space.
   Rows whose value is not a number or a date are words and are skipped; every section must
   still check at least one key, so a renamed heading cannot turn the check off.
2. **Calibration targets.** The check runs scenarios/historical/timeline.yaml twice (the
   default priority fill, then `--set market.clearing=min_cost_flow`) and reads each run file's
   `/calibration` group. The targets table (header `| target | kind | published range | model |
   min-cost flow | ...`) must have one row per target of the timeline, named by a leading
   `` `name` ``, none missing and none extra; its kind must be the target's, its published range
   the target's `range`, and its two model cells the values the two runs measured. The
   secondary table (header `| check | ...`) holds quantities read off the default run's series
   (SECONDARY below); each row, named by a leading `` `key` ``, must be one of them, and every
   one must have a row.
3. **2026-2030.** The table of "2026–2030: what the defaults imply" equals what `--year-ends`
   prints for the default run (YEAR_END_COLUMNS), cell by cell.

Numbers in cells are compared after rounding to the precision they are written with: "4.02x" is
4.015 to 4.025, "37.8M" 37.75M to 37.85M, "14.8%" 0.1475 to 0.1485, "2.7e27" 2.65e27 to 2.75e27,
and in a whole number trailing zeros are not significant ("34,500": 34,450 to 34,550). `k`, `M`,
`B` and `%` after a number scale it (1e3, 1e6, 1e9, 0.01). A published range ("10k–450k") must equal the
target's range exactly.
"""
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np
import yaml

SECTIONS = {"Run": ["run", "question", ""], "World": ["world"],
            "Algorithms and paradigm": ["algorithms", "paradigm"], "Market": ["market"]}
TARGETS_SECTION = "Calibration targets"
YEAR_END_SECTION = "2026–2030: what the defaults imply"
YEAR_END_YEARS = range(2026, 2031)
SECONDS_PER_MONTH = 365.2425 * 86400.0 / 12.0  # model/phases.hpp
SCALE = {"k": 1e3, "M": 1e6, "B": 1e9, "%": 1e-2}
# A number not inside a word ("H100e"), with its scale: "4.02x", "34,500", "37.8M", "14.8 %", "2.7e27".
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?)\s?(k|M|B|%)?")


# ---- part 1: the defaults --------------------------------------------------------------------

def default_value(text):
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


def check_defaults(doc, config):
    problems, checked = [], {}
    for section, line in lines_by_section(doc):
        if section not in SECTIONS:
            continue
        row = re.match(r"^\| `([^|]+)` \|([^|]+)\|", line)
        if row is None or any(c in row.group(1) for c in "*,"):
            continue  # not a row, or a row about a group of keys ("acceleration_*"): prose
        keys = [k.strip(" `") for k in row.group(1).split("/")]
        values = [v for v in row.group(2).split("/")]
        if len(keys) != len(values):
            values = values[:1] * len(keys) if len(values) == 1 else values
        for i, key in enumerate(keys):
            if i > 0 and "." not in key and "_" not in key and len(key) < 4:  # "min / max": the second key's stem
                key = keys[0].rsplit("_", 1)[0] + "_" + key
            written = default_value(values[i])
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
    return problems, sum(checked.values())


# ---- numbers as written ------------------------------------------------------------------------

def numbers(cell):
    """Every number written in a cell, as (value, half a unit of its last significant digit)."""
    found = []
    for digits, suffix in NUMBER.findall(cell):
        plain = digits.replace(",", "")
        mantissa, _, exponent = plain.partition("e")
        scale = SCALE.get(suffix, 1.0) * (10.0 ** int(exponent) if exponent else 1.0)
        if "." in mantissa:
            step = 10.0 ** -len(mantissa.split(".")[1])
        else:
            step = 10.0 ** (len(mantissa) - len(mantissa.rstrip("0"))) if mantissa.strip("0") else 1.0
        found.append((float(mantissa) * scale, step * scale / 2))
    return found


def agrees(cell, actual):
    """Whether the numbers written in `cell` are the values `actual`, each at its written precision."""
    written = numbers(cell)
    return len(written) == len(actual) and all(
        not math.isnan(a) and abs(w - a) <= half * (1 + 1e-9) for (w, half), a in zip(written, actual))


# ---- the run files -------------------------------------------------------------------------------

def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def read_calibration(path):
    """The `/calibration` group of a run file: target name -> its columns."""
    with h5py.File(path, "r") as f:
        if "calibration" not in f:
            raise SystemExit(f"{path}: no /calibration group (a scenario without calibration targets?)")
        g = f["calibration"]
        names = text(g["target"][()])
        columns = {k: (text(g[k][()]) if g[k].dtype.kind in "OS" else g[k][()]) for k in g if k != "target"}
    return {n: {k: v[i] for k, v in columns.items()} for i, n in enumerate(names)}


class Run:
    """The series of a run file, by calendar year, with its facts about labs and SKUs."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.months = text(f["month_label"][()])
            self.axes = {a: text(f[a][()]) for a in ("bloc", "lab", "sku", "supplier")}
            self.series = {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset) and f[k].ndim >= 1
                           and f[k].shape[0] == len(self.months) and f[k].dtype.kind in "fi"}
            self.lab_bloc = text(f["lab_bloc"][()])
            self.lab_frontier = [bool(v) for v in f["lab_frontier"][()]]
            supplier_bloc = dict(zip(self.axes["supplier"], text(f["supplier_bloc"][()])))
            self.sku_supplier = dict(zip(self.axes["sku"], text(f["sku_supplier"][()])))
            # The FLOP an H100e delivers in a month is not in the file; the resolved scenario has it.
            self.world = yaml.safe_load(f["scenario_yaml"][()].decode())["world"]
        self.sku_bloc = {sku: supplier_bloc[s] for sku, s in self.sku_supplier.items()}

    def month(self, label):
        return self.months.index(label)

    def year(self, year):
        return np.array([m.startswith(f"{year}-") for m in self.months])

    def of_bloc(self, series, month, bloc):
        return float(self.series[series][month, self.axes["bloc"].index(bloc)])

    def bloc_in_year(self, series, year, bloc):
        return float(self.series[series][self.year(year), self.axes["bloc"].index(bloc)].sum())

    def made_in_year(self, year, keep):
        made = self.series["sku_produced_units"][self.year(year)].sum(axis=0)
        return float(sum(made[i] for i, sku in enumerate(self.axes["sku"]) if keep(sku)))

    def world_compute(self, month):
        return float(self.series["bloc_compute_h100e"][month].sum())

    def largest_training_flop_per_month(self, month, bloc):
        per_h100e = self.world["h100_flop_per_s"] * self.world["utilization"] * SECONDS_PER_MONTH
        training = self.series["lab_training_h100e"][month]
        return max(float(training[i]) * per_h100e for i in range(len(training))
                   if self.lab_bloc[i] == bloc and self.lab_frontier[i])


#: The secondary checks: key -> the values its row's model cell holds, read off the default run.
SECONDARY = {
    "nvidia_units_made": lambda r: [r.made_in_year(y, lambda s: r.sku_supplier[s] == "nvidia") for y in (2023, 2024, 2025)],
    "nvidia_revenue_usd": lambda r: [float(r.series["supplier_revenue_usd"][r.year(y), r.axes["supplier"].index("nvidia")].sum())
                                     for y in (2023, 2024, 2025)],
    "ascend_units_made": lambda r: [r.made_in_year(y, lambda s: r.sku_supplier[s] == "huawei") for y in (2024, 2025, 2026)],
    "china_gray_and_remote_units_2024": lambda r: [r.bloc_in_year(f"bloc_delivered_{route}_units", 2024, "china")
                                                   for route in ("gray", "remote")],
    "china_legal_units_2024": lambda r: [sum(r.bloc_in_year(f"bloc_delivered_{route}_units", 2024, "china")
                                             for route in ("legal", "licensed"))],
    "largest_model_2023_01": lambda r: [float(r.series["lab_best_capability"][0].max()),
                                        10.0 ** float(r.series["lab_best_capability"][0].max())],
}

#: The 2026-2030 table's columns: heading, value at year-end `y`, how it is written.
YEAR_END_COLUMNS = [
    ("world compute (H100e)", lambda r, y: r.world_compute(r.month(f"{y}-12")), "M"),
    ("US-aligned compute (H100e)", lambda r, y: r.of_bloc("bloc_compute_h100e", r.month(f"{y}-12"), "us_aligned"), "M"),
    ("China compute (H100e)", lambda r, y: r.of_bloc("bloc_compute_h100e", r.month(f"{y}-12"), "china"), "M"),
    ("China's share", lambda r, y: r.of_bloc("bloc_compute_share", r.month(f"{y}-12"), "china"), "%"),
    ("US frontier's largest training compute (FLOP a month)",
     lambda r, y: r.largest_training_flop_per_month(r.month(f"{y}-12"), "us_aligned"), "e"),
    ("China's gray-route chips in the year", lambda r, y: r.bloc_in_year("bloc_delivered_gray_units", y, "china"), "count"),
    ("China's chips made in the year", lambda r, y: r.made_in_year(y, lambda s: r.sku_bloc[s] == "china"), "count"),
]


def written(value, style):
    """A value as the 2026-2030 table writes it: three significant digits (two in powers of ten),
    millions (M), thousands (k) or a percentage; "count" is k below a million, M from there."""
    if style == "e":
        return f"{value:.1e}".replace("e+", "e")
    if style == "%":
        return f"{100 * value:.1f}%"
    if style == "count":
        style = "M" if abs(value) >= 1e6 else "k"
    scaled = value / SCALE[style]
    digits = max(0, 2 - int(math.floor(math.log10(abs(scaled))))) if scaled else 0
    return f"{scaled:.{digits}f}{style}"


def year_end_table(run):
    rows = ["| year-end | " + " | ".join(h for h, _, _ in YEAR_END_COLUMNS) + " |",
            "|---" * (len(YEAR_END_COLUMNS) + 1) + "|"]
    for y in YEAR_END_YEARS:
        rows.append(f"| {y} | " + " | ".join(written(of(run, y), style) for _, of, style in YEAR_END_COLUMNS) + " |")
    return "\n".join(rows)


# ---- parts 2 and 3: the document's tables -------------------------------------------------------

def lines_by_section(doc):
    section = None
    for line in doc.splitlines():
        heading = re.match(r"^## (.+)$", line)
        if heading:
            section = heading.group(1).strip()
        elif section is not None:
            yield section, line


def tables(doc, section):
    """The tables of a section: lists of rows, each row a list of cells, the header first."""
    found, current = [], None
    for s, line in lines_by_section(doc):
        if s != section or not line.startswith("|"):
            current = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            continue  # the separator row
        if current is None:
            current = []
            found.append(current)
        current.append(cells)
    return found


def named(cell):
    match = re.match(r"`([^`]+)`", cell)
    return match.group(1) if match else None


def check_targets(doc, default, min_cost_flow, run):
    problems = []
    by_header = {t[0][0]: t for t in tables(doc, TARGETS_SECTION)}
    targets = by_header.get("target")
    if targets is None or targets[0][:5] != ["target", "kind", "published range", "model", "min-cost flow"]:
        return [f"'{TARGETS_SECTION}' has no table headed | target | kind | published range | model | min-cost flow |"]
    rows = {}
    for cells in targets[1:]:
        name = named(cells[0])
        if name is None:
            problems.append(f"targets table: a row without a leading `name`: {cells[0]!r}")
        elif name not in default:
            problems.append(f"targets table: `{name}` is not a target of the timeline")
        else:
            rows[name] = cells
    for name, t in default.items():
        cells = rows.get(name)
        if cells is None:
            problems.append(f"targets table: no row for target `{name}`")
            continue
        if cells[1] != t["kind"]:
            problems.append(f"`{name}`: kind is '{cells[1]}' in the doc but '{t['kind']}' in the timeline")
        published = [w for w, _ in numbers(cells[2])]
        if len(published) != 2 or any(abs(w - a) > 1e-9 * abs(a) for w, a in zip(published, (t["low"], t["high"]))):
            problems.append(f"`{name}`: published range '{cells[2]}' in the doc but [{t['low']:g}, {t['high']:g}] in the timeline")
        for column, measured in ((3, t["value"]), (4, min_cost_flow[name]["value"])):
            if not agrees(cells[column], [measured]):
                problems.append(f"`{name}`: {targets[0][column]} is '{cells[column]}' in the doc but {measured:.6g} in the run")
    secondary = by_header.get("check")
    if secondary is None:
        return problems + [f"'{TARGETS_SECTION}' has no secondary table headed | check | ..."]
    model_column = secondary[0].index("model")
    seen = set()
    for cells in secondary[1:]:
        key = named(cells[0])
        if key not in SECONDARY:
            problems.append(f"secondary checks: `{key}` is not a check this test computes ({', '.join(SECONDARY)})")
            continue
        seen.add(key)
        actual = SECONDARY[key](run)
        if not agrees(cells[model_column], actual):
            problems.append(f"secondary `{key}`: model is '{cells[model_column]}' in the doc but "
                            + " / ".join(f"{a:.6g}" for a in actual) + " in the run")
    problems += [f"secondary checks: no row for `{key}`" for key in SECONDARY if key not in seen]
    return problems


def check_year_ends(doc, run):
    found = tables(doc, YEAR_END_SECTION)
    expected = [line.strip("|").split("|") for line in year_end_table(run).splitlines()]
    expected = [[c.strip() for c in row] for row in expected if not set("".join(row)) <= set("-: ")]
    if not found:
        return [f"section '{YEAR_END_SECTION}' has no table"]
    table, problems = found[0], []
    if table[0] != expected[0]:
        problems.append(f"{YEAR_END_SECTION}: the header differs from what --year-ends prints: {table[0]} vs {expected[0]}")
    if [r[0] for r in table[1:]] != [r[0] for r in expected[1:]]:
        return problems + [f"{YEAR_END_SECTION}: rows {[r[0] for r in table[1:]]}, expected {[r[0] for r in expected[1:]]}"]
    for row, year in zip(table[1:], YEAR_END_YEARS):
        for (heading, of, _), cell in zip(YEAR_END_COLUMNS, row[1:]):
            value = of(run, year)
            if not agrees(cell, [value]):
                problems.append(f"{YEAR_END_SECTION}: {year}, {heading} is '{cell}' in the doc but {value:.6g} in the run")
    return problems


def run_timeline(cli, source, folder, *options):
    out = Path(folder) / ("timeline" + "".join(o.split("=")[-1] for o in options) + ".h5")
    subprocess.run([cli, "run", f"{source}/scenarios/historical/timeline.yaml", "-o", str(out), "--force", "--quiet",
                    *options], capture_output=True, text=True, check=True)
    return out


# ---- --update: the measured cells rewritten from fresh runs ---------------------------------------

def written_like(token, suffix, value):
    """`value` written as `token` (a number as NUMBER matched it, with `suffix`) was written."""
    mantissa, _, exponent = token.replace(",", "").partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else None
    if exponent:
        power = math.floor(math.log10(abs(value))) if value else 0
        if round(value / 10 ** power, decimals or 0) >= 10:
            power += 1
        return f"{value / 10 ** power:.{decimals or 0}f}e{power}"
    value /= SCALE.get(suffix, 1.0)
    if decimals is not None:
        return f"{value:.{decimals}f}"
    significant = len(mantissa.rstrip("0")) if mantissa.strip("0") else 1
    places = math.floor(math.log10(abs(value))) - significant + 1 if value else 0
    whole = int(round(value, -places)) if places > 0 else int(round(value))
    return f"{whole:,}" if "," in token else str(whole)


def rewritten(cell, values):
    """`cell` with its numbers replaced by `values`, in order, each in the style it was written."""
    found = list(NUMBER.finditer(cell))
    if len(found) != len(values):
        raise SystemExit(f"cannot rewrite {cell!r}: {len(found)} numbers for {len(values)} values")
    out, last = [], 0
    for match, value in zip(found, values):
        out += [cell[last:match.start(1)], written_like(match.group(1), match.group(2), value)]
        last = match.end(1)
    return "".join(out) + cell[last:]


def update(source, cli):
    path = Path(source) / "docs" / "calibration.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    with tempfile.TemporaryDirectory() as folder:
        default = run_timeline(cli, source, folder)
        min_cost_flow = run_timeline(cli, source, folder, "--set", "market.clearing=min_cost_flow")
        run, measured, measured_mcf = Run(default), read_calibration(default), read_calibration(min_cost_flow)
    section, header = None, None
    for i, line in enumerate(lines):
        heading = re.match(r"^## (.+)$", line)
        if heading:
            section = heading.group(1).strip()
            continue
        if section != TARGETS_SECTION or not line.startswith("|"):
            continue
        cells = line.strip().strip("|").split("|")
        if cells[0].strip() in ("target", "check"):
            header = [c.strip() for c in cells]
            continue
        name = named(cells[0].strip())
        if header and header[0] == "target" and name in measured:
            cells[3] = f" {rewritten(cells[3].strip(), [measured[name]['value']])} "
            cells[4] = f" {rewritten(cells[4].strip(), [measured_mcf[name]['value']])} "
        elif header and header[0] == "check" and name in SECONDARY:
            k = header.index("model")
            cells[k] = f" {rewritten(cells[k].strip(), SECONDARY[name](run))} "
        lines[i] = "|" + "|".join(cells) + "|"
    # The 2026-2030 table, whole, as --year-ends prints it.
    section, start, end = None, None, None
    for i, line in enumerate(lines):
        heading = re.match(r"^## (.+)$", line)
        if heading:
            section = heading.group(1).strip()
        elif section == YEAR_END_SECTION and line.startswith("|") and start is None:
            start = i
        elif start is not None and end is None and not line.startswith("|"):
            end = i
    if start is None:
        raise SystemExit(f"section '{YEAR_END_SECTION}' has no table")
    lines[start:end] = year_end_table(run).strip().split("\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"rewrote the measured cells of {path}; check with: tests/calibration_doc_check.py {source} {cli}")
    return 0


def main(source, cli):
    shown = subprocess.run([cli, "show", f"{source}/scenarios/baseline.yaml"], capture_output=True, text=True, check=True)
    doc = open(f"{source}/docs/calibration.md", encoding="utf-8").read()
    problems, defaults = check_defaults(doc, yaml.safe_load(shown.stdout))
    with tempfile.TemporaryDirectory() as folder:
        default = run_timeline(cli, source, folder)
        min_cost_flow = run_timeline(cli, source, folder, "--set", "market.clearing=min_cost_flow")
        run = Run(default)
        problems += check_targets(doc, read_calibration(default), read_calibration(min_cost_flow), run)
        problems += check_year_ends(doc, run)
    for p in problems:
        print(p)
    print(f"{defaults} defaults, the calibration targets and the 2026-2030 table checked; {len(problems)} disagree")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--year-ends":
        print(year_end_table(Run(sys.argv[2])))
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "--update":
        sys.exit(update(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
