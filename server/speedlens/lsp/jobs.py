"""Optimize jobs: one asyncio task per document, with work-done progress, cancellation and status.

A job is cancelled by ``speedlens.cancel``, by the client (``window/workDoneProgress/cancel`` or
``$/cancelRequest`` on the executeCommand request), by an edit of its document, by a new optimize of the same
document and at shutdown. Cancelling the task makes the engine kill its sandboxed processes; ``cancel`` waits
for that, so when it returns no child process of the job is left.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from speedlens import format as fmt
from speedlens.engine import best_per_target
from speedlens.errors import SpeedlensError
from speedlens.lsp import convert
from speedlens.lsp.documents import Doc, get_doc
from speedlens.testcases import NO_TESTS_CODE, editor_no_tests_hint, is_no_tests

if TYPE_CHECKING:  # pragma: no cover
    from speedlens.lsp.server import SpeedlensServer

log = logging.getLogger("speedlens.lsp")

STATUS_NOTIFICATION = "speedlens/status"
# The states of the status notification and of an optimize command's result (protocol.schema.json):
# idle (no run; ``bestSpeedup`` is what the current text has), running, done, cancelled, error.
STATES = ("idle", "running", "done", "cancelled", "error")
PROGRESS_INTERVAL_S = 0.1
CANCEL_WAIT_S = 15.0
ANNOUNCE_AFTER_S = 0.5  # after an edit, the status says what the new text has once typing pauses


@dataclass
class Job:
    uri: str
    doc: Doc
    path: Path  # the document's file (a job runs only on documents that have one)
    line: int | None
    token: str | None = None
    task: asyncio.Task | None = None
    started: float = field(default_factory=time.monotonic)


@dataclass
class StoredReport:
    key: tuple  # Doc.key of the text the report was computed on
    report: Any


class Jobs:
    def __init__(self, ls: SpeedlensServer) -> None:
        self.ls = ls
        self.running: dict[str, Job] = {}
        self.reports: dict[str, StoredReport] = {}
        self._announcements: dict[str, asyncio.TimerHandle] = {}

    # -- public ------------------------------------------------------------------------------------
    async def optimize(self, uri: str, line: int | None = None) -> dict[str, Any]:
        """Run (or re-run) optimization of ``uri``; returns a small JSON summary when it ends."""
        await self.cancel(uri)
        doc = get_doc(self.ls, uri)
        if doc is None or doc.path is None:
            return self._summary(uri, "error", f"cannot read {uri}: not an open document nor a readable file")
        if not doc.analysable:
            return self._summary(uri, "error", "file too large or binary: speedlens does not optimize it")
        try:
            engine = self.ls.settings_manager.engine_for(doc.path)
            language = engine.language_of(doc.path, doc.text)
        except SpeedlensError as exc:
            self.ls.show_once(exc)
            return self._summary(uri, "error", str(exc))
        if language is None:
            return self._summary(uri, "error", "not a C++ program or TVM-script file (no @T.prim_func)")
        if line is not None and doc.lines and not 0 <= line < len(doc.lines):
            return self._summary(uri, "error", f"line {line} is outside the document (0..{len(doc.lines) - 1})")
        job = Job(uri=uri, doc=doc, path=doc.path, line=line)
        job.task = asyncio.ensure_future(self._run(job, engine))
        self.running[uri] = job
        try:
            await asyncio.wait([job.task])
        except asyncio.CancelledError:  # the client cancelled the executeCommand request
            job.task.cancel()
            raise
        if job.task.cancelled():
            return self._summary(uri, "cancelled", "cancelled", best=await self._current_best(uri))
        return job.task.result()

    async def cancel(self, uri: str) -> bool:
        """Cancel the document's job and wait until its processes are gone."""
        job = self.running.get(uri)
        if job is None or job.task is None:
            return False
        job.task.cancel()
        await asyncio.wait([job.task], timeout=CANCEL_WAIT_S)
        return True

    def cancel_nowait(self, uri: str) -> None:
        job = self.running.get(uri)
        if job is not None and job.task is not None and not job.task.done():
            log.info("edit of %s cancels its running optimization", uri)
            job.task.cancel()

    def cancel_token(self, token: Any) -> None:
        for job in list(self.running.values()):
            if job.token == token and job.task is not None:
                log.info("client cancelled optimization of %s", job.uri)
                job.task.cancel()

    async def cancel_all(self) -> None:
        tasks = [j.task for j in self.running.values() if j.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=CANCEL_WAIT_S)

    # -- the job -----------------------------------------------------------------------------------
    async def _run(self, job: Job, engine) -> dict[str, Any]:
        doc = job.doc
        what = job.path.name if job.line is None else f"{job.path.name}:{job.line + 1}"
        self.status(job.uri, "running", f"optimizing {what}")
        last_time, last_message = 0.0, ""

        def progress(message: str, percentage: int | None = None) -> None:
            nonlocal last_time, last_message
            now = time.monotonic()
            if message == last_message or now - last_time < PROGRESS_INTERVAL_S:
                return
            last_time, last_message = now, message
            self._report_progress(job, message, percentage)
            self.status(job.uri, "running", message, percentage=percentage)

        outcome = "failed"
        try:
            await self._begin_progress(job, f"speedlens: optimizing {what}")
            report = await engine.optimize(job.path, doc.text, line=job.line, progress=progress)
        except asyncio.CancelledError:
            outcome = "cancelled"
            self._cancelled_status(job.uri)
            raise
        except SpeedlensError as exc:
            problem = self._problem(doc, exc, job.line or 0)
            self.ls.show_once(SpeedlensError(problem[0]))
            self.ls.diagnostics.set_problems(doc, [problem])
            self.status(job.uri, "error", exc.message)
            return self._summary(job.uri, "error", problem[0])
        except Exception as exc:
            log.exception("optimizing %s failed", job.uri)
            self.ls.show_once(SpeedlensError(f"speedlens: optimizing {job.path.name} failed: {exc}"),
                              types.MessageType.Error)
            self.status(job.uri, "error", f"failed: {exc}")
            return self._summary(job.uri, "error", f"internal error: {exc}")
        else:
            outcome, best = self._outcome(doc, report)
        finally:
            self._end_progress(job, outcome)
            if self.running.get(job.uri) is job:
                del self.running[job.uri]
        return await self._publish(job, report, outcome, best)

    def _outcome(self, doc: Doc, report: Any) -> tuple[str, Any]:
        """The one-line outcome of a finished run and the best verified verdict (None when nothing verified)."""
        verified = [r for r in report.results if r.verdict.verified]
        best = max(verified, key=lambda r: r.verdict.speedup or 0.0).verdict if verified else None
        if best is not None:
            return f"{fmt.faster(best)}: {len(verified)} verified rewrite(s)", best
        if report.problems:
            return self._problem(doc, report.problems[0], 0)[0], None
        return "no verified speedup found", None

    async def _publish(self, job: Job, report: Any, outcome: str, best: Any) -> dict[str, Any]:
        """Store the report, warm the views of the unchanged text, show its problems and warnings, say done."""
        doc = job.doc
        self.reports[job.uri] = StoredReport(doc.key, report)
        self.ls.results_view.invalidate(job.uri)
        current = get_doc(self.ls, job.uri)
        if current is not None and current.key == doc.key:
            await self.ls.results_view.get(current)  # warm: the hints and quick fixes answer at once
        anchor = job.line if job.line is not None else min((t.anchor_line for t in getattr(report, "targets", [])),
                                                           default=0)
        self.ls.diagnostics.set_problems(doc, [self._problem(doc, p, anchor) for p in report.problems])
        for warning in getattr(report, "warnings", []) or []:
            self.ls.show_once(SpeedlensError(f"speedlens: {warning}"))
        self.ls.refresh_views()
        self.status(job.uri, "done", outcome, best)
        return self._summary(job.uri, "done", outcome, report=report)

    @staticmethod
    def _problem(doc: Doc, problem: Any, line: int) -> tuple:
        """A run's problem as (message, line, diagnostic code), its fix worded for an editor user."""
        if is_no_tests(problem) and doc.path is not None:
            return f"{problem.message}\n  fix: {editor_no_tests_hint(doc.path)}", line, NO_TESTS_CODE
        return str(problem), line, "blocked"

    async def _current_best(self, uri: str) -> Any:
        """The best verified verdict for the document's current text (cached results), or None."""
        doc = get_doc(self.ls, uri)
        if doc is None:
            return None
        try:
            best = best_per_target(await self.ls.results_view.get(doc))
        except (SpeedlensError, OSError) as exc:  # pragma: no cover - a lookup failure only loses the figure
            log.debug("no cached results for %s: %s", uri, exc)
            return None
        return max((r.verdict for r in best), key=lambda v: v.speedup or 0.0, default=None)

    def _cancelled_status(self, uri: str) -> None:
        """State "cancelled", with the figure the current text still has (its lenses stay truthful)."""
        async def send() -> None:
            best = await self._current_best(uri)
            if uri not in self.running:  # else a new run reports itself
                self.status(uri, "cancelled", "cancelled", best)

        asyncio.ensure_future(send())

    async def announce(self, uri: str) -> None:
        """Tell the client what the document's current text has (after an open, a restart or an edit): state
        "idle" with the best cached figure, or none. Nothing while a job runs (it reports itself)."""
        if uri in self.running:
            return
        best = await self._current_best(uri)
        if uri not in self.running:
            self.status(uri, "idle", "", best)

    def announce_later(self, uri: str, delay_s: float = ANNOUNCE_AFTER_S) -> None:
        """``announce`` once typing pauses (one pending announcement per document)."""
        handle = self._announcements.pop(uri, None)
        if handle is not None:
            handle.cancel()
        self._announcements[uri] = asyncio.get_running_loop().call_later(delay_s, self._announce_now, uri)

    def _announce_now(self, uri: str) -> None:
        self._announcements.pop(uri, None)
        asyncio.ensure_future(self.announce(uri))

    def _summary(self, uri: str, state: str, message: str, report: Any = None, best: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": uri, "state": state, "message": message}
        if best is not None:
            out["bestSpeedup"] = best.speedup
            out["bestLabel"] = fmt.best_label(best)
        if report is not None:
            verified = [r for r in report.results if r.verdict.verified]
            out["verified"] = len(verified)
            out["candidates"] = len(report.results)
            out["problems"] = [str(p) for p in report.problems]
            if verified:
                top = max((r.verdict for r in verified), key=lambda v: v.speedup or 0.0)
                out["bestSpeedup"] = top.speedup
                out["bestLabel"] = fmt.best_label(top)
            out["results"] = [
                {"target": r.target.name, "startLine": r.target.start_line, "endLine": r.target.end_line,
                 "proposer": r.candidate.proposer, "status": r.verdict.status.value,
                 "speedup": r.verdict.speedup, "speedupLower": r.verdict.speedup_lower,
                 "alpha": r.verdict.alpha, "inputsPassed": r.verdict.inputs_passed,
                 "nInputs": r.verdict.n_inputs, "code": r.candidate.code,
                 "label": convert.hint_label(r) if r.verdict.verified else r.verdict.status.value}
                for r in report.results
            ]
        return out

    # -- progress & status -------------------------------------------------------------------------
    def _supports_progress(self) -> bool:
        caps = self.ls.client_capabilities
        return bool(caps and caps.window and caps.window.work_done_progress)

    async def _begin_progress(self, job: Job, title: str) -> None:
        if not self._supports_progress():
            return
        token = f"speedlens-{uuid.uuid4().hex}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except (JsonRpcException, OSError, RuntimeError) as exc:
            log.info("client refused a progress token: %s", exc)
            return
        job.token = token
        self.ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, cancellable=True, message="starting", percentage=0)
        )

    def _report_progress(self, job: Job, message: str, percentage: int | None) -> None:
        if job.token is None:
            return
        pct = None if percentage is None else max(0, min(100, int(percentage)))
        self.ls.work_done_progress.report(
            job.token, types.WorkDoneProgressReport(message=message, percentage=pct, cancellable=True)
        )

    def _end_progress(self, job: Job, outcome: str) -> None:
        if job.token is None:
            return
        self.ls.work_done_progress.end(job.token, types.WorkDoneProgressEnd(message=outcome))
        self.ls.work_done_progress.tokens.pop(job.token, None)

    def status(self, uri: str, state: str, message: str, best: Any = None, percentage: int | None = None) -> None:
        """The custom status notification (protocol.schema.json); ``best`` is the best verified Verdict (a bound
        always comes with alpha), ``bestLabel`` its text as every view writes it (speedlens.format)."""
        params: dict[str, Any] = {"uri": uri, "state": state, "message": message}
        if best is not None:
            params["bestSpeedup"] = round(best.speedup, 3)
            params["bestLabel"] = fmt.best_label(best)
            if best.speedup_lower is not None:
                params["bestSpeedupLower"] = round(best.speedup_lower, 3)
                params["alpha"] = best.alpha
        if percentage is not None:
            params["percentage"] = max(0, min(100, int(percentage)))
        try:
            self.ls.protocol.notify(STATUS_NOTIFICATION, params)
        except (OSError, RuntimeError):  # pragma: no cover - the client is gone
            log.debug("could not send %s", STATUS_NOTIFICATION)
