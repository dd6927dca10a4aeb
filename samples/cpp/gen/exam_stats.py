#!/usr/bin/env python3
"""Regenerate samples/cpp/exam_stats.tests/*.in (seeded, deterministic)."""
import os
import random
import sys

# Each test: list of exams (N students, Q questions); the last ones are large.
TESTS = [
    [(22000, 2800)], [(24000, 2200)], [(20000, 1500), (22000, 1500)], [(30000, 1500)],
    [(20000, 1800), (25000, 1200)], [(20000, 3500)], [(26000, 2600)], [(21000, 3000)],
    [(28000, 2000)], [(22000, 2800)], [(35000, 1400)], [(40000, 6000)],
    [(30000, 9000)], [(60000, 3000), (35000, 2000)],
]


def exam(rng, n, q):
    style = rng.randint(0, 2)
    if style == 0:
        scores = [rng.randint(0, 10**6) for _ in range(n)]
    elif style == 1:
        scores = [max(0, min(10**6, int(rng.gauss(600000, 150000)))) for _ in range(n)]
    else:
        scores = [rng.randint(0, 100) * 10000 for _ in range(n)]
    out = [f"{n} {q}", " ".join(map(str, scores))]
    for _ in range(q):
        r = rng.random()
        if r < 0.35:
            a, b = sorted(rng.randint(0, 10**6) for _ in range(2))
            out.append(f"C {a} {b}")
        elif r < 0.55:
            out.append(f"K {rng.randint(0, n + 1)}")
        elif r < 0.75:
            out.append(f"R {rng.randint(0, 10**6)}")
        else:
            a, b = sorted(rng.randint(0, 10**6) for _ in range(2))
            out.append(f"M {a} {b}")
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "exam_stats.tests")
    os.makedirs(out, exist_ok=True)
    for i, exams in enumerate(TESTS, 1):
        rng = random.Random(2000 + i)
        lines = [str(len(exams))]
        for n, q in exams:
            lines += exam(rng, n, q)
        with open(os.path.join(out, f"{i:02d}.in"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
