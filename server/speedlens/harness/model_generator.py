"""The harness's side of an argument generator a model writes: what it must implement, and a probe to check it.

Type-directed generators know a function's types, not its contract: a binary search gets unsorted vectors, an
index gets a value out of range, and a correct rewrite looks wrong on inputs the original was never meant for. With
a model configured, the model reads the function and writes ``MODEL_ARGS``, which fills the driver's
``SpeedlensArgs`` from the seeded rng. It is untrusted code, so it runs only in the sandbox, and only after the
adapter checked it on the original (``adapters/model_arguments.py``): the probe built here prints a digest of every
tuple it makes (to stderr, which nothing compares), so tuples identical for every seed are caught too.
"""

from __future__ import annotations

from .aggregates import ordered
from .driver import MODEL_ARGS
from .signature import Signature, is_buffer_length

DECLARATION = f"static SpeedlensArgs {MODEL_ARGS}(speedlens_harness::Rng& rng, std::size_t n)"
UNPROBED = f"{MODEL_ARGS}_unprobed"  # the model's function, renamed inside the probe
TUPLE_MARK = "speedlens-tuple "  # the probe's stderr lines: one per argument tuple, its printed form's digest


def fields(signature: Signature) -> str:
    """Which parameter each field of ``SpeedlensArgs`` (``driver.args_struct``) is passed as, one line each."""
    lines = []
    for i, param in enumerate(signature.params):
        if is_buffer_length(signature.params, i):
            lines.append(f"- parameter `{param.name}` has no field: it is passed as a{i - 1}.size()")
            continue
        held = "the buffer it points to (passed as .data())" if "pointer" in param.passing else "passed as is"
        lines.append(f"- a{i}: parameter `{param.name}` ({param.type}, {param.passing.replace('_', ' ')}), {held}")
    return "\n".join(lines)


def structs_used(signature: Signature) -> str:
    """The project structs the parameters name (their fields' structs first), as C++ the model can read."""
    structs = {s.name: s for s in signature.structs}
    used = ordered([p.type for p in signature.params], structs)
    return "\n".join(f"struct {s.name} {{ {' '.join(f'{t} {f};' for t, f in s.fields)} }};" for s in used)


def probe(code: str, signature: Signature) -> str:
    """``code`` (the model's generator) wrapped so that the driver's pool, built through it, reports each tuple."""
    fields = [i for i in range(len(signature.params)) if not is_buffer_length(signature.params, i)]
    shows = " text << ' ';".join(f" speedlens_harness::show(text, args.a{i});" for i in fields)
    return "\n".join([
        "#include <functional>",
        f"#define {MODEL_ARGS} {UNPROBED}",
        code.strip("\n"),
        f"#undef {MODEL_ARGS}",
        f"{DECLARATION} {{",
        f"    SpeedlensArgs args = {UNPROBED}(rng, n);",
        f"    std::ostringstream text;{shows}",
        f"    std::cerr << \"{TUPLE_MARK}\" << std::hash<std::string>{{}}(text.str()) << '\\n';",
        "    return args;",
        "}",
    ])


def probe_errors(errors: str, lines: int = 4) -> str:
    """The first ``lines`` of the probe's compile errors on one line, naming the model's function as it wrote it."""
    return " ".join(errors.replace(UNPROBED, MODEL_ARGS).split("\n")[:lines])


def tuple_digests(stderr: bytes) -> tuple[str, ...]:
    """The digests a probe run reported, in the order its tuples were made."""
    text = stderr.decode(errors="replace")
    return tuple(line[len(TUPLE_MARK):].strip() for line in text.splitlines() if line.startswith(TUPLE_MARK))
