"""One typed Settings object, layered: defaults < speedlens.toml < editor settings < CLI flags
(ARCHITECTURE.md, "Settings").

Every number carries its valid range (``_number``): a setting out of range, not finite (nan, inf) or of the wrong
type is a ConfigError naming the key, from the CLI, speedlens.toml and the editor alike.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from speedlens.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "speedlens.toml"
RPC_RUNNER = re.compile(r"rpc://(?P<host>[^:/\s]+|\[[0-9a-fA-F:.]+\]):(?P<port>\d{1,5})/(?P<key>[^/\s]+)")


@dataclass(frozen=True)
class RpcRunner:
    """A TVM RPC tracker and the device key to request from it (``tvm.runner = "rpc://HOST:PORT/KEY"``)."""

    host: str
    port: int
    key: str


def parse_runner(text: str) -> RpcRunner | None:
    """``tvm.runner``: None for the local runner, the tracker for ``rpc://HOST:PORT/KEY``; ValueError says why
    anything else is not a runner (the caller names the setting)."""
    text = text.strip()
    if text in ("", "local"):
        return None
    match = RPC_RUNNER.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is neither \"local\" nor rpc://HOST:PORT/KEY")
    port = int(match["port"])
    if not 0 < port < 65536:
        raise ValueError(f"port {port} of {text!r} is not between 1 and 65535")
    return RpcRunner(match["host"].strip("[]"), port, match["key"])



def _number(default: float, low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> Any:
    """A numeric setting and its valid range [low, high] (``low_open`` / ``high_open``: that end excluded)."""
    return field(default=default, metadata={"range": (low, high, low_open, high_open)})


@dataclass
class CppSettings:
    compiler: str = "g++"
    flags: list[str] = field(default_factory=lambda: ["-O2", "-std=c++17"])
    # Use the flags recorded for the file in compile_commands.json when one is found.
    use_compile_commands: bool = True
    # A directory holding compile_commands.json (or the file itself); empty = found as clangd finds it.
    compile_commands: str = ""
    # Record the arguments a CMake project's tests and benchmarks pass a library file's functions (one more build of
    # speedlens's copy per file) and use them as inputs beside the seeded ones.
    record_arguments: bool = True


@dataclass
class SandboxSettings:
    # wall-clock limit per run (the CPU limit is the same number of seconds)
    timeout_s: float = _number(10.0, 0, 86400, low_open=True)
    compile_timeout_s: float = _number(120.0, 0, 86400, low_open=True)
    memory_mb: int = _number(2048, 64, 1 << 30)
    output_mb: int = _number(64, 1, 1 << 20)
    jobs: int = _number(1, 1, 256)


@dataclass
class TimingSettings:
    # inputs on which the original takes less CPU than this are checked, not timed
    min_time_ms: float = _number(10.0, 0, 3.6e6)
    min_repetitions: int = _number(5, 1, 10_000)
    max_repetitions: int = _number(30, 1, 10_000)
    # timing budget per candidate; repetitions grow adaptively inside it
    budget_s: float = _number(60.0, 0, 86400, low_open=True)
    seed: int = _number(0, 0, 2**63 - 1)


@dataclass
class TvmSettings:
    trials: int = _number(64, 1, 100_000)  # measured samples per prim_func, at most
    # the search ends early after this many samples without a schedule 1% faster than its best (0: never)
    patience: int = _number(24, 0, 100_000)
    target: str = ""  # "" = llvm for the host CPU
    seed: int = _number(0, 0, 2**63 - 1)
    # time_evaluator repeats per verification (19 gives the 2nd-worst ratio as the 90% bound)
    repeats: int = _number(19, 1, 10_000)
    # where schedules are measured: "local" (this machine), or "rpc://HOST:PORT/KEY", a device of TVM's RPC
    # tracker at HOST:PORT registered under KEY (README.md, "Tuning for a remote device")
    runner: str = "local"
    # the compiler that links libraries for the remote device ("" = g++); e.g. aarch64-linux-gnu-g++
    cc: str = ""
    # keep measured schedules in a per-device tuning record (user cache) and start the next search from it
    record: bool = True


@dataclass
class Settings:
    model: str = ""  # any litellm model string; empty = offline rules only
    api_base: str = ""
    candidates: int = _number(4, 0, 64)
    feedback_rounds: int = _number(1, 0, 16)
    temperature: float = _number(0.7, 0, 2)
    llm_timeout_s: float = _number(120.0, 0, 86400, low_open=True)
    llm_retries: int = _number(3, 0, 20)
    examples: int = _number(4, 0, 64)  # retrieved PIE pairs per prompt
    chain_of_thought: bool = False
    performance_conditioning: bool = False
    alpha: float = _number(0.1, 0, 1, low_open=True, high_open=True)
    min_speedup: float = _number(1.1, 1, 1e6)
    pie_path: str = ""
    sanitize: bool = True
    float_tolerance: float = _number(0.0, 0, 1)  # 0 = exact comparison
    deterministic: bool = False
    cpp: CppSettings = field(default_factory=CppSettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    timing: TimingSettings = field(default_factory=TimingSettings)
    tvm: TvmSettings = field(default_factory=TvmSettings)
    tests: dict[str, str] = field(default_factory=dict)  # file (relative to root) -> glob of inputs
    root: Path | None = None  # the directory holding speedlens.toml (or the workspace root)

    def fingerprint(self) -> tuple:
        """Everything in the settings that can change a verdict (part of each result's content hash)."""
        data = dataclasses.asdict(self)
        for key in ("root", "jobs"):
            data.pop(key, None)
        data["sandbox"].pop("jobs", None)
        return tuple(sorted((k, repr(v)) for k, v in data.items()))


def find_config(start: Path) -> Path | None:
    """The nearest speedlens.toml in ``start`` or its parents."""
    start = start.resolve()
    for directory in [start, *start.parents] if start.is_dir() else [start.parent, *start.parent.parents]:
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def load_settings(start: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Settings for a file or directory: its speedlens.toml (if any) with ``overrides`` on top."""
    settings = Settings()
    config_path = find_config(start) if start is not None else None
    if config_path is not None:
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{config_path}: not valid TOML ({exc})",
                "fix the syntax, or delete the file to use the defaults",
            ) from None
        settings = apply_overrides(settings, data, source=str(config_path))
        settings.root = config_path.parent
    elif start is not None:
        settings.root = start if start.is_dir() else start.parent
    if overrides:
        settings = apply_overrides(settings, overrides, source="settings")
    return settings


def apply_overrides(settings: Settings, data: dict[str, Any], source: str = "settings") -> Settings:
    """A copy of ``settings`` with values from a (possibly nested, possibly camelCase) mapping applied.

    Unknown keys and wrong types are errors that name the key, so a typo never silently does nothing.
    """
    settings = dataclasses.replace(settings)
    _apply(settings, data, source, prefix="")
    _validate(settings, source)
    return settings


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("-", "_").replace(".", "_")


def _apply(obj: Any, data: dict[str, Any], source: str, prefix: str) -> None:
    known = {f.name: f for f in fields(obj)}
    for raw_key, value in data.items():
        if value is None:
            continue
        key = _snake(raw_key)
        if key == "root" or key not in known:
            choices = ", ".join(sorted(k for k in known if k != "root"))
            raise ConfigError(
                f"{source}: unknown setting '{prefix}{raw_key}'", f"use one of: {choices}"
            )
        current = getattr(obj, key)
        where = f"{prefix}{key}"
        if dataclasses.is_dataclass(current) and not isinstance(current, type):
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: '{where}' must be a table", f"write it as [{where}]")
            nested = dataclasses.replace(current)
            _apply(nested, value, source, prefix=f"{where}.")
            setattr(obj, key, nested)
        elif key == "tests":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(
                    f"{source}: [tests] must map file paths to input globs",
                    'e.g. [tests]\n  "src/solver.cpp" = "data/solver/*.in"',
                )
            setattr(obj, key, dict(value))
        else:
            setattr(obj, key, _coerce(value, current, where, source))


def _coerce(value: Any, current: Any, where: str, source: str) -> Any:
    expected = type(current)
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(current, (int, float)) and not isinstance(value, bool):
        number = _parse_number(value)
        if number is not None and expected is float:
            return float(number)
        if number is not None and float(number).is_integer():  # an int setting: 4 or 4.0, never 100.5
            return int(number)
    elif isinstance(current, str):
        if isinstance(value, str):
            return value
    elif isinstance(current, list):
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    kind = "a whole number" if expected is int else expected.__name__
    raise ConfigError(
        f"{source}: '{where}' must be {kind}, got {value!r}",
        f"set {where} to a {expected.__name__} like {current!r}",
    )


def _parse_number(value: Any) -> float | int | None:
    """A number from a number or its text (editor settings and CLI flags may arrive as strings)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _validate(settings: Settings, source: str) -> None:
    _check_ranges(settings, source, prefix="")
    t = settings.timing
    if t.max_repetitions < t.min_repetitions:
        raise ConfigError(
            f"{source}: timing.max_repetitions ({t.max_repetitions}) is below timing.min_repetitions "
            f"({t.min_repetitions})",
            "raise max_repetitions or lower min_repetitions",
        )
    try:
        parse_runner(settings.tvm.runner)
    except ValueError as exc:
        raise ConfigError(
            f"{source}: tvm.runner: {exc}",
            'set tvm.runner = "local", or "rpc://HOST:PORT/KEY" for a device of a TVM RPC tracker '
            '(e.g. "rpc://127.0.0.1:9190/rasp4")',
        ) from None


def _check_ranges(obj: Any, source: str, prefix: str) -> None:
    """Every numeric setting finite and inside the range its field declares."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            _check_ranges(value, source, prefix=f"{prefix}{f.name}.")
            continue
        if "range" not in f.metadata:
            continue
        low, high, low_open, high_open = f.metadata["range"]
        inside = math.isfinite(value) and (low < value if low_open else low <= value)
        inside = inside and (value < high if high_open else value <= high)
        if not inside:
            lower = f"more than {low:g}" if low_open else f"at least {low:g}"
            upper = f"less than {high:g}" if high_open else f"at most {high:g}"
            raise ConfigError(
                f"{source}: {prefix}{f.name} must be between {low:g} and {high:g} ({lower}, {upper}), got {value}",
                f"e.g. {prefix}{f.name} = {f.default}",
            )
