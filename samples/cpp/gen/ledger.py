#!/usr/bin/env python3
"""Regenerate samples/cpp/ledger.tests/*.in (seeded, deterministic)."""
import os
import random
import sys

# (N accounts, Q operations) per test; the last ones are the large inputs.
SIZES = [(50, 8000), (200, 9000), (20, 10000), (10, 8000), (100, 11000),
         (300, 12000), (150, 9500), (1, 8000), (400, 13000), (60, 10500),
         (250, 14000), (500, 45000), (200, 50000), (1000, 60000)]


def make(seed, n, q):
    rng = random.Random(seed)
    lines = [f"{n} {q}"]
    lines.append(" ".join(str(rng.randint(0, 10**6)) for _ in range(n)))
    for _ in range(q):
        r = rng.random()
        a = rng.randint(1, n)
        if r < 0.3:
            lines.append(f"D {a} {rng.randint(1, 10**5)}")
        elif r < 0.55:
            lines.append(f"W {a} {rng.randint(1, 10**6)}")
        elif r < 0.75:
            b = rng.randint(1, n)
            lines.append(f"T {a} {b} {rng.randint(1, 10**6)}")
        elif r < 0.8:
            lines.append(f"B {a}")
        else:
            lines.append(f"H {a} {rng.randint(1, 40)}")
    return "\n".join(lines) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "ledger.tests")
    os.makedirs(out, exist_ok=True)
    for i, (n, q) in enumerate(SIZES, 1):
        with open(os.path.join(out, f"{i:02d}.in"), "w") as f:
            f.write(make(1000 + i, n, q))


if __name__ == "__main__":
    main()
