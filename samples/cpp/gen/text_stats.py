#!/usr/bin/env python3
"""Regenerate samples/cpp/text_stats.tests/*.in (seeded, deterministic)."""
import os
import random
import sys

# Document lengths per test; the last ones are the large inputs.
TESTS = [
    [40000], [28000, 28000], [32000, 8000, 20000], [36000], [12000] * 8,
    [30000, 100, 0, 14000], [27000, 27000, 6000], [38000], [26000, 26000],
    [19000] * 4, [38000, 12000], [80000], [60000, 40000, 30000], [45000] * 3,
]

SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re",
             "si", "to", "vu", "wa", "xe", "yo", "za", "th", "sh", "aa", "ee", "oo"]


def document(rng, length):
    style = rng.randint(0, 3)
    parts = []
    size = 0
    depth = 0
    while size < length:
        if style == 0:
            w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        elif style == 1:
            w = "".join(rng.choice("abc") * rng.randint(1, 6) for _ in range(rng.randint(1, 5)))
        elif style == 2:
            w = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;!?")
                        for _ in range(rng.randint(1, 10)))
        else:
            w = rng.choice(["Lorem", "ipsum", "dolor", "sit", "amet", "(see", "above)", "zzz", "Oooh", "..."])
        r = rng.random()
        if r < 0.05:
            w = "(" + w
            depth += 1
        elif r < 0.10 and (depth > 0 or rng.random() < 0.1):
            w = w + ")"
            depth -= 1
        parts.append(w)
        size += len(w) + 1
    text = " ".join(parts)[:length]
    return text.rstrip(" ") if rng.random() < 0.5 else text


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "text_stats.tests")
    os.makedirs(out, exist_ok=True)
    for i, lengths in enumerate(TESTS, 1):
        rng = random.Random(3000 + i)
        docs = [document(rng, n) for n in lengths]
        with open(os.path.join(out, f"{i:02d}.in"), "w") as f:
            f.write(f"{len(docs)}\n" + "".join(d + "\n" for d in docs))


if __name__ == "__main__":
    main()
