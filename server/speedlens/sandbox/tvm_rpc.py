"""The remote half of TVM measurement: libraries the sandboxed worker built, run on a device of TVM's RPC tracker.

Run as ``python3 -m speedlens.sandbox.tvm_rpc PLAN.json`` by ``sandbox/tvm.py`` *outside* the sandbox, because it
needs the network (the tracker and the device) and the sandbox has none. That is safe only because nothing here
executes what the user wrote or what was generated from it: the user's module was imported, scheduled, built and
linked by the worker, in the sandbox, and this process only reads the files it left (refusing symlinks, so the
worker cannot point it at a host file to upload) and sends their bytes to the device, whose ``rpc_server`` loads
and runs them. The device runs generated code by design; README.md ("Tuning for a remote device") says what it
trusts. It prints one JSON object on stdout.

Plan (written by ``sandbox/tvm.py``, never by the worker)::

    {"dir": "/work/export", "host": "127.0.0.1", "port": 9190, "key": "rasp4",
     "variants": [["baseline", "baseline.so", ["A", "B", "C"]], ["c1", "0.so", ["A", "B", "C"]], ...],
     "seed": 0, "repeats": 10,
     "min_repeat_ms": 20, "check": true, "time": true, "session_timeout_s": 600}

Reply: ``{"ok": true, "device": "rasp4 via 127.0.0.1:9190", "baseline": {"times": [...]}, "results": [{"id",
"status", "detail", "times", "max_error"}]}``, or ``{"ok": false, "stage": "rpc" | "run", "detail": ...}``.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from speedlens.sandbox.tvm_worker import Variant, answer, check_variants, short_error, time_interleaved

TRACKER_CONNECT_TIMEOUT_S = 10  # a reachable tracker answers a connect in milliseconds


class PlanError(Exception):
    """The worker's files are not what the plan expects (missing, or a symlink out of the work dir)."""


def read_plain(directory: Path, name: str) -> bytes:
    """The bytes of ``directory/name``, a regular file that is no symlink and whose path has none.

    The worker wrote the directory and could have left a link to any file this (unsandboxed) process can read;
    following it would upload that file to the device. The worker's process tree is gone when this runs, so what
    is checked is what is read.
    """
    path = directory / name
    if "/" in name or path.resolve() != path.absolute() or not path.is_file():
        raise PlanError(f"{name} is missing or not a plain file in {directory}")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as file:
        return file.read()


def load_inputs(directory: Path) -> list:
    """The seeded inputs the worker saved: arrays only (``allow_pickle=False``: no object is unpickled)."""
    import io

    import numpy as np

    with np.load(io.BytesIO(read_plain(directory, "inputs.npz")), allow_pickle=False) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


def connect(plan: dict):
    """A session on a device of the tracker registered under the plan's key; PlanError says why there is none."""
    from tvm import rpc

    where = f"the RPC tracker at {plan['host']}:{plan['port']}"
    try:  # TVM's own connect retries a refused connection for a minute; a user should hear at once
        socket.create_connection((plan["host"], int(plan["port"])), timeout=TRACKER_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise PlanError(f"could not reach {where}: {exc.strerror or exc}") from None
    try:
        tracker = rpc.connect_tracker(plan["host"], int(plan["port"]))
    except Exception as exc:  # noqa: BLE001 - socket errors, a server that is not a tracker
        raise PlanError(f"could not reach {where}: {short_error(exc)}") from None
    summary = tracker.summary()
    keys = {str(k) for k in summary.get("queue_info", {})}
    if plan["key"] not in keys:
        known = ", ".join(sorted(keys)) or "none"
        raise PlanError(f"{where} has no device registered under key {plan['key']!r} (keys it has: {known})")
    try:
        return tracker.request(plan["key"], priority=0, session_timeout=int(plan.get("session_timeout_s", 0)))
    except Exception as exc:  # noqa: BLE001
        raise PlanError(f"{where} gave no {plan['key']!r} device: {short_error(exc)}") from None


def handle(plan: dict) -> dict:
    """Upload every library, check each candidate's outputs against the original's on the device, time them."""
    directory = Path(plan["dir"])
    try:
        inputs = load_inputs(directory)
        session = connect(plan)
        variants = []
        for ident, name, params in plan["variants"]:
            session.upload(bytearray(read_plain(directory, name)), target=name)
            variant = Variant(str(ident), params=list(params))
            variant.lib = session.load_module(name)
            variants.append(variant)
    except PlanError as exc:
        return {"ok": False, "stage": "rpc", "detail": str(exc)}
    dev = session.cpu()
    baseline, candidates = variants[0], variants[1:]
    if not check_variants(baseline, candidates, inputs, dev, plan):
        return {"ok": False, "stage": "run", "detail": f"the original, on the device: {baseline.detail}"}
    if plan.get("time", True):
        time_interleaved([baseline, *[v for v in candidates if v.alive]], inputs, dev, plan, local=False)
    results = []
    for v in candidates:
        result: dict[str, object] = {"id": v.id, "status": v.status, "detail": v.detail, "times": v.times}
        if v.max_error is not None:
            result["max_error"] = v.max_error
        results.append(result)
    device = f"{plan['key']} via {plan['host']}:{plan['port']}"
    return {"ok": True, "device": device, "baseline": {"times": baseline.times}, "results": results}


def main(argv: list[str]) -> int:
    return answer(argv, handle, "rpc", "tvm_rpc")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
