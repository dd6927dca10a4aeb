#!/usr/bin/env python3
"""Regenerate samples/cpp/stock_streaks.tests/*.in (seeded, deterministic)."""
import os
import random
import sys

# Number of days per stock for each test; the last ones are the large inputs.
TESTS = [
    [4000], [3000, 3000], [3500, 100, 2000], [4200], [1500] * 8, [4600, 1, 2],
    [3500, 3000], [2200] * 4, [4000, 500], [3500, 2000], [5200], [8000],
    [6500, 5500], [8500, 4000, 2000],
]


def prices(rng, n):
    style = rng.randint(0, 3)
    if style == 0:  # random
        return [rng.randint(1, 10**9) for _ in range(n)]
    if style == 1:  # random walk
        x, out = 5 * 10**8, []
        for _ in range(n):
            x = max(1, min(10**9, x + rng.randint(-10**6, 10**6)))
            out.append(x)
        return out
    if style == 2:  # few distinct values
        return [rng.randint(1, 50) for _ in range(n)]
    # upward trend with noise
    return [max(1, min(10**9, i * 50000 + rng.randint(-10**7, 10**7))) for i in range(n)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "stock_streaks.tests")
    os.makedirs(out, exist_ok=True)
    for i, sizes in enumerate(TESTS, 1):
        rng = random.Random(5000 + i)
        lines = [str(len(sizes))]
        for n in sizes:
            lines.append(str(n))
            lines.append(" ".join(map(str, prices(rng, n))))
        with open(os.path.join(out, f"{i:02d}.in"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
