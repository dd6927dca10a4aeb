"""A CMake project built in speedlens's shadow copy, in the sandbox: what the project's tests and a program inside
a project (``project_tests``, ``project_program``) both need.

The copy (``project.shadow``) is configured once with a File API query (so its targets can be read) and built
target by target; the user's tree and build directory are never written, and the project's build (its compilers,
its custom commands) runs only in the sandbox.
"""

from __future__ import annotations

from pathlib import Path

from speedlens.config import Settings
from speedlens.project import file_api, shadow
from speedlens.sandbox.run import Limits, RunResult, Sandbox, cache_dir


class ShadowBuild:
    """One CMake project's shadow copy (``src/``) and its build directory (``build/``)."""

    def __init__(self, root: Path, settings: Settings, sandbox: Sandbox) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.sandbox = sandbox
        self.workdir = shadow.shadow_dir(self.root, cache_dir("shadow"))
        self.workdir.mkdir(parents=True, exist_ok=True)

    @property
    def build_dir(self) -> Path:
        return self.workdir / "build"

    def copy_of(self, path: Path) -> Path:
        """Where the copy holds the project's file ``path``."""
        return self.workdir / "src" / path.resolve().relative_to(self.root)

    def _limits(self) -> Limits:
        timeout = self.settings.sandbox.compile_timeout_s
        return Limits(cpu_s=timeout * 4, wall_s=timeout * 2, memory_mb=None, output_mb=512, nofile=1024, nproc=2048)

    async def step(self, *argv: str) -> RunResult:
        """One command in the copy's directory, in the sandbox (ccache, when the project uses it, keeps its cache
        in the copy)."""
        env = {"CCACHE_DIR": str(self.workdir / ".ccache")}
        return await self.sandbox.run(list(argv), workdir=self.workdir, limits=self._limits(), env=env)

    async def prepare(self, replaced: dict[Path, str]) -> RunResult | None:
        """Bring the copy to the project's files (``replaced``: absolute paths in the project holding other text)
        and configure it when it is not yet; the failed configure's result, else None."""
        shadow.synchronise(self.root, self.workdir / "src", replaced)
        if (self.build_dir / "CMakeCache.txt").is_file() and file_api.read_targets(self.build_dir):
            return None
        file_api.write_query(self.build_dir)
        configured = await self.step("cmake", "-S", "src", "-B", "build", "-DCMAKE_BUILD_TYPE=Release")
        return None if configured.ok else configured

    def targets(self) -> list[file_api.CMakeTarget]:
        return file_api.read_targets(self.build_dir)

    async def build(self, targets: list[str]) -> RunResult:
        return await self.step("cmake", "--build", "build", "-j2", *(arg for t in targets for arg in ("--target", t)))


def tail(result: RunResult, lines: int = 6) -> str:
    text = (result.stdout + result.stderr).decode(errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def first_error(result: RunResult) -> str:
    text = (result.stdout + result.stderr).decode(errors="replace").splitlines()
    return next((line.strip() for line in text if "error" in line), tail(result))
