"""Command line: `/usr/bin/python3 -m analysis {report,compare,summary} ...` (see analysis/README.md)."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m analysis",
                                     description="Figures and a classroom report from Polarity run files (.h5).")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="figures, index.html and report.md for one run")
    report.add_argument("run", help="a run file written by `polarity run`")
    report.add_argument("-o", "--output", required=True, help="folder to write (created if needed)")
    compare = commands.add_parser("compare", help="overlay several runs and tabulate their outcomes")
    compare.add_argument("runs", nargs="+", help="two or more run files")
    compare.add_argument("-o", "--output", required=True, help="folder to write (created if needed)")
    summary = commands.add_parser("summary", help="print the outcome of one run")
    summary.add_argument("run", help="a run file written by `polarity run`")
    args = parser.parse_args(argv)

    if args.command == "compare" and len(args.runs) < 2:
        parser.error("compare needs at least two run files")
    # Imported here, not at the top: --help stays instant and summary does not load matplotlib.
    try:
        if args.command == "summary":
            from . import document, io, narrative
            print(document.to_text(narrative.summary_document(io.open_run(args.run))), end="")
        else:
            from . import report
            if args.command == "report":
                print(f"Wrote {report.write_report(args.run, args.output)}")
            else:
                print(f"Wrote {report.write_compare(args.runs, args.output)}")
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
