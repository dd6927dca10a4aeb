"""The LLM proposer: PIE-style prompts with retrieved examples, sent through litellm, answers parsed into
candidates; later rounds feed the sandbox's verdict back.

Every answer is cached, in memory and on disk, under sha256(model, full prompt, temperature, sample index):
an unchanged target never costs a second request. Nothing is imported or sent while ``settings.model`` is
empty. Transient failures (rate limits, timeouts, 5xx, connection errors) are retried with exponential backoff;
the rest become one-line ``LlmError`` messages, and the run goes on with whatever answers did arrive.
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
        return Answer(*_memory[key], cached=True)
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


async def _request(messages: list[dict[str, str]], settings: Any, backoff_s: float) -> Answer:
    """One answer from the model, retrying transient failures ``settings.llm_retries`` times."""
    # The first import takes seconds: in a thread, so the language server's event loop keeps answering.
    litellm = await asyncio.to_thread(_import_litellm)
    model = settings.model
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "temperature": settings.temperature,
        "timeout": settings.llm_timeout_s,
        "max_retries": 0,  # retries are ours: counted, backed off, reported
        "drop_params": True,
    }
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
            choice = response.choices[0]
            return Answer(choice.message.content or "", choice.finish_reason or "stop")
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
        except Exception as exc:  # anything else from a provider: say so, don't crash the run
            raise LlmError(f"{model}: {type(exc).__name__}: {_one_line(exc)}", "check `model` and `api_base`") from None
    raise AssertionError("unreachable")  # pragma: no cover


async def complete(
    messages: list[dict[str, str]],
    settings: Any,
    *,
    sample: int = 0,
    fallback: list[dict[str, str]] | None = None,
    backoff_s: float = 1.0,
) -> Answer:
    """The model's answer to ``messages`` (sample ``sample``), from the cache when this exact prompt was seen.

    ``fallback`` (the same request without retrieved examples) is sent once if ``messages`` is too long for
    the model's context; its answer is cached under both prompts.
    """
    if not settings.model:
        raise LlmError("no model configured", "set `model` in speedlens.toml or pass --model")
    key = cache_key(settings.model, messages, settings.temperature, sample)
    answer = _cached(key)
    if answer is not None:
        return answer
    try:
        answer = await _request(messages, settings, backoff_s)
    except ContextTooLong:
        if fallback is None or fallback == messages:
            raise LlmError(f"{settings.model}: the prompt is longer than the model's context", "use a model with a longer context") from None
        log.info("%s: prompt too long, retrying without retrieved examples", settings.model)
        fallback_key = cache_key(settings.model, fallback, settings.temperature, sample)
        answer = _cached(fallback_key)
        if answer is None:
            try:
                answer = await _request(fallback, settings, backoff_s)
            except ContextTooLong:
                raise LlmError(f"{settings.model}: the target alone is longer than the model's context", "use a model with a longer context") from None
            _store(fallback_key, answer, settings.model)
    _store(key, answer, settings.model)
    return answer


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
        examples = await asyncio.to_thread(self._examples, request)
        if request.round == 0:
            samples = settings.candidates
            messages = build_messages(request.source, request.target, examples, settings)
            fallback = build_messages(request.source, request.target, [], settings) if examples else None
        else:
            samples = 1 if settings.candidates else 0  # one repair conversation per round
            messages = feedback_messages(request.source, request.target, examples, settings, request.history)
            fallback = (
                feedback_messages(request.source, request.target, [], settings, request.history) if examples else None
            )
            if messages is None:
                return []
        answers = await asyncio.gather(
            *(
                complete(messages, settings, sample=i, fallback=fallback, backoff_s=self.backoff_s)
                for i in range(samples)
            ),
            return_exceptions=True,
        )
        return self._candidates(request, answers)

    def _examples(self, request: ProposalRequest) -> list[Pair]:
        try:
            return retrieve(request.target.text, request.settings)
        except SpeedlensError:
            raise  # a wrong pie_path is the user's to fix: say so
        except Exception as exc:  # retrieval only improves prompts: never let it stop a run
            log.warning("retrieval failed, prompting without examples: %s", exc)
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
            if code is not None and any(c.code == code for c in candidates):
                code, reason = None, "duplicate of an earlier sample"
            if code is None:
                if answer.finish_reason == "length":
                    reason += " (the answer hit the model's length limit)"
                log.info("llm answer %d for %s dropped: %s", sample, target.name, reason)
                self.dropped.append(reason)
                continue
            candidates.append(
                Candidate(
                    target=target,
                    code=code,
                    proposer=f"llm:{settings.model}",
                    description=f"{settings.model} rewrite" + (f" (feedback round {request.round})" if request.round else ""),
                    meta={"round": request.round, "sample": sample, "cached": answer.cached},
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
