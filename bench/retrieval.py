"""Retrieval speed: BM25 index build time and query latency at 1K and 50K pairs. Prints ONE JSON line.

The big corpora are made by perturbing the bundled pairs (identifiers renamed, independent lines reordered,
constants changed), written to a temporary jsonl and indexed through the same path as PIE's splits. Queries
are fresh perturbations, so they are similar to, never identical with, corpus entries. Goal: p99 < 20 ms at 50K.

    python bench/retrieval.py [--sizes 1000,50000] [--queries 200] [--k 4] [--seed 0] [--corpus PAIRS.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

# Seeds used only when the package carries no bundled corpus yet.
FALLBACK_SEEDS = [
    "#include <bits/stdc++.h>\nusing namespace std;\nint main() {\n    long long n; cin >> n;\n    long long s = 0;\n"
    "    for (long long i = 1; i <= n; i++) s += i;\n    cout << s << endl;\n}\n",
    "#include <iostream>\n#include <vector>\nusing namespace std;\nint main() {\n    int n; cin >> n;\n"
    "    vector<int> v(n);\n    for (int i = 0; i < n; i++) cin >> v[i];\n    int best = 0;\n"
    "    for (int i = 0; i < n; i++) for (int j = i; j < n; j++) best = max(best, v[j] - v[i]);\n"
    "    cout << best << endl;\n}\n",
    "#include <cstdio>\nlong long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n"
    "int main() { int n; scanf(\"%d\", &n); printf(\"%lld\\n\", fib(n)); }\n",
]

_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")
_NUMBER = re.compile(r"\b\d+\b")


def perturb(code: str, rng: random.Random) -> str:
    """The same program in other clothes: new names, other constants, some independent lines swapped."""
    from speedlens.retrieval.index import KEEP

    names: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        word = m.group()
        if word in KEEP or len(word) == 1 and rng.random() < 0.5:
            return word
        return names.setdefault(word, f"{rng.choice('abcdefghxyz')}{word[:3]}{rng.randrange(1000)}")

    lines = []
    for line in code.splitlines():
        if line.lstrip().startswith("#"):
            lines.append(line)
            continue
        line = _IDENT.sub(rename, line)
        line = _NUMBER.sub(lambda m: str(rng.randrange(1, 1000)) if rng.random() < 0.5 else m.group(), line)
        lines.append(line)
    # Swap adjacent simple statements at the same indent (declarations, assignments): independent enough.
    for i in range(len(lines) - 1):
        a, b = lines[i], lines[i + 1]
        simple = all(x.rstrip().endswith(";") and "{" not in x and "}" not in x and "return" not in x for x in (a, b))
        same_indent = len(a) - len(a.lstrip()) == len(b) - len(b.lstrip())
        if simple and same_indent and rng.random() < 0.3:
            lines[i], lines[i + 1] = b, a
    return "\n".join(lines) + "\n"


def seeds(corpus: str = "") -> tuple[list[tuple[str, str]], str]:
    from speedlens.retrieval.corpus import bundled_corpus, iter_pairs

    if corpus:
        return [(p.src_code, p.tgt_code) for _, p in iter_pairs(Path(corpus))], corpus
    pairs = [(p.src_code, p.tgt_code) for p in bundled_corpus()]
    if pairs:
        return pairs, "bundled"
    return [(s, s) for s in FALLBACK_SEEDS], "fallback"


def write_corpus(path: Path, n: int, base: list[tuple[str, str]], rng: random.Random) -> None:
    with open(path, "w") as f:
        for i in range(n):
            src, tgt = base[i % len(base)]
            record = {"problem_id": f"p{i % len(base)}", "src_id": f"s{i}", "tgt_id": f"t{i}",
                      "src_code": perturb(src, rng), "tgt_code": perturb(tgt, rng)}
            f.write(json.dumps(record) + "\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(n: int, base, queries: int, k: int, seed: int, workdir: Path) -> dict:
    from speedlens.retrieval import index as index_mod

    rng = random.Random(seed)
    path = workdir / f"corpus-{n}.jsonl"
    write_corpus(path, n, base, rng)
    index_mod._indexes.clear()
    t = time.perf_counter()
    index = index_mod.index_for([path])
    build_s = time.perf_counter() - t
    index_mod._indexes.clear()
    t = time.perf_counter()
    index = index_mod.index_for([path])
    load_s = time.perf_counter() - t
    probes = [perturb(base[rng.randrange(len(base))][0], rng) for _ in range(queries)]
    index.search(probes[0], k)  # warm-up
    latencies, cpu = [], []  # wall time, and this thread's CPU time (immune to other load on shared machines)
    for probe in probes:
        t, c = time.perf_counter(), time.thread_time()
        index.search(probe, k)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return {
        "pairs": len(index),
        "corpus_mb": round(path.stat().st_size / 2**20, 1),
        "build_s": round(build_s, 2),
        "cached_load_s": round(load_s, 3),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "cpu_p50_ms": round(percentile(cpu, 0.50), 2),
        "cpu_p99_ms": round(percentile(cpu, 0.99), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,50000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", default="", help="seed pairs from this jsonl instead of the bundled corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="speedlens-bench-retrieval-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # never the user's cache
        from speedlens.retrieval.index import NORMALIZER_VERSION, QUERY_TERMS

        base, origin = seeds(args.corpus)
        results = {
            str(n): measure(n, base, args.queries, args.k, args.seed, Path(tmp))
            for n in (int(s) for s in args.sizes.split(","))
        }
    biggest = results[max(results, key=int)]
    print(json.dumps({
        "bench": "retrieval",
        "unit": "ms (query latency: wall p50/p99, and CPU-time p50/p99), s (build, cached load)",
        "goal": "p99 < 20 ms at 50K pairs",
        "goal_met": biggest["p99_ms"] < 20,  # wall clock: includes whatever else loads the machine
        "goal_met_cpu": biggest["cpu_p99_ms"] < 20,
        "sizes": results,
        "cores": os.cpu_count(),
        "params": {"k": args.k, "queries": args.queries, "seed": args.seed, "seed_pairs": len(base),
                   "seed_origin": origin, "query_terms": QUERY_TERMS, "normalizer": NORMALIZER_VERSION,
                   "terms": "normalized unigrams + bigrams", "backend": "bm25s numpy"},
    }))


if __name__ == "__main__":
    main()
