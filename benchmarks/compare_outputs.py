#!/usr/bin/python3
"""Check that two Polarity output files hold the same results, bit for bit.

    /usr/bin/python3 benchmarks/compare_outputs.py reference.h5 candidate.h5

Compares every dataset (numbers bitwise, NaN-aware; strings exactly; same shape and type),
every attribute except `git_sha` and the source paths (provenance only) and the dimension-scale
bookkeeping (`DIMENSION_LIST`, `REFERENCE_LIST` hold file addresses, which move when storage
changes), and instead each dataset's attached scales by name. Storage (chunked or contiguous,
compressed or not) is not compared: it does not change what a reader gets.

Exit status 0 when identical, 1 otherwise. Used to check that performance work leaves model
results unchanged (benchmarks/README.md).
"""

import sys

import h5py
import numpy as np

SKIPPED_ATTRIBUTES = {"git_sha", "scenario_path", "study_path", "DIMENSION_LIST", "REFERENCE_LIST"}


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc" or a.dtype.names:
        return a.tobytes() == b.tobytes()  # bitwise: -0.0 vs 0.0 and NaN payloads count
    if a.dtype.kind in "OSU":
        return list(a.ravel()) == list(b.ravel())
    return np.array_equal(a, b)


def objects(f):
    found = {}

    def visit(name, obj):
        found[name] = obj  # returning None keeps visititems going

    f.visititems(visit)
    return found


def compare(path_a, path_b):
    problems = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        a, b = objects(fa), objects(fb)
        for name in sorted(set(a) ^ set(b)):
            problems.append("only in one file: /" + name)
        pairs = [("/", fa, fb)] + [("/" + n, a[n], b[n]) for n in sorted(set(a) & set(b))]
        datasets = 0
        for name, x, y in pairs:
            if isinstance(x, h5py.Dataset) != isinstance(y, h5py.Dataset):
                problems.append("dataset in one file, group in the other: " + name)
                continue
            if isinstance(x, h5py.Dataset):
                datasets += 1
                if not same(x[()], y[()]):
                    problems.append("data differ: " + name)
                scales_x = [[s.name for s in d.values()] for d in x.dims]
                scales_y = [[s.name for s in d.values()] for d in y.dims]
                if scales_x != scales_y:
                    problems.append("dimension scales differ: %s %s vs %s" % (name, scales_x, scales_y))
            for attr in sorted((set(x.attrs) | set(y.attrs)) - SKIPPED_ATTRIBUTES):
                if attr not in x.attrs or attr not in y.attrs:
                    problems.append("attribute in one file only: %s@%s" % (name, attr))
                elif not same(x.attrs[attr], y.attrs[attr]):
                    problems.append("attribute differs: %s@%s" % (name, attr))
    for p in problems:
        print(p)
    print("%s vs %s: %d datasets, %d differences" % (path_a, path_b, datasets, len(problems)))
    return not problems


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(0 if compare(sys.argv[1], sys.argv[2]) else 1)
