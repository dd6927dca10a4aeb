"""Corpus loading (streamed, forgiving) and BM25 retrieval by code structure, with its on-disk cache."""

from __future__ import annotations

import inspect
import json
import os

import pytest

from speedlens.config import Settings
from speedlens.errors import ConfigError
from speedlens.retrieval import corpus as corpus_mod
from speedlens.retrieval import index as index_mod
from speedlens.retrieval.corpus import LoadStats, Pair, iter_pairs, load_corpus, pie_paths, read_pair
from speedlens.retrieval.index import RetrievalIndex, index_for, normalize

PROGRAMS = {
    "sum_loop": """#include <bits/stdc++.h>
using namespace std;
int main() {
    long long n; cin >> n;
    long long total = 0;
    for (long long i = 1; i <= n; i++) total += i;
    cout << total << endl;
}
""",
    "io_endl": """#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n; cin >> n;
    vector<int> v(n);
    for (int i = 0; i < n; i++) cin >> v[i];
    for (int i = 0; i < n; i++) cout << v[i] * 2 << endl;
    return 0;
}
""",
    "fib_rec": """#include <cstdio>
long long fib(int n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
int main() { int n; scanf("%d", &n); printf("%lld\\n", fib(n)); }
""",
    "map_count": """#include <bits/stdc++.h>
using namespace std;
int main() {
    int n; cin >> n; map<string, int> cnt;
    for (int i = 0; i < n; i++) { string s; cin >> s; cnt[s]++; }
    string best; int bestc = 0;
    for (auto &p : cnt) if (p.second > bestc) { best = p.first; bestc = p.second; }
    cout << best << " " << bestc << "\\n";
}
""",
    "prime_trial": """#include <bits/stdc++.h>
using namespace std;
bool isPrime(int x) { if (x < 2) return false; for (int d = 2; d < x; d++) if (x % d == 0) return false; return true; }
int main() { int n; cin >> n; int c = 0; for (int i = 0; i <= n; i++) if (isPrime(i)) c++; cout << c << '\\n'; }
""",
    "matrix": """#include <bits/stdc++.h>
using namespace std;
int a[500][500], b[500][500], c[500][500];
int main() { int n; scanf("%d", &n);
  for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) scanf("%d", &a[i][j]);
  for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) scanf("%d", &b[i][j]);
  for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) c[i][j] += a[i][k] * b[k][j];
  printf("%d\\n", c[n-1][n-1]); }
""",
}

# sum_loop with every identifier renamed and the constants changed: the same structure.
RENAMED_SUM = """#include <bits/stdc++.h>
using namespace std;
int main() {
    long long count_; cin >> count_;
    long long acc = 7;
    // a comment that says nothing
    for (long long k = 3; k <= count_; k++) acc += k;
    cout << acc << endl;
}
"""


def write_corpus(path, names=PROGRAMS, extra_lines=()):
    with open(path, "w") as f:
        for name in names:
            record = {"problem_id": name, "src_id": f"{name}-s", "tgt_id": f"{name}-t",
                      "src_code": PROGRAMS[name], "tgt_code": PROGRAMS[name] + "// fast\n",
                      "src_agg_runtime": 2.0, "tgt_agg_runtime": 1.0, "category": "test", "inputs": ["1\n"]}
            f.write(json.dumps(record) + "\n")
        for line in extra_lines:
            f.write(line + "\n")
    return path


@pytest.fixture(autouse=True)
def fresh_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    index_mod._indexes.clear()
    corpus_mod.read_pair.cache_clear()
    yield
    index_mod._indexes.clear()
    corpus_mod.read_pair.cache_clear()


def test_loader_streams_and_skips_malformed_lines(tmp_path):
    path = write_corpus(tmp_path / "c.jsonl", ["sum_loop", "fib_rec"], extra_lines=[
        "{not json", "", '{"src_code": "int main(){}"}', "[1, 2]", '{"src_code": "a", "tgt_code": "b", "inputs": 3}',
    ])
    stats = LoadStats()
    stream = iter_pairs(path, stats)
    assert inspect.isgenerator(stream)
    loaded = list(stream)
    assert [p.problem_id for _, p in loaded] == ["sum_loop", "fib_rec"]
    assert (stats.loaded, stats.skipped) == (2, 4)
    ref, pair = loaded[1]
    assert read_pair(ref) == pair
    assert pair.speedup == 2.0 and pair.inputs == ("1\n",) and pair.category == "test"


def test_pie_path_files_dirs_and_errors(tmp_path):
    d = tmp_path / "pie"
    d.mkdir()
    write_corpus(d / "train.jsonl", ["sum_loop"])
    write_corpus(d / "val.jsonl", ["fib_rec"])
    single = write_corpus(tmp_path / "one.jsonl", ["matrix"])
    assert pie_paths(f"{d}{os.pathsep}{single}") == [d / "train.jsonl", d / "val.jsonl", single]
    pairs = load_corpus(Settings(pie_path=str(d)))
    assert {"sum_loop", "fib_rec"} <= {p.problem_id for p in pairs}
    with pytest.raises(ConfigError, match="does not exist"):
        load_corpus(Settings(pie_path=str(tmp_path / "missing.jsonl")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no \\*.jsonl"):
        pie_paths(str(tmp_path / "empty"))


def test_normalizer_abstracts_names_and_literals():
    toks = normalize('vector<int> values; for (int i = 0; i < 10; i++) cout << "x // y" << endl; // gone\n/* gone */')
    assert toks[:5] == ["vector", "<", "int", ">", "ID"]
    assert "NUM" in toks and "STR" in toks and "cout" in toks and "endl" in toks and "for" in toks
    assert not any("gone" in t or "values" in t for t in toks)
    assert normalize(PROGRAMS["sum_loop"]) == normalize(RENAMED_SUM.replace("= 7", "= 0").replace("= 3", "= 1"))


def test_top_k_finds_structurally_same_program(tmp_path):
    path = write_corpus(tmp_path / "c.jsonl")
    index = index_for([path])
    found = index.search(RENAMED_SUM, k=3)
    assert found[0].problem_id == "sum_loop"
    assert len(found) == 3
    # a pair identical to the query is never its own example
    assert "io_endl" not in [p.problem_id for p in index.search(PROGRAMS["io_endl"], k=4)]
    assert index.search("", k=4) == [] and index.search(RENAMED_SUM, k=0) == []


def test_index_cached_on_disk_and_rebuilt_when_corpus_changes(tmp_path, monkeypatch):
    path = write_corpus(tmp_path / "c.jsonl", ["sum_loop", "fib_rec", "matrix"])
    first = index_for([path])
    assert index_for([path]) is first  # memory
    builds = []
    real_build = RetrievalIndex.build.__func__
    def counted_build(cls, *args, **kwargs):
        builds.append(1)
        return real_build(cls, *args, **kwargs)

    monkeypatch.setattr(RetrievalIndex, "build", classmethod(counted_build))
    index_mod._indexes.clear()
    loaded = index_for([path])  # disk
    assert builds == [] and loaded is not first and loaded.key == first.key
    assert loaded.search(RENAMED_SUM, k=1)[0].problem_id == "sum_loop"
    write_corpus(path, ["fib_rec", "matrix", "sum_loop", "io_endl"])
    rebuilt = index_for([path])
    assert builds == [1] and rebuilt.key != first.key and len(rebuilt) == 4


def test_empty_corpus_retrieves_nothing(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    assert index_for([path]).search(RENAMED_SUM, k=4) == []


def test_bundled_corpus_pairs_are_well_formed():
    for pair in corpus_mod.bundled_corpus():
        assert isinstance(pair, Pair) and pair.src_code.strip() and pair.tgt_code.strip()


def test_building_an_index_logs_nothing_below_the_applications_level(tmp_path):
    # The CLI's logging setup: a root handler with no level of its own, the root at WARNING (no -v). bm25s sets
    # its logger to DEBUG on import; its "Building index" lines must not come through (they did with --json).
    import io
    import logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        RetrievalIndex.build([write_corpus(tmp_path / "c.jsonl")])
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert stream.getvalue() == ""
