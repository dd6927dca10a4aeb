"""One typed Settings object, layered: defaults < speedlens.toml < editor settings < CLI flags
(ARCHITECTURE.md, "Settings")."""

from __future__ import annotations

import dataclasses
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


@dataclass
class CppSettings:
    compiler: str = "g++"
    flags: list[str] = field(default_factory=lambda: ["-O2", "-std=c++17"])
    # Use the flags recorded for the file in compile_commands.json when one is found.
    use_compile_commands: bool = True
    # A directory holding compile_commands.json (or the file itself); empty = found as clangd finds it.
    compile_commands: str = ""


@dataclass
class SandboxSettings:
    timeout_s: float = 10.0  # wall-clock limit per run (CPU limit is the same number of seconds)
    compile_timeout_s: float = 120.0
    memory_mb: int = 2048
    output_mb: int = 64
    jobs: int = 1


@dataclass
class TimingSettings:
    min_time_ms: float = 10.0  # inputs on which the original takes less CPU than this are checked, not timed
    min_repetitions: int = 5
    max_repetitions: int = 30
    budget_s: float = 60.0  # timing budget per candidate; repetitions grow adaptively inside it
    seed: int = 0


@dataclass
class TvmSettings:
    trials: int = 64  # measured samples per prim_func
    target: str = ""  # "" = llvm for the host CPU
    seed: int = 0
    repeats: int = 19  # time_evaluator repeats per verification (19 gives the 2nd-worst ratio as the 90% bound)


@dataclass
class Settings:
    model: str = ""  # any litellm model string; empty = offline rules only
    api_base: str = ""
    candidates: int = 4
    feedback_rounds: int = 1
    temperature: float = 0.7
    llm_timeout_s: float = 120.0
    llm_retries: int = 3
    examples: int = 4  # retrieved PIE pairs per prompt
    chain_of_thought: bool = False
    performance_conditioning: bool = False
    alpha: float = 0.1
    min_speedup: float = 1.1
    pie_path: str = ""
    sanitize: bool = True
    float_tolerance: float = 0.0  # 0 = exact comparison
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
        if dataclasses.is_dataclass(current):
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
        if isinstance(value, (int, float)):
            return expected(value) if expected is float or float(value).is_integer() else value
        if isinstance(value, str):
            try:
                return expected(value)
            except ValueError:
                pass
    elif isinstance(current, str):
        if isinstance(value, str):
            return value
    elif isinstance(current, list):
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    raise ConfigError(
        f"{source}: '{where}' must be {expected.__name__}, got {value!r}",
        f"set {where} to a {expected.__name__} like {current!r}",
    )


def _validate(settings: Settings, source: str) -> None:
    if not 0 < settings.alpha < 1:
        raise ConfigError(f"{source}: alpha must be between 0 and 1, got {settings.alpha}", "e.g. alpha = 0.1")
    if settings.min_speedup < 1:
        raise ConfigError(f"{source}: min_speedup must be >= 1, got {settings.min_speedup}", "e.g. 1.1")
    if settings.candidates < 0 or settings.feedback_rounds < 0:
        raise ConfigError(f"{source}: candidates and feedback_rounds must be >= 0", "e.g. candidates = 4")
    if settings.sandbox.timeout_s <= 0 or settings.sandbox.memory_mb < 64:
        raise ConfigError(
            f"{source}: sandbox limits too small", "use timeout_s > 0 and memory_mb >= 64"
        )
    if settings.sandbox.jobs < 1:
        raise ConfigError(f"{source}: sandbox.jobs must be >= 1", "e.g. jobs = 1")
