"""Generated test inputs for a program that has none: the model writes a seeded Python input generator, the
engine runs it in the sandbox, and the inputs on which the original fails are dropped by the engine.

Protocol with the engine: ``run_generator(script, seed)`` runs ``python3 SCRIPT SEED`` (seed as the only
argument, no stdin) inside the sandbox and returns its stdout, or None when it failed or timed out. The script is
the model's ``generate(rng, scale)`` function wrapped in our driver, which prints ``PER_RUN`` inputs of growing
size, each followed by a line ``SEPARATOR``. The model never decides the output format, so its mistakes cost
inputs, not parsing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from speedlens.models import Target
from speedlens.propose.prompts import SYSTEM_PROMPT, code_blocks, fence

log = logging.getLogger(__name__)

SEPARATOR = "=====SPEEDLENS-INPUT-END====="
PER_RUN = 8
SCALES = (0.02, 0.05, 0.1, 0.25, 0.4, 0.6, 0.8, 1.0)  # one per input of a run: small inputs first
SEEDS = (1, 2, 3)  # runs of the generator: up to 24 inputs
MAX_INPUT_BYTES = 64 << 20

RunGenerator = Callable[[str, int], Awaitable["bytes | None"]]

_DRIVER = '''
# --- speedlens driver (not written by the model) ---
import random as _random, sys as _sys
_ns = {"__name__": "speedlens_generator"}
exec(compile(_CODE, "generator.py", "exec"), _ns)
_seed = int(_sys.argv[1]) if len(_sys.argv) > 1 else 0
for _i, _scale in enumerate(%(scales)r):
    _rng = _random.Random(_seed * 1000003 + _i)
    _text = str(_ns["generate"](_rng, _scale))
    _sys.stdout.write(_text if _text.endswith("\\n") else _text + "\\n")
    _sys.stdout.write(%(separator)r + "\\n")
    _sys.stdout.flush()
'''


def generator_messages(source: str, target: Target) -> list[dict[str, str]]:
    """Ask for ``generate(rng, scale) -> str``: one valid stdin for the program, its size set by ``scale``."""
    prompt = f"""This C++ program reads its input from stdin:

{fence(source)}

Write a Python 3 function `generate(rng, scale)` that returns the text of ONE valid input for this program
(exactly the format it reads, respecting every constraint the code assumes, ending with a newline).
- `rng` is a `random.Random`: use only it for randomness, so the same seed gives the same input.
- `scale` is a float in (0, 1]: 1.0 means the largest input the program is meant for (so that it runs for a
  noticeable time, at most a few seconds); small scales give small inputs.
- Use only the standard library; no file or network access, no printing, no `if __name__` block.
Answer with the function (and any helpers) in one ```python code block."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]


def extract_generator(answer: str) -> tuple[str | None, str]:
    """The generator's Python code from the model's answer, or None and why it is unusable."""
    for block in code_blocks(answer):
        if block.lang not in ("python", "py", "python3", ""):
            continue
        code = block.body
        if not re.search(r"^def generate\s*\(", code, re.MULTILINE):
            continue
        if not block.closed:
            return None, "truncated generator (the code block never closes)"
        try:
            compile(code, "generator.py", "exec")
        except SyntaxError as exc:
            return None, f"generator has a syntax error: {exc.msg} (line {exc.lineno})"
        return code, "ok"
    return None, "no Python `generate(rng, scale)` function in the answer"


def generator_script(code: str) -> str:
    """The runnable script: the model's code, kept as data, and our driver around it."""
    return f"_CODE = {code!r}\n" + _DRIVER % {"scales": SCALES, "separator": SEPARATOR}


def split_inputs(output: bytes) -> list[str]:
    """The inputs a run printed (a truncated last one, without its separator, is dropped)."""
    text = output.decode("utf-8", errors="replace")
    parts = text.split(SEPARATOR + "\n")
    return [p for p in parts[:-1] if p.strip()]


async def generate_inputs(
    source: str,
    target: Target,
    settings: Any,
    run_generator: RunGenerator,
    *,
    attempts: int = 2,
    backoff_s: float = 1.0,
) -> list[str]:
    """Distinct candidate inputs for ``source`` (up to len(SEEDS) * PER_RUN); [] when the model gives none.

    A generator that does not parse or produces nothing gets one more sample (``attempts``). Model errors
    (LlmError) propagate: the engine reports them as the reason there are no tests.
    """
    from speedlens.propose.llm import complete

    messages = generator_messages(source, target)
    for sample in range(attempts):
        answer = await complete(messages, settings, sample=sample, backoff_s=backoff_s)
        code, reason = extract_generator(answer.text)
        if code is None:
            log.info("input generator %d dropped: %s", sample, reason)
            continue
        script = generator_script(code)
        inputs: list[str] = []
        for seed in SEEDS:
            output = await run_generator(script, seed)
            if not output:
                continue
            for text in split_inputs(output[:MAX_INPUT_BYTES]):
                if text not in inputs:
                    inputs.append(text)
        if inputs:
            return inputs
        log.info("input generator %d produced no input", sample)
    return []
