"""One adapter per kind of target; the engine uses the first, in this order, that handles a file.

More specific adapters come first (a C++ function adapter goes before the program one).
"""

from __future__ import annotations

from .base import Adapter, Job, key_context, result_key, target_key
from .cpp_function import CppFunctionAdapter
from .cpp_program import CppProgramAdapter
from .tvm import TvmAdapter

ADAPTERS: tuple[type, ...] = (CppFunctionAdapter, CppProgramAdapter, TvmAdapter)

__all__ = ["ADAPTERS", "Adapter", "CppFunctionAdapter", "CppProgramAdapter", "Job", "TvmAdapter", "key_context",
           "result_key", "target_key"]
