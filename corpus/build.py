#!/usr/bin/env python3
"""Pack the hand-written slow->fast pairs in corpus/pairs/ into the bundled PIE-format jsonl, gzipped.

Usage:
    python3 corpus/build.py              # (re)write server/speedlens/retrieval/data/bundled.jsonl.gz
    python3 corpus/build.py --check      # exit 1 if the jsonl is out of date with the sources
    python3 corpus/build.py --measure    # compile + time every pair, store results in corpus/measurements.json,
                                         # then rebuild (the jsonl then carries speedup / *_agg_runtime)
    python3 corpus/build.py --measure --only 007-foo 012-bar   # measure some pairs only
    python3 corpus/build.py --verify     # run speedlens's own verifier on every pair whose sources changed since
                                         # it was last verified; record the verdicts in corpus/verified.json

Standard library only. The output is deterministic: pairs sorted by directory name, inputs sorted numerically,
keys in a fixed order; --check compares the uncompressed text (gzip's bytes may differ between zlib versions,
the text does not). The package ships it compressed so it does not carry the pairs' sources twice.
Measurements are kept in corpus/measurements.json keyed by pair directory together with a hash of the pair's
sources and inputs; a stale measurement (sources changed since) is silently left out, so the default build never
depends on timing.
Verdicts are kept in corpus/verified.json, keyed the same way. Every pair must have a current one: --check fails on
a pair added or changed without running --verify, so a fast version that is wrong or not faster cannot slip in (the
test suite re-verifies a few pairs on every run; all of them take ~15 minutes, which is too long for each CI run).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
REPO = CORPUS.parent
PAIRS = CORPUS / "pairs"
OUT = REPO / "server" / "speedlens" / "retrieval" / "data" / "bundled.jsonl.gz"
MEASUREMENTS = CORPUS / "measurements.json"
VERIFIED = CORPUS / "verified.json"
MIN_SPEEDUP_LOWER = 1.1  # a pair's fast version must verify at least this much faster (lower conformal bound)

MIN_INPUTS = 5
# PIE's edit categories as we name them (informational; any lower_snake_case name is accepted):
# algorithmic, io, data_structure, memoization_dp, math, memory_locality, avoid_copies, early_exit,
# precomputation, bit_tricks
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CXX = os.environ.get("CXX", "g++")
CXXFLAGS = ["-O2", "-std=c++17"]


class PairError(Exception):
    pass


def _input_key(p: Path):
    m = re.match(r"(\d+)", p.stem)
    return (0, int(m.group(1)), p.name) if m else (1, 0, p.name)


def _read(p: Path) -> str:
    with open(p, encoding="utf-8", newline="") as f:  # keep bytes exactly (no newline translation)
        return f.read()


def load_pair(d: Path) -> dict:
    """Read one pair directory; raises PairError with a readable reason if it is malformed."""
    for name in ("slow.cpp", "fast.cpp", "meta.json"):
        if not (d / name).is_file():
            raise PairError(f"{d.name}: missing {name}")
    try:
        meta = json.loads(_read(d / "meta.json"))
    except json.JSONDecodeError as e:
        raise PairError(f"{d.name}: meta.json is not valid JSON: {e}") from None
    for key in ("problem_id", "category", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise PairError(f"{d.name}: meta.json needs a non-empty string {key!r}")
    if not CATEGORY_RE.match(meta["category"]):
        raise PairError(f"{d.name}: category {meta['category']!r} must be lower_snake_case")
    inputs = sorted((d / "inputs").glob("*.in"), key=_input_key) if (d / "inputs").is_dir() else []
    if len(inputs) < MIN_INPUTS:
        raise PairError(f"{d.name}: needs at least {MIN_INPUTS} inputs/*.in, has {len(inputs)}")
    return {
        "dir": d.name,
        "problem_id": meta["problem_id"].strip(),
        "category": meta["category"],
        "description": meta["description"].strip(),
        "src_code": _read(d / "slow.cpp"),
        "tgt_code": _read(d / "fast.cpp"),
        "inputs": [_read(p) for p in inputs],
        "input_names": [p.name for p in inputs],
    }


def pair_hash(pair: dict) -> str:
    h = hashlib.sha256()
    for part in [pair["src_code"], pair["tgt_code"], *pair["inputs"]]:
        b = part.encode("utf-8")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def load_pairs() -> list[dict]:
    if not PAIRS.is_dir():
        return []
    pairs, errors, seen = [], [], {}
    for d in sorted(p for p in PAIRS.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            pair = load_pair(d)
        except PairError as e:
            errors.append(str(e))
            continue
        if pair["problem_id"] in seen:
            errors.append(f"{d.name}: problem_id {pair['problem_id']!r} already used by {seen[pair['problem_id']]}")
            continue
        seen[pair["problem_id"]] = d.name
        pairs.append(pair)
    if errors:
        raise PairError("\n".join(errors))
    return pairs


def load_measurements(path: Path = MEASUREMENTS) -> dict:
    if path.is_file():
        return json.loads(_read(path))
    return {}


def unverified(pairs: list[dict], verified: dict) -> list[str]:
    """Pairs without a current passing verdict: never verified, changed since, or verified too slow / wrong."""
    bad = []
    for pair in pairs:
        v = verified.get(pair["dir"])
        if not v or v.get("hash") != pair_hash(pair):
            bad.append(f"{pair['dir']}: not verified since its sources changed; run python3 corpus/build.py --verify")
        elif v.get("status") != "verified" or v.get("speedup_lower", 0) < MIN_SPEEDUP_LOWER:
            bad.append(f"{pair['dir']}: {v.get('status')} ({v.get('detail', '')}); fix the pair and --verify again")
    return bad


def verify_pair(pair: dict) -> dict:
    """speedlens's verifier (sandbox, sanitizers, interleaved timing, conformal bound) on the pair's fast version.

    Imported here so packing and checking stay standard-library only; --verify needs the package installed."""
    import asyncio

    from speedlens.config import Settings, apply_overrides
    from speedlens.testcases import cases_in
    from speedlens.verify import CppVerifier

    settings = apply_overrides(
        Settings(), {"timing": {"min_time_ms": 1, "min_repetitions": 3, "max_repetitions": 8, "budget_s": 4}}
    )
    with tempfile.TemporaryDirectory(prefix="speedlens-corpus-") as tmp:
        slow = Path(tmp) / "slow.cpp"
        slow.write_text(pair["src_code"], encoding="utf-8")
        tests = Path(tmp) / "slow.tests"
        tests.mkdir()
        for i, data in enumerate(pair["inputs"]):
            (tests / f"{i + 1}.in").write_text(data, encoding="utf-8")
        verifier = CppVerifier(settings)

        async def run():
            baseline = await verifier.baseline(pair["src_code"], slow, cases_in(tests))
            return await verifier.verify(baseline, pair["tgt_code"])

        verdict = asyncio.run(run())
    return {
        "hash": pair_hash(pair),
        "status": verdict.status.value,
        "speedup": round(verdict.speedup or 0.0, 2),
        "speedup_lower": round(verdict.speedup_lower or 0.0, 2),
        "detail": verdict.detail[:300],
    }


def record(pair: dict, measurements: dict) -> dict:
    pid = pair["problem_id"]
    rec = {
        "problem_id": pid,
        "src_id": f"{pid}-slow",
        "tgt_id": f"{pid}-fast",
        "src_code": pair["src_code"],
        "tgt_code": pair["tgt_code"],
        "category": pair["category"],
        "description": pair["description"],
        "inputs": pair["inputs"],
    }
    m = measurements.get(pair["dir"])
    if m and m.get("hash") == pair_hash(pair):
        rec["src_agg_runtime"] = m["src_agg_runtime"]
        rec["tgt_agg_runtime"] = m["tgt_agg_runtime"]
        rec["speedup"] = m["speedup"]
    return rec


def render(pairs: list[dict], measurements: dict) -> str:
    return "".join(json.dumps(record(p, measurements), ensure_ascii=False) + "\n" for p in pairs)


# --------------------------------------------------------------------------------------------- measuring

def _compile(src: str, exe: Path) -> None:
    cpp = exe.with_suffix(".cpp")
    cpp.write_text(src, encoding="utf-8")
    r = subprocess.run([CXX, *CXXFLAGS, "-o", str(exe), str(cpp)], capture_output=True, text=True)
    if r.returncode != 0:
        raise PairError(f"compile failed for {exe.name}:\n{r.stderr[-2000:]}")


def _run(exe: Path, stdin_path: Path, timeout: float = 20.0) -> tuple[bytes, float]:
    """Run exe < stdin_path; return (stdout, user+sys CPU seconds of the child)."""
    with open(stdin_path, "rb") as fin, tempfile.TemporaryFile() as fout:
        proc = subprocess.Popen([str(exe)], stdin=fin, stdout=fout, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise PairError(f"{exe.name} timed out on {stdin_path.name}")
            time.sleep(0.002)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise PairError(f"{exe.name} exited with {proc.returncode} on {stdin_path.name}")
        fout.seek(0)
        return fout.read(), ru.ru_utime + ru.ru_stime


def measure_pair(pair: dict, reps: int = 5) -> dict:
    """Compile both versions, check identical outputs, return per-input median CPU times (seconds)."""
    d = PAIRS / pair["dir"]
    with tempfile.TemporaryDirectory(prefix="speedlens-corpus-") as tmp:
        tmp = Path(tmp)
        slow, fast = tmp / "slow", tmp / "fast"
        _compile(pair["src_code"], slow)
        _compile(pair["tgt_code"], fast)
        src_t, tgt_t = [], []
        for name in pair["input_names"]:
            inp = d / "inputs" / name
            out_s, _ = _run(slow, inp)
            out_f, _ = _run(fast, inp)
            if out_s != out_f:
                raise PairError(f"{pair['dir']}: outputs differ on {name}")
            ts, tf = [], []
            for _ in range(reps):  # interleave so drift hits both versions alike
                ts.append(_run(slow, inp)[1])
                tf.append(_run(fast, inp)[1])
            src_t.append(statistics.median(ts))
            tgt_t.append(statistics.median(tf))
    src_agg, tgt_agg = sum(src_t), sum(tgt_t)
    return {
        "hash": pair_hash(pair),
        "src_agg_runtime": round(src_agg, 4),
        "tgt_agg_runtime": round(tgt_agg, 4),
        "speedup": round(src_agg / max(tgt_agg, 1e-4), 2),
        "per_input_ms": [[round(a * 1000, 1), round(b * 1000, 1)] for a, b in zip(src_t, tgt_t, strict=True)],
    }


# ------------------------------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="exit 1 if the jsonl is out of date")
    ap.add_argument("--measure", action="store_true", help="compile and time pairs (g++ -O2 -std=c++17)")
    ap.add_argument("--only", nargs="*", default=None, help="with --measure: pair directory names to measure")
    ap.add_argument("--reps", type=int, default=5, help="with --measure: timed runs per input and version")
    ap.add_argument("--verify", action="store_true",
                    help="verify pairs changed since their last verdict with speedlens (--all: every pair)")
    ap.add_argument("--all", action="store_true", help="with --verify: re-verify every pair")
    ap.add_argument("--out", type=Path, default=OUT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    try:
        pairs = load_pairs()
    except PairError as e:
        print(f"build.py: malformed pairs:\n{e}", file=sys.stderr)
        return 2

    measurements = load_measurements()
    if args.measure:
        if shutil.which(CXX) is None:
            print(f"build.py: {CXX} not found", file=sys.stderr)
            return 2
        wanted = set(args.only) if args.only else None
        for pair in pairs:
            if wanted is not None and pair["dir"] not in wanted:
                continue
            try:
                m = measure_pair(pair, reps=args.reps)
            except PairError as e:
                print(f"build.py: {e}", file=sys.stderr)
                return 2
            measurements[pair["dir"]] = m
            print(f"{pair['dir']:40s} slow {m['src_agg_runtime'] * 1000:8.1f} ms  "
                  f"fast {m['tgt_agg_runtime'] * 1000:8.1f} ms  x{m['speedup']}")
        known = {p["dir"] for p in pairs}
        measurements = {k: v for k, v in sorted(measurements.items()) if k in known}
        MEASUREMENTS.write_text(json.dumps(measurements, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    verified = load_measurements(VERIFIED)
    if args.verify:
        for pair in pairs:
            current = verified.get(pair["dir"], {}).get("hash") == pair_hash(pair)
            if current and not args.all:
                continue
            verified[pair["dir"]] = v = verify_pair(pair)
            print(f"{pair['dir']:40s} {v['status']:12s} x{v['speedup']} (>= x{v['speedup_lower']})", flush=True)
        known = {p["dir"] for p in pairs}
        verified = {k: v for k, v in sorted(verified.items()) if k in known}
        VERIFIED.write_text(json.dumps(verified, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    text = render(pairs, measurements)
    if args.check:
        problems = unverified(pairs, verified)
        if problems:
            print("build.py: pairs without a current verified verdict:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        current = gzip.decompress(args.out.read_bytes()).decode("utf-8") if args.out.is_file() else None
        if current != text:
            print(f"build.py: {args.out} is out of date; run python3 corpus/build.py", file=sys.stderr)
            return 1
        print(f"build.py: {args.out.name} is up to date ({len(pairs)} pairs)")
        return 0

    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))  # mtime=0: same text, same bytes
    os.replace(tmp, args.out)
    print(f"build.py: wrote {len(pairs)} pairs to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
