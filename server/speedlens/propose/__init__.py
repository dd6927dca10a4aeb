"""Proposers turn a target into candidate rewrites; the sandbox decides which ones are real.

A proposer never judges its own output: the engine verifies every candidate, and hands the verdicts back on the
next round (``ProposalRequest.history``) so a proposer that can learn from failures (the LLM) may try again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from speedlens.config import Settings
from speedlens.models import Candidate, Result, Target


@dataclass
class ProposalRequest:
    source: str  # the whole buffer the target lives in
    target: Target
    path: Path
    settings: Settings
    round: int = 0  # 0 = first proposals; 1.. = feedback rounds
    history: list[Result] = field(default_factory=list)  # this proposer's earlier candidates and verdicts


class Proposer(Protocol):
    name: str

    async def propose(self, request: ProposalRequest) -> list[Candidate]:
        """Candidates for ``request.target`` (an empty list when there is nothing (more) to try)."""
        ...
