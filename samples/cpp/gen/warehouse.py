#!/usr/bin/env python3
"""Regenerate samples/cpp/warehouse.tests/*.in (seeded, deterministic).

Expected outputs (*.out) are produced by running the original program and are
checked in beside the inputs; regenerate them with
    for f in warehouse.tests/*.in; do ./warehouse < $f > ${f%.in}.out; done
"""
import os
import random
import sys

# (n shelves, m commands, share of updates) per test; the last ones are large.
TESTS = [(60000, 6000, 0.1), (80000, 4500, 0.0), (40000, 8000, 0.2), (70000, 5500, 0.05),
         (50000, 8000, 0.3), (100000, 4000, 0.1), (65000, 6000, 0.0), (30000, 12000, 0.1),
         (90000, 4500, 0.2), (55000, 6500, 0.1), (75000, 5000, 0.15), (120000, 20000, 0.1),
         (100000, 22000, 0.05), (150000, 15000, 0.1)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "warehouse.tests")
    os.makedirs(out, exist_ok=True)
    for t, (n, m, upd) in enumerate(TESTS, 1):
        rng = random.Random(6000 + t)
        lines = [f"{n} {m} {rng.randint(1, 2**31 - 2)}"]
        for _ in range(m):
            if rng.random() < upd:
                lines.append(f"U {rng.randint(1, n)} {rng.randint(0, 10**6)} {rng.randint(1, 10**4)}")
                continue
            left = rng.randint(1, n)
            right = rng.randint(left, n) if rng.random() < 0.7 else min(n, left + rng.randint(0, 100))
            lines.append(f"{rng.choice('VXA')} {left} {right}")
        with open(os.path.join(out, f"{t:02d}.in"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
