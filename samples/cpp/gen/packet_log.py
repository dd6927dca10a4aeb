#!/usr/bin/env python3
"""Regenerate samples/cpp/packet_log.tests/*.in (seeded, deterministic)."""
import os
import random
import sys

# Per test: list of logs, ("L", n) explicit or ("G", n) generated; last ones are large.
TESTS = [
    [("G", 22000)], [("L", 6000), ("G", 18000)], [("G", 16000), ("G", 16000)], [("L", 22000)],
    [("G", 20000)], [("L", 3000)] * 4 + [("G", 18000)], [("G", 22000), ("L", 8000)],
    [("G", 11000)] * 3, [("L", 10000), ("G", 18000)], [("G", 25000)], [("G", 6000)] * 6,
    [("G", 85000)], [("G", 40000), ("G", 20000), ("L", 8000)], [("G", 55000)],
]


def log_lines(rng, kind, n):
    if kind == "L":
        band = rng.choice([2 * n, 10 * n, 2 ** 40])
        base = rng.randint(0, 2 ** 40 - band)
        ids = [base + rng.randint(0, band - 1) for _ in range(n)]
        k = 2 * base + band
        return [f"L {n} {k}", " ".join(map(str, ids))]
    # full-period LCG modulo a power of two (a = 1 mod 4, b odd): ids repeat
    # only when n exceeds m
    e = rng.choice([n.bit_length() - 1, n.bit_length() + 1, 31])
    m = 2 ** e
    a = (4 * rng.randint(1, m // 4 - 1) + 1) % m
    b = 2 * rng.randint(0, m // 2 - 1) + 1
    x0 = rng.randint(0, m - 1)
    k = rng.randint(0, m)
    return [f"G {n} {k} {x0} {a} {b} {m}"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "packet_log.tests")
    os.makedirs(out, exist_ok=True)
    for i, logs in enumerate(TESTS, 1):
        rng = random.Random(4000 + i)
        lines = [str(len(logs))]
        for kind, n in logs:
            lines += log_lines(rng, kind, n)
        with open(os.path.join(out, f"{i:02d}.in"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
