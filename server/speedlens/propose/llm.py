"""The LLM proposer: PIE-style prompts with retrieved examples, sent through litellm, answers parsed into
candidates; later rounds feed the sandbox's verdict back.

Samples are asked for with ``n`` (one request, several answers) where the provider supports it, and spread over
a few prompt variants that show different retrieved examples: the same prompt at the same temperature often
comes back with the same answer, and a duplicate is counted on the candidate instead of being silently lost.

Every answer is cached, in memory and on disk, under sha256(model, full prompt, temperature, sample index):
an unchanged target never costs a second request. Nothing is imported or sent while ``settings.model`` is
empty. Transient failures (rate limits, timeouts, 5xx, connection errors) are retried with exponential backoff
here rather than with litellm's ``num_retries``, which retries every error (a wrong key included), needs
tenacity, and backs off on its own schedule; the rest become one-line ``LlmError`` messages, and the run goes on
with whatever answers did arrive.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cachetools import TTLCache

from speedlens.cache import MB, BoundedDir, cache_dir
from speedlens.config import Settings
from speedlens.errors import SpeedlensError
from speedlens.files import write_atomically
from speedlens.models import Candidate
from speedlens.propose import ProposalRequest
from speedlens.propose.prompts import build_messages, extract_code, feedback_messages
from speedlens.retrieval.corpus import Pair
from speedlens.retrieval.index import retrieve

log = logging.getLogger(__name__)


class LlmError(SpeedlensError):
    """The model could not be asked (authentication, quota, network, bad request): one line for the user."""


@dataclass
class Answer:
    text: str
    finish_reason: str = "stop"
    cached: bool = False


_memory: TTLCache = TTLCache(maxsize=512, ttl=24 * 3600)


def clear_memory_cache() -> None:
    _memory.clear()


LLM_CACHE_MB = 256
_bounds: dict[Path, BoundedDir] = {}


def llm_cache_dir() -> Path:
    return cache_dir("llm")


def _bound() -> BoundedDir:
    """The answers cache, kept under LLM_CACHE_MB (entries are files in two-letter buckets)."""
    directory = llm_cache_dir()
    return _bounds.setdefault(directory, BoundedDir(directory, LLM_CACHE_MB * MB, depth=2))


def cache_key(model: str, messages: list[dict[str, str]], temperature: float, sample: int) -> str:
    payload = json.dumps([model, messages, temperature, sample], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _cached(key: str) -> Answer | None:
    if key in _memory:
        text, finish_reason = _memory[key]
        return Answer(text, finish_reason, cached=True)
    path = llm_cache_dir() / key[:2] / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        _memory[key] = (data["text"], data.get("finish_reason", "stop"))
        _bound().touch(path)
        return Answer(data["text"], data.get("finish_reason", "stop"), cached=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(key: str, answer: Answer, model: str) -> None:
    _memory[key] = (answer.text, answer.finish_reason)
    directory = llm_cache_dir() / key[:2]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        record = {"model": model, "text": answer.text, "finish_reason": answer.finish_reason, "time": time.time()}
        write_atomically(directory / f"{key}.json", json.dumps(record))
        _bound().stored()
    except OSError as exc:
        log.warning("could not cache the model's answer in %s: %s", directory, exc)


def _import_litellm():
    """litellm, imported on first use only (it is slow to import, and must not fetch its price list)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    first = "litellm" not in sys.modules
    import litellm

    litellm.suppress_debug_info = True
    if first:
        # Its ~300,000 module-level objects live as long as the process; left tracked they would make every
        # full garbage collection (in the language server: on the event loop) take about half a second.
        gc.collect()
        gc.freeze()
    return litellm


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:240]


def _key_hint(model: str) -> str:
    provider = model.split("/", 1)[0] if "/" in model else "openai"
    return f"set {provider.upper()}_API_KEY (or the provider's key variable) to a valid key, or change `model`"


class ContextTooLong(Exception):
    """The prompt does not fit the model's context window."""


async def _request(messages: list[dict[str, str]], settings: Any, backoff_s: float, n: int = 1) -> list[Answer]:
    """Up to ``n`` answers from one request (fewer where the provider ignores ``n``), retrying transient
    failures ``settings.llm_retries`` times."""
    # The first import takes seconds: in a thread, so the language server's event loop keeps answering.
    litellm = await asyncio.to_thread(_import_litellm)
    model = settings.model
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "temperature": settings.temperature,
        "timeout": settings.llm_timeout_s,
        "max_retries": 0,  # retries are ours: counted, backed off, reported
        "drop_params": True,  # a provider without ``n`` answers once; the caller asks again for the rest
    }
    if n > 1:
        kwargs["n"] = n
    if settings.api_base:
        kwargs["api_base"] = settings.api_base
        if model.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = "no-key"  # local OpenAI-compatible servers (vLLM, llama.cpp) ignore it
    transient = (
        litellm.RateLimitError,
        litellm.Timeout,
        litellm.APIConnectionError,
        litellm.InternalServerError,
        litellm.ServiceUnavailableError,
        litellm.BadGatewayError,
    )
    attempts = max(0, settings.llm_retries) + 1
    for attempt in range(attempts):
        try:
            response = await litellm.acompletion(**kwargs)
            return [Answer(c.message.content or "", c.finish_reason or "stop") for c in response.choices[:n]]
        except (litellm.AuthenticationError, litellm.PermissionDeniedError) as exc:
            raise LlmError(f"{model}: authentication failed ({_one_line(exc)})", _key_hint(model)) from None
        except litellm.ContextWindowExceededError:
            raise ContextTooLong() from None
        except litellm.NotFoundError as exc:
            raise LlmError(f"{model}: model not found ({_one_line(exc)})", "check `model` and `api_base`") from None
        except transient as exc:
            if attempt + 1 == attempts:
                raise LlmError(
                    f"{model}: {type(exc).__name__} after {attempts} attempt(s) ({_one_line(exc)})",
                    "try again later, raise llm_timeout_s / llm_retries, or check api_base",
                ) from None
            delay = backoff_s * (2**attempt) * (1 + 0.25 * random.random())
            log.info("%s: %s, retrying in %.1fs", model, type(exc).__name__, delay)
            await asyncio.sleep(delay)
        except litellm.BadRequestError as exc:
            raise LlmError(f"{model}: request rejected ({_one_line(exc)})", "check `model` and `api_base`") from None
        except Exception as exc:  # anything else from a provider: say so (the cause kept for -v), don't crash
            raise LlmError(f"{model}: {type(exc).__name__}: {_one_line(exc)}", "check `model` and `api_base`") from exc
    raise AssertionError("unreachable")  # pragma: no cover


async def complete(
    messages: list[dict[str, str]],
    settings: Any,
    *,
    sample: int = 0,
    fallback: list[dict[str, str]] | None = None,
    backoff_s: float = 1.0,
) -> Answer:
    """The model's answer to ``messages`` (sample ``sample``); see ``complete_many``."""
    answers = await complete_many(messages, settings, first_sample=sample, fallback=fallback, backoff_s=backoff_s)
    return answers[0]


async def complete_many(
    messages: list[dict[str, str]],
    settings: Any,
    *,
    first_sample: int = 0,
    n: int = 1,
    fallback: list[dict[str, str]] | None = None,
    backoff_s: float = 1.0,
) -> list[Answer]:
    """Samples ``first_sample`` … ``first_sample + n - 1`` of the model's answer to ``messages``: from the cache
    where this exact prompt was seen, the rest in one request with ``n`` (more only where the provider ignores it).

    ``fallback`` (the same request without retrieved examples) is sent if ``messages`` is too long for the
    model's context; its answers are cached under both prompts.
    """
    if not settings.model:
        raise LlmError("no model configured", "set `model` in speedlens.toml or pass --model")
    longer = "use a model with a longer context"
    try:
        return await _answers(messages, settings, first_sample, n, backoff_s)
    except ContextTooLong:
        if fallback is None or fallback == messages:
            raise LlmError(f"{settings.model}: the prompt is longer than the model's context", longer) from None
    log.info("%s: prompt too long, retrying without retrieved examples", settings.model)
    try:
        answers = await _answers(fallback, settings, first_sample, n, backoff_s)
    except ContextTooLong:
        raise LlmError(f"{settings.model}: the target alone is longer than the model's context", longer) from None
    for i, answer in enumerate(answers):
        _store(cache_key(settings.model, messages, settings.temperature, first_sample + i), answer, settings.model)
    return answers


async def _answers(
    messages: list[dict[str, str]], settings: Any, first_sample: int, n: int, backoff_s: float
) -> list[Answer]:
    """The cached samples of ``messages``, the missing ones asked for (raises ContextTooLong)."""
    keys = [cache_key(settings.model, messages, settings.temperature, first_sample + i) for i in range(n)]
    answers = [_cached(key) for key in keys]
    missing = [i for i, answer in enumerate(answers) if answer is None]
    while missing:
        fresh = await _request(messages, settings, backoff_s, n=len(missing))
        if not fresh:
            raise LlmError(f"{settings.model}: the answer had no choices", "check `model` and `api_base`")
        for i, answer in zip(missing, fresh, strict=False):  # fewer answers than asked: the rest next time
            answers[i] = answer
            _store(keys[i], answer, settings.model)
        missing = missing[len(fresh):]
    return [answer for answer in answers if answer is not None]


# Round-0 prompts per target, each with other retrieved examples: the same prompt at the same temperature often
# brings back the same answer, so variety costs one more request and buys different rewrites.
PROMPT_VARIANTS = 2


class LlmProposer:
    """Proposer ``llm``: ``settings.candidates`` samples per target, then one repair request per feedback round."""

    name = "llm"

    def __init__(self, settings: Settings | None = None, *, backoff_s: float = 1.0):
        self.settings = settings  # the engine's; each request carries the settings actually used
        self.backoff_s = backoff_s
        self.dropped: list[str] = []  # why answers were unusable (newest last), for reports and tests

    async def propose(self, request: ProposalRequest) -> list[Candidate]:
        settings = request.settings
        if not settings.model:
            return []
        if request.round > 0 and (not request.history or any(r.verdict.verified for r in request.history)):
            return []  # nothing to learn from, or a verified speedup already: stop spending on this target
        plan = await self._plan(request)
        if not plan:
            return []
        fallback = self._messages(request, [])
        results = await asyncio.gather(
            *(
                complete_many(messages, settings, first_sample=first, n=n, fallback=fallback, backoff_s=self.backoff_s)
                for messages, first, n in plan
            ),
            return_exceptions=True,
        )
        answers: list[Any] = []
        for result in results:  # a failed request counts once, however many samples it asked for
            answers += [result] if isinstance(result, BaseException) else result
        return self._candidates(request, answers)

    async def _plan(self, request: ProposalRequest) -> list[tuple[list[dict[str, str]], int, int]]:
        """The requests of this round: (messages, first sample index, how many samples).

        Round 0 spreads ``settings.candidates`` samples over up to ``PROMPT_VARIANTS`` prompts, each showing a
        different slice of the retrieved examples (variant v: ranks v, v + V, v + 2V …), each asked once with ``n``.
        A feedback round is one repair conversation.
        """
        settings = request.settings
        if request.round > 0:
            examples = await asyncio.to_thread(self._examples, request, settings.examples)
            messages = self._messages(request, examples)
            return [(messages, 0, 1)] if messages is not None and settings.candidates else []
        if settings.candidates <= 0:
            return []
        wanted = min(PROMPT_VARIANTS, settings.candidates)
        examples = await asyncio.to_thread(self._examples, request, settings.examples * wanted)
        variants = max(1, min(wanted, len(examples)))
        plan, first = [], 0
        for v in range(variants):
            n = settings.candidates // variants + (v < settings.candidates % variants)
            plan.append((build_messages(request.source, request.target, examples[v::variants], settings), first, n))
            first += n
        return plan

    def _messages(self, request: ProposalRequest, examples: list[Pair]) -> list[dict[str, str]] | None:
        if request.round == 0:
            return build_messages(request.source, request.target, examples, request.settings)
        return feedback_messages(request.source, request.target, examples, request.settings, request.history)

    def _examples(self, request: ProposalRequest, k: int) -> list[Pair]:
        try:
            return retrieve(request.target.text, request.settings, k)
        except SpeedlensError:
            raise  # a wrong pie_path is the user's to fix: say so
        except Exception as exc:  # retrieval only improves prompts: never let it stop a run
            log.warning("retrieval failed, prompting without examples: %s", exc, exc_info=True)
            return []

    def _candidates(self, request: ProposalRequest, answers: list[Any]) -> list[Candidate]:
        settings, target = request.settings, request.target
        candidates: list[Candidate] = []
        errors: list[BaseException] = []
        for sample, answer in enumerate(answers):
            if isinstance(answer, BaseException):
                if not isinstance(answer, Exception):
                    raise answer  # cancellation and friends
                errors.append(answer)
                continue
            code, reason = extract_code(answer.text, target)
            same = next((c for c in candidates if code is not None and c.code == code), None)
            if same is not None:  # counted, not dropped: the count says how much of the budget was spent twice
                same.meta["identical_samples"] += 1
                log.info("llm answer %d for %s is identical to answer %d", sample, target.name, same.meta["sample"])
                continue
            if code is None:
                if answer.finish_reason == "length":
                    reason += " (the answer hit the model's length limit)"
                log.info("llm answer %d for %s dropped: %s", sample, target.name, reason)
                self.dropped.append(reason)
                continue
            round_note = f" (feedback round {request.round})" if request.round else ""
            candidates.append(
                Candidate(
                    target=target,
                    code=code,
                    proposer=f"llm:{settings.model}",
                    description=f"{settings.model} rewrite{round_note}",
                    meta={"round": request.round, "sample": sample, "cached": answer.cached, "identical_samples": 0},
                )
            )
        if errors:
            first = errors[0]
            if not candidates and len(errors) == len(answers):
                if isinstance(first, SpeedlensError):
                    raise first
                raise LlmError(f"{settings.model}: {type(first).__name__}: {_one_line(first)}") from first
            log.warning("%d of %d model requests failed: %s", len(errors), len(answers), _one_line(first))
        return candidates
