"""Command line: `/usr/bin/python3 -m analysis {report,compare,summary,table,discover} ...` (see analysis/README.md).

Every command takes run files (`polarity run`) and study files (`polarity study`) alike and
tells them apart by their `format` attribute.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m analysis",
                                     description="Figures and a classroom report from Polarity run and study files (.h5).")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="figures, index.html and report.md for one run or one study")
    report.add_argument("run", help="a run file (`polarity run`) or a study file (`polarity study`)")
    report.add_argument("-o", "--output", required=True, help="folder to write (created if needed)")
    report.add_argument("--reference", help="study reports: the arm the others are compared with (default: the first)")
    compare = commands.add_parser("compare", help="compare several runs, or several studies")
    compare.add_argument("runs", nargs="+", help="two or more run files, or two or more study files")
    compare.add_argument("-o", "--output", required=True, help="folder to write (created if needed)")
    summary = commands.add_parser("summary", help="print the outcome of one run or one study")
    summary.add_argument("run", help="a run file or a study file")
    table = commands.add_parser("table", help="a study's per-run table, or a run's monthly bloc series, as CSV")
    table.add_argument("run", help="a study file (one row per run) or a run file (long format: month, bloc, series, value)")
    table.add_argument("-o", "--output", help="CSV file to write (default: standard output)")
    discover = commands.add_parser("discover", help="scenario discovery: PRIM boxes (and a CART tree) of the "
                                   "uncertain inputs in which an outcome is likely")
    discover.add_argument("study", help="a study file (`polarity study`)")
    discover.add_argument("--outcome", default="unipolar", help="outcome class to explain (default: unipolar)")
    discover.add_argument("--arm", help="only this arm's runs (default: every run)")
    discover.add_argument("--threshold", type=float, default=0.8,
                          help="density the chosen box should reach (default: 0.8)")
    discover.add_argument("-o", "--output", help="folder for discovery.txt and the figures (default: print only)")
    args = parser.parse_args(argv)

    if args.command == "compare" and len(args.runs) < 2:
        parser.error("compare needs at least two run files or two study files")
    # Imported here, not at the top: --help stays instant and summary/table do not load matplotlib.
    from . import io
    try:
        if args.command == "compare":
            kinds = {p: io.file_kind(p) for p in args.runs}
            if len(set(kinds.values())) > 1:
                named = lambda kind: ", ".join(p for p, k in kinds.items() if k == kind)  # noqa: E731
                print(f"error: compare needs files of one kind, run files or study files, not both "
                      f"(run files: {named('run')}; study files: {named('study')})", file=sys.stderr)
                return 2
        if args.command == "discover":
            from . import discovery
            print(discovery.discover(args.study, outcome=args.outcome, out_dir=args.output, arm=args.arm,
                                     threshold=args.threshold), end="")
            if args.output:
                print(f"Wrote {args.output}", file=sys.stderr)
        elif args.command == "summary":
            from . import document, narrative, study_narrative
            if io.file_kind(args.run) == "study":
                doc = study_narrative.study_summary_document(io.open_study(args.run))
            else:
                doc = narrative.summary_document(io.open_run(args.run))
            print(document.to_text(doc), end="")
        elif args.command == "table":
            if io.file_kind(args.run) == "study":
                frame = io.study_run_table(io.open_study(args.run))
            else:
                frame = io.run_series_table(io.open_run(args.run))
            if args.output:
                frame.to_csv(args.output, index=False)
                print(f"Wrote {args.output} ({len(frame):,} rows)", file=sys.stderr)
            else:
                try:
                    frame.to_csv(sys.stdout, index=False)
                    sys.stdout.flush()
                except BrokenPipeError:  # `... | head`: the reader has enough
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            from . import report
            if args.command == "report":
                print(f"Wrote {report.write_report(args.run, args.output, args.reference)}")
            else:
                print(f"Wrote {report.write_compare(args.runs, args.output)}")
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
