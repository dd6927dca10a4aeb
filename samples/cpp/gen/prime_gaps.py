#!/usr/bin/env python3
"""Regenerate samples/cpp/prime_gaps.tests/*.in (seeded, deterministic)."""
import os
import random
import sys

# Per test: list of (number of windows, magnitude of R, max window length); last ones are large.
TESTS = [
    [(50, 10**6, 20000)], [(25, 10**7, 10000)], [(500, 10**5, 2000), (12, 10**8, 3000)],
    [(28, 10**9, 1500)], [(120, 10**6, 8000)], [(7, 10**6, 10**5)],
    [(35, 10**7, 8000), (100, 100, 100)], [(25, 10**8, 4000)], [(80, 2 * 10**6, 10000)],
    [(8, 10**9, 3000), (18, 10**6, 20000)], [(70, 5 * 10**6, 6000)],
    [(60, 10**8, 12000)], [(40, 10**9, 6000)], [(150, 10**7, 12000)],
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "prime_gaps.tests")
    os.makedirs(out, exist_ok=True)
    for t, groups in enumerate(TESTS, 1):
        rng = random.Random(7000 + t)
        windows = []
        for count, top, maxlen in groups:
            for _ in range(count):
                length = rng.randint(maxlen // 2, maxlen)
                hi = rng.randint(min(top, length), top)
                lo = max(1, hi - length + 1)
                windows.append((lo, hi))
        rng.shuffle(windows)
        with open(os.path.join(out, f"{t:02d}.in"), "w") as f:
            f.write(f"{len(windows)}\n" + "".join(f"{lo} {hi}\n" for lo, hi in windows))


if __name__ == "__main__":
    main()
