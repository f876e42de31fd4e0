"""The Python side of `cargo bench --bench reading`: the same cases, on the
same files, as a user of h5py or netCDF4-python would write them.

    python reading.py RECORDS WINDOW_START WINDOW LOOKUPS WHOLE_RUNS WINDOW_RUNS \
        FORMAT RECORDS_FILE BIG_FILE [FORMAT RECORDS_FILE BIG_FILE ...]

FORMAT is `h5` (read with h5py) or `nc` (read with netCDF4-python, with
auto-masking and scaling off so that it returns plain numbers, as qnd
does). RECORDS_FILE holds `time` and `v`, RECORDS records each (record k
at time k * 0.01, v = (3k mod 1001)); BIG_FILE holds the 1-d f8 dataset
`x` (x[i] = i mod 4093). Both files are opened before any case is timed.
It prints one line per case, `py/FORMAT/CASE SECONDS`:

- `whole`: `ds[:]` of `v` (median of WHOLE_RUNS runs);
- `goto_scalar`: `v[k]` for every record k, the dataset kept;
- `nearest`: the time array read once (`t = time[:]`), then LOOKUPS times
  `k = np.argmin(np.abs(t - x))` and `v[k]` (the lookups of reading.rs);
- `window`: `x[a:a + WINDOW]` (median of WINDOW_RUNS runs).

Every value read is checked; a wrong one is an error (exit status 1).
Run by the bench itself, once per round; it needs h5py, netCDF4 and numpy.
"""

import sys
import time

import h5py
import netCDF4
import numpy as np


def v_of(k):
    return float((k * 3) % 1001)


def median(xs):
    return sorted(xs)[len(xs) // 2]


def median_of(runs, f, check_result):
    """The median of `runs` timed runs of `f`, after one run not counted
    whose result `check_result` checks (outside the time)."""
    check_result(f())
    secs = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        secs.append(time.perf_counter() - t)
    return median(secs)


def once(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def check(what, ok):
    if not ok:
        raise SystemExit(f"reading.py: {what}: wrong values read")


def open_file(fmt, path):
    """The open file, and a function from a name to its dataset."""
    if fmt == "h5":
        f = h5py.File(path, "r")
        return f, lambda name: f[name]
    if fmt == "nc":
        f = netCDF4.Dataset(path, "r")
        f.set_auto_maskandscale(False)
        return f, lambda name: f.variables[name]
    raise SystemExit(f"reading.py: unknown format {fmt!r}")


def cases(fmt, records_file, big_file, n, a, window, lookups, whole_runs, window_runs):
    rf, rget = open_file(fmt, records_file)
    bf, bget = open_file(fmt, big_file)
    v = rget("v")
    tvar = rget("time")
    x = bget("x")
    out = []

    expected = np.array([v_of(k) for k in range(n)])

    def whole():
        return v[:]

    def check_whole(got):
        check("whole", got.shape == (n,) and np.array_equal(got, expected))

    out.append(("whole", median_of(whole_runs, whole, check_whole)))

    total = sum(v_of(k) for k in range(n))
    acc = [0.0]

    def goto_scalar():
        s = 0.0
        for k in range(n):
            s += v[k]
        acc[0] = s

    out.append(("goto_scalar", once(goto_scalar)))
    check("goto_scalar", acc[0] == total)

    records = [(i * 7919) % n for i in range(lookups)]
    queries = [k * 0.01 + 0.003 for k in records]
    total = sum(v_of(k) for k in records)

    def nearest():
        t = tvar[:]
        s = 0.0
        for q in queries:
            k = np.argmin(np.abs(t - q))
            s += v[k]
        acc[0] = s

    out.append(("nearest", once(nearest)))
    check("nearest", acc[0] == total)

    wexpected = np.arange(a, a + window) % 4093

    def window_read():
        return x[a : a + window]

    def check_window(got):
        check("window", got.shape == (window,) and np.array_equal(got, wexpected))

    out.append(("window", median_of(window_runs, window_read, check_window)))
    rf.close()
    bf.close()
    return out


def main(argv):
    if len(argv) < 10 or (len(argv) - 7) % 3 != 0:
        raise SystemExit(__doc__)
    n, a, window, lookups, whole_runs, window_runs = (int(s) for s in argv[1:7])
    for i in range(7, len(argv), 3):
        fmt, records_file, big_file = argv[i : i + 3]
        for case, secs in cases(
            fmt, records_file, big_file, n, a, window, lookups, whole_runs, window_runs
        ):
            print(f"py/{fmt}/{case} {secs:.6f}")


if __name__ == "__main__":
    main(sys.argv)
