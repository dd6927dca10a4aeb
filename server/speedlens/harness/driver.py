"""The driver program generated per function: the library file's text, then a ``main`` that calls the function.

stdin's first line holds ``SEED`` or ``recorded SLOT`` (and, to override the calibrated count, ``REPETITIONS``). A
seed picks the input size and a pool of argument tuples (built before any call, by the seeded generators of
``gen.hpp``); a recorded input's tuple (one the project's tests or benchmarks passed, serialized by ``gen.hpp``'s
``write``) follows the line, and is the pool. Each repetition calls the function on the next tuple of the pool,
passing fresh copies of every argument it may write. The first pass over
the pool prints the return value and every written argument after each call: that text is what original and
candidate are compared on. A negative repetition count asks the original's driver how many repetitions make one
input last ``TARGET_SECONDS`` (the candidate is never asked: it runs what the original was calibrated to).
"""

from __future__ import annotations

from pathlib import Path

from .aggregates import ordered, support_source
from .signature import Param, Signature, is_buffer_length

POOL = 4  # distinct argument tuples per input: a call never sees the arguments of the call before it
TARGET_SECONDS = 0.04  # CPU time of the original per input: well above process start-up and timer noise
MAX_REPETITIONS = 1 << 20
_SUPPORT = Path(__file__).with_name("gen.hpp")
MODEL_ARGS = "speedlens_model_args"  # the argument generator a model may write, when one is configured


def driver_source(file_text: str, signature: Signature, repetitions: tuple[int, ...] = (1,),
                  generator: str = "") -> str:
    """The whole program: ``file_text`` (the original or a candidate file) followed by the generated driver.

    ``repetitions[slot]``: the calls made on the input of that slot (a seed is its own slot), calibrated on the
    original and baked into both drivers, so the inputs stay what results are keyed by and the candidate runs
    what the original did. ``generator``: C++ defining ``MODEL_ARGS`` (a model's, checked on the original:
    ``harness/model_generator.py``), which then builds every seeded argument tuple instead of the type-directed
    generators."""
    support = _SUPPORT.read_text(encoding="utf-8")
    table = f"static const long long speedlens_repetitions[] = {{{', '.join(str(r) for r in repetitions)}}};"
    return "\n".join([file_text.rstrip("\n"), "", "// ---- speedlens: generated differential harness ----",
                      support, _structs(signature), _args_struct(signature, generator), _run_once(signature), table,
                      _MAIN]) + "\n"


def recorded_input(slot: int, serialized: bytes) -> bytes:
    """The input file of a recorded argument tuple: its slot in the repetitions table, then the tuple."""
    return f"recorded {slot}\n".encode() + serialized


def calibration_input(content: bytes) -> bytes:
    """An input asking the original's driver for its calibrated repetitions instead of running them."""
    header, _, rest = content.partition(b"\n")
    return header.strip() + b" -1\n" + rest


def _structs(signature: Signature) -> str:
    """Generators and printers of every buildable project struct (the return type's too), fields' structs first,
    and generators of the project's enums."""
    structs = {s.name: s for s in signature.structs}
    return support_source(ordered(sorted(signature.buildable()), structs), signature.enums)


def _value_type(param: Param) -> str:
    """The type the pool holds for a parameter: a pointer's pointee is held as a vector (the buffer)."""
    if param.passing in ("pointer", "const_pointer"):
        return f"std::vector<{param.type}>"
    return param.type


def args_struct(signature: Signature) -> str:
    """``SpeedlensArgs``: one argument tuple, field ``aI`` for parameter I (a buffer's length has none)."""
    fields = [f"    {_value_type(p)} a{i}{{}};" for i, p in enumerate(signature.params)
              if not is_buffer_length(signature.params, i)]
    return "\n".join(["struct SpeedlensArgs {", *fields, "};"])


def _args_struct(signature: Signature, generator: str) -> str:
    makes = [f"    args = {MODEL_ARGS}(rng, n);"] if generator else [
        f"    args.a{i} = speedlens_harness::make<{_value_type(p)}>(rng, n);"
        for i, p in enumerate(signature.params) if not is_buffer_length(signature.params, i)]
    reads = "".join(f" && speedlens_harness::read(in, args.a{i})" for i in range(len(signature.params))
                    if not is_buffer_length(signature.params, i))
    return "\n".join([
        args_struct(signature), generator,
        "static SpeedlensArgs speedlens_make_args(speedlens_harness::Rng& rng, std::size_t n) {",
        "    SpeedlensArgs args;", *makes, "    return args;", "}",
        "static bool speedlens_read_args([[maybe_unused]] std::istream& in, [[maybe_unused]] SpeedlensArgs& args) {",
        f"    return true{reads};", "}",
    ])


def _argument(signature: Signature, index: int) -> str:
    """The expression passed for parameter ``index``: the pool's object, a fresh copy, or a buffer's parts."""
    param = signature.params[index]
    if is_buffer_length(signature.params, index):
        return f"static_cast<{param.type}>(w{index - 1}.size())"
    if param.written or param.passing == "const_pointer":
        return f"w{index}.data()" if "pointer" in param.passing else f"w{index}"
    if param.passing == "rvalue":
        return f"{param.type}(proto.a{index})"
    return f"proto.a{index}"


def _run_once(signature: Signature) -> str:
    params = signature.params
    copies = [f"    {_value_type(p)} w{i} = proto.a{i};" for i, p in enumerate(params)
              if (p.written or p.passing == "const_pointer") and not is_buffer_length(params, i)]
    call = f"{signature.name}({', '.join(_argument(signature, i) for i in range(len(params)))})"
    shows = [f"    if (out) {{ *out << \"{p.name}: \"; speedlens_harness::show(*out, w{i}); *out << '\\n'; }}"
             for i, p in enumerate(params) if p.written and not is_buffer_length(params, i)]
    return "\n".join([
        "static void speedlens_run_once(const SpeedlensArgs& proto, std::ostream* out) {",
        *copies,
        f"    auto call = [&]() -> decltype(auto) {{ return {call}; }};",
        "    if constexpr (std::is_void_v<decltype(call())>) {",
        "        call();",
        "    } else {",
        "        decltype(auto) result = call();",
        "        speedlens_harness::keep(result);",
        "        if (out) { *out << \"return: \"; speedlens_harness::show(*out, result); *out << '\\n'; }",
        "    }",
        *[f"    speedlens_harness::keep(w{i});" for i, p in enumerate(params)
          if (p.written or p.passing == "const_pointer") and not is_buffer_length(params, i)],
        *shows,
        "}",
    ])


_MAIN = f"""
// A sanitizer build checks correctness only (its output is the first pass over the pool): it makes no more calls.
#if defined(__SANITIZE_ADDRESS__)
static const bool speedlens_sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
static const bool speedlens_sanitized = true;
#else
static const bool speedlens_sanitized = false;
#endif
#else
static const bool speedlens_sanitized = false;
#endif
static double speedlens_cpu_seconds() {{ return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }}

int main() {{
    std::string header, first;
    std::getline(std::cin, header);
    std::istringstream line(header);
    unsigned long long slot = 0;
    long long repetitions = 0;
    const bool recorded = (line >> first) && first == "recorded";
    if (!(recorded ? static_cast<bool>(line >> slot) : static_cast<bool>(std::istringstream(first) >> slot))) {{
        std::cerr << "speedlens harness: stdin must start with SEED or recorded SLOT, then [REPETITIONS]\\n";
        return 2;
    }}
    const std::size_t known = sizeof speedlens_repetitions / sizeof speedlens_repetitions[0];
    if (!(line >> repetitions)) repetitions = speedlens_repetitions[slot % known];
    if (speedlens_sanitized && repetitions > {POOL}) repetitions = {POOL};  // one call per tuple: all that prints
    std::vector<SpeedlensArgs> pool;
    if (recorded) {{
        SpeedlensArgs args;
        if (!speedlens_read_args(std::cin, args)) {{
            std::cerr << "speedlens harness: the recorded argument tuple does not read back\\n";
            return 2;
        }}
        pool.push_back(args);
    }} else {{
        const unsigned long long seed = slot;
        speedlens_harness::Rng rng(seed * 0x9E3779B97F4A7C15ULL + 1);
        const std::size_t n = 200 + static_cast<std::size_t>(seed * 97 % 1800);
        for (int i = 0; i < {POOL}; ++i) pool.push_back(speedlens_make_args(rng, n));
    }}
    if (repetitions < 0) {{  // calibration (the original only): repetitions for {TARGET_SECONDS} s of CPU time
        long long k = 1;
        for (;;) {{
            const double start = speedlens_cpu_seconds();
            for (long long r = 0; r < k; ++r) speedlens_run_once(pool[r % pool.size()], nullptr);
            const double spent = speedlens_cpu_seconds() - start;
            if (spent >= {TARGET_SECONDS} / 2 || k >= {MAX_REPETITIONS}) {{
                const double scaled = spent > 0 ? k * {TARGET_SECONDS} / spent : k;
                std::cout << std::max<long long>(1, std::min<long long>({MAX_REPETITIONS}, (long long)scaled)) << '\\n';
                return 0;
            }}
            k *= 2;
        }}
    }}
    for (long long r = 0; r < repetitions; ++r) {{
        speedlens_run_once(pool[r % pool.size()], r < (long long)pool.size() ? &std::cout : nullptr);
    }}
    return 0;
}}
"""
