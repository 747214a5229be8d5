"""Keeps the table "What each file gives" in scenarios/README.md equal to what the engine prints.

    /usr/bin/python3 tests/scenario_table_check.py SOURCE_DIR POLARITY_CLI            # check (a ctest)
    /usr/bin/python3 tests/scenario_table_check.py SOURCE_DIR POLARITY_CLI --print    # the table as it should be

Every scenario file outside studies/ must have exactly one row, and no other file a row; each
row must read exactly as `--print` writes it from the run's `/outcome` group: the outcome class,
the crossing delay in whole months ("at least" when China had not crossed), China's lag at
2027-12 and its share of world compute at the horizon, both to one decimal.
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py

HEADER = "| file | outcome | crossing delay | China's lag 2027-12 (months) | China's share 2030 |"


def scenario_files(source):
    root = Path(source) / "scenarios"
    files = [root / "baseline.yaml"] + sorted(p for p in root.glob("*/*.yaml") if p.parent.name != "studies")
    order = {"historical": 0, "counterfactual": 1, "classroom": 2}
    return sorted(files, key=lambda p: (p.parent != root, order.get(p.parent.name, 9), p.name))


def row(cli, source, path, folder):
    out = Path(folder) / (path.stem + ".h5")
    subprocess.run([cli, "run", str(path), "-o", str(out), "--force", "--quiet"], check=True, capture_output=True)
    with h5py.File(out, "r") as f:
        o = f["outcome"]
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in o.attrs.items()}
        years = [y.decode() for y in o["year_end"][()]]
        lag = float(o["rival_lag_year_end_months"][years.index("2027-12")])
    delay = f"{int(a['crossing_delay_months'])} months"
    if a["crossing_delay_censoring_name"] != "exact":
        delay = "at least " + delay
    name = path.relative_to(Path(source) / "scenarios").as_posix()
    return f"| `{name}` | {a['outcome_name']} | {delay} | {lag:.1f} | {100 * a['rival_compute_share']:.1f}% |"


def expected_table(source, cli):
    with tempfile.TemporaryDirectory() as folder:
        return [HEADER, "|---|---|---|---|---|"] + [row(cli, source, p, folder) for p in scenario_files(source)]


def written_table(source):
    lines = (Path(source) / "scenarios" / "README.md").read_text(encoding="utf-8").splitlines()
    if HEADER not in lines:
        raise SystemExit(f"scenarios/README.md has no table headed {HEADER}")
    start = lines.index(HEADER)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end]


def main(source, cli, show):
    expected = expected_table(source, cli)
    if show:
        print("\n".join(expected))
        return 0
    written = written_table(source)
    problems = []
    rows_w = {re.match(r"\| `([^`]+)`", r).group(1): r for r in written[2:] if re.match(r"\| `([^`]+)`", r)}
    rows_e = {re.match(r"\| `([^`]+)`", r).group(1): r for r in expected[2:]}
    for name, r in rows_e.items():
        if name not in rows_w:
            problems.append(f"scenarios/README.md: no row for `{name}`; the run gives: {r}")
        elif rows_w[name] != r:
            problems.append(f"scenarios/README.md: `{name}` reads\n  {rows_w[name]}\nbut the run gives\n  {r}")
    problems += [f"scenarios/README.md: `{n}` is not a scenario file" for n in rows_w if n not in rows_e]
    for p in problems:
        print(p)
    print(f"{len(rows_e)} scenario files run; {len(problems)} rows disagree")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--print"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], len(sys.argv) == 4))
