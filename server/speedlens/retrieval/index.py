"""BM25 retrieval of the corpus pairs whose *slow* program looks most like the code being optimized.

Code is compared by structure, not by names: identifiers become ``ID``, numbers ``NUM``, strings ``STR`` and
comments vanish, while keywords and standard-library names keep their spelling (``vector``, ``cin``, ``endl``
say a lot about where the time goes). Bigrams of those tokens add local shape (``for ( ID``, ``cin >>``).

The index is built once per corpus and saved under the user cache dir, keyed by the corpus files (path, size,
mtime) and ``NORMALIZER_VERSION``; a changed corpus or normalizer gets a fresh index, an unchanged one loads in
milliseconds. Pairs are re-read from their byte offsets, so the 1 GB PIE split never sits in memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from speedlens.retrieval.corpus import LoadStats, Pair, PairRef, corpus_sources, iter_pairs, read_pair
from speedlens.sandbox.run import cache_dir

log = logging.getLogger(__name__)

NORMALIZER_VERSION = "1"  # bump when normalize() changes: cached indexes are keyed by it
QUERY_TERMS = 160  # the query's rarest terms scored; common terms add ~nothing to BM25 but cost time
MIN_QUERY_TERMS = 8
POSTINGS_BUDGET = 300_000  # posting entries summed per query: bounds the latency on huge corpora

CPP_KEYWORDS = """
alignas alignof and asm auto bool break case catch char char16_t char32_t char8_t class const constexpr
const_cast continue decltype default delete do double dynamic_cast else enum explicit extern false float for
friend goto if inline int long mutable namespace new noexcept not nullptr operator or private protected public
register reinterpret_cast return short signed sizeof static static_assert static_cast struct switch template
this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
while define include ifdef ifndef endif pragma
""".split()

STD_NAMES = """
std vector map set multiset multimap unordered_map unordered_set pair tuple string string_view array deque
list queue priority_queue stack bitset valarray greater less cin cout cerr endl scanf printf puts gets getline
getchar putchar fgets fread fwrite ios ios_base sync_with_stdio tie stdin stdout freopen fflush
push_back emplace_back pop_back push pop front back top insert erase find count lower_bound upper_bound
equal_range binary_search sort stable_sort reverse unique accumulate partial_sum iota fill memset memcpy min max
swap abs fabs pow sqrt cbrt exp log log2 log10 floor ceil round make_pair make_tuple first second begin end
rbegin rend size empty clear resize reserve assign substr to_string stoi stol stoll atoi strlen strcmp strcpy
next_permutation prev_permutation min_element max_element gcd lcm __gcd __builtin_popcount __builtin_popcountll
__builtin_ctz __builtin_clz nth_element shuffle rand srand malloc calloc free exit return
int64_t uint64_t int32_t uint32_t size_t main
""".split()

KEEP = frozenset(CPP_KEYWORDS) | frozenset(STD_NAMES)

# One pass over the text: the first alternative that matches wins (comments before '/', strings before
# punctuation, a whole #include line as one token). Everything else is a one-character token.
_TOKEN = re.compile(
    r"""
      //[^\n]*                                   # line comment
    | /\*.*?(?:\*/|\Z)                           # block comment (even unterminated)
    | \#[ \t]*include[ \t]*[<"][^>"\n]*[>"]?     # #include <header>
    | R"(?P<delim>[^(\s]*)\(.*?\)(?P=delim)"     # raw string
    | (?:u8|[uUL])?"(?:\\.|[^"\\\n])*"?          # string
    | (?:u8|[uUL])?'(?:\\.|[^'\\\n])*'?          # char
    | \.?\d(?:[\w.']|[eEpP][+-])*                # number
    | [A-Za-z_]\w*                               # identifier or keyword
    | ::|->\*?|<<=?|>>=?|\+\+|--|&&|\|\||[-+*/%&|^!=<>]=|\.\.\.
    | \S
    """,
    re.VERBOSE | re.DOTALL,
)


def normalize(code: str) -> list[str]:
    """Structural tokens of C++ ``code``: names and literals abstracted, keywords/std names kept, no comments."""
    out: list[str] = []
    append = out.append
    for m in _TOKEN.finditer(code):
        tok = m.group()
        c = tok[0]
        if c == "/" and tok[1:2] in ("/", "*"):
            continue
        if c.isdigit() or (c == "." and tok[1:2].isdigit()):
            append("NUM")
        elif c == "#":
            append(re.sub(r"\s+", "", tok))
        elif '"' in tok or "'" in tok:  # also u8"..", L'x', R"(..)"
            append("STR")
        elif c.isalpha() or c == "_":
            append(tok if tok in KEEP else "ID")
        else:
            append(tok)
    return out


def terms(code: str) -> list[str]:
    """The BM25 terms of ``code``: its normalized tokens and their bigrams (structure beats vocabulary)."""
    toks = normalize(code)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def cache_root() -> Path:
    return cache_dir("retrieval")


def corpus_key(sources: Iterable[Path]) -> str:
    """Changes whenever a corpus file or the normalizer changes: the name of the cached index."""
    h = hashlib.sha256(f"normalizer={NORMALIZER_VERSION}".encode())
    for path in sources:
        st = Path(path).stat()
        h.update(f"\0{Path(path).resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


class RetrievalIndex:
    """A BM25 index over the slow programs of a corpus; ``search`` returns the most similar pairs."""

    def __init__(self, bm25: Any, refs: list[PairRef], key: str = ""):
        self.bm25 = bm25
        self.refs = refs
        self.key = key
        vocab = bm25.vocab_dict if bm25 is not None else {}
        self._vocab: dict[str, int] = vocab
        self._df = _document_frequencies(bm25) if bm25 is not None else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.refs)

    # -- building and caching --------------------------------------------------------------------------------
    @classmethod
    def build(cls, sources: list[Path], key: str = "") -> RetrievalIndex:
        """Index every pair of ``sources`` (streamed; only the slow code's terms are kept)."""
        import bm25s

        refs: list[PairRef] = []
        # Term ids, not term strings: 77K programs' bigrams as strings would take gigabytes.
        vocab: dict[str, int] = {}
        docs: list[list[int]] = []
        for path in sources:
            for ref, pair in iter_pairs(path, LoadStats()):
                refs.append(ref)
                docs.append([vocab.setdefault(t, len(vocab)) for t in terms(pair.src_code)])
        if not refs:
            return cls(None, [], key)
        bm25 = bm25s.BM25()
        bm25.index((docs, vocab), show_progress=False)
        return cls(bm25, refs, key)

    def save(self, directory: Path) -> None:
        """Write the index atomically (a temp dir renamed into place), so readers never see half of it."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=directory.parent))
        try:
            if self.bm25 is not None:
                self.bm25.save(str(tmp), show_progress=False)
            paths = sorted({r.path for r in self.refs})
            index_of = {p: i for i, p in enumerate(paths)}
            refs = {"paths": paths, "refs": [[index_of[r.path], r.offset] for r in self.refs]}
            (tmp / "refs.json").write_text(json.dumps(refs))
            try:
                os.replace(tmp, directory)
            except OSError:  # another process got there first: theirs is as good as ours
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, key: str = "") -> RetrievalIndex:
        import bm25s

        data = json.loads((directory / "refs.json").read_text())
        refs = [PairRef(data["paths"][i], offset) for i, offset in data["refs"]]
        if not refs:
            return cls(None, [], key)
        bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(bm25, refs, key)

    # -- querying --------------------------------------------------------------------------------------------
    def search(self, code: str, k: int = 4) -> list[Pair]:
        """The ``k`` pairs whose slow program is most like ``code``, best first; ``code`` itself excluded."""
        if not self.refs or k <= 0:
            return []
        ids = self._query_ids(code)
        if not len(ids):
            return []
        scores = self._scores(ids)
        want = min(len(scores), k + 3)  # a few spares for pairs identical to the query
        top = np.argpartition(-scores, want - 1)[:want] if want < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        query = code.strip()
        found: list[Pair] = []
        for i in top:
            if scores[i] <= 0:
                break
            pair = read_pair(self.refs[int(i)])
            if pair.src_code.strip() == query or pair.tgt_code.strip() == query:
                continue
            found.append(pair)
            if len(found) == k:
                break
        return found

    def _query_ids(self, code: str) -> np.ndarray:
        """The query's distinct known terms, rarest (most telling) first, within the term and posting budgets.

        Terms found in most programs (``int``, ``; }``) weigh almost nothing in BM25 but cost a full posting
        list each: dropping them keeps the p99 latency flat as the corpus grows, at no cost in ranking.
        """
        ids = np.fromiter({self._vocab[t] for t in terms(code) if t in self._vocab}, dtype=np.int64)
        if not len(ids):
            return ids
        ids = ids[np.argsort(self._df[ids], kind="stable")][:QUERY_TERMS]
        within = np.cumsum(self._df[ids]) <= POSTINGS_BUDGET
        return ids[: max(MIN_QUERY_TERMS, int(within.sum()))]

    def _scores(self, ids: np.ndarray) -> np.ndarray:
        """BM25 scores of every document: bm25s's precomputed term scores, summed with one bincount."""
        s = self.bm25.scores
        data, indices, indptr = s["data"], s["indices"], s["indptr"]
        spans = [(int(indptr[i]), int(indptr[i + 1])) for i in ids if i + 1 < len(indptr)]
        if not spans:
            return np.zeros(len(self.refs))
        docs = np.concatenate([indices[a:b] for a, b in spans])
        weights = np.concatenate([data[a:b] for a, b in spans])
        return np.bincount(docs, weights=weights, minlength=len(self.refs))


def _document_frequencies(bm25: Any) -> np.ndarray:
    """How many documents hold each term (bm25s keeps no column for its empty token: it counts as 0)."""
    df = np.diff(np.asarray(bm25.scores["indptr"]))
    missing = max(0, len(bm25.vocab_dict) - len(df))
    return np.concatenate([df, np.zeros(missing, dtype=df.dtype)])


_indexes: dict[str, RetrievalIndex] = {}
_lock = threading.Lock()


def index_for(sources: list[Path]) -> RetrievalIndex:
    """The index of ``sources``: from memory, else from the disk cache, else built (and then cached)."""
    key = corpus_key(sources)
    with _lock:
        index = _indexes.get(key)
        if index is not None:
            return index
        directory = cache_root() / key
        index = None
        if (directory / "refs.json").is_file():
            try:
                index = RetrievalIndex.load(directory, key)
            except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
                log.warning("retrieval cache %s unreadable (%s): rebuilding", directory, exc)
                shutil.rmtree(directory, ignore_errors=True)
        if index is None:
            index = RetrievalIndex.build(sources, key)
            try:
                index.save(directory)
            except OSError as exc:
                log.warning("could not cache the retrieval index in %s: %s", directory, exc)
        _indexes.clear()  # one corpus at a time: a changed corpus replaces the old index in memory
        _indexes[key] = index
        return index


def retrieve(code: str, settings: Any, k: int | None = None) -> list[Pair]:
    """The ``k`` (default ``settings.examples``) corpus pairs most like ``code``, for the prompt."""
    k = getattr(settings, "examples", 4) if k is None else k
    if k <= 0:
        return []
    return index_for(corpus_sources(settings)).search(code, k)
