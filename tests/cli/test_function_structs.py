"""A library function over the project's own structs, verified through the CLI: the harness builds the header's
aggregates (its own headers' too) with seeded values and compares the returned struct field by field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_cli import speedlens

POINT = """#pragma once
namespace geo {
struct Point { double x; double y; };
}
"""
HEADER = """#pragma once
#include <vector>
#include "point.hpp"
namespace geo {
struct Box { Point low; Point high; };
Box bounds(const std::vector<Point>& points);
}
"""
SOURCE = """#include "geo.hpp"
namespace geo {
Box bounds(const std::vector<Point>& points) {
    Box box{{0, 0}, {0, 0}};
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (i == 0 || points[i].x < box.low.x) box.low.x = points[i].x;
        if (i == 0 || points[i].y < box.low.y) box.low.y = points[i].y;
        if (i == 0 || points[i].x > box.high.x) box.high.x = points[i].x;
        if (i == 0 || points[i].y > box.high.y) box.high.y = points[i].y;
    }
    return box;
}
}
"""

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


@pytest.mark.parametrize(("old", "new", "status"), [
    ("points[i].y > box.high.y", "points[i].y >= box.high.y + 1", "incorrect"),  # one field of one struct wrong
    ("for (std::size_t i = 0; i < points.size(); ++i) {", "const std::size_t n = points.size();\n"
     "    for (std::size_t i = 0; i < n; ++i) {", "correct"),
])
def test_a_rewrite_over_header_structs_is_verified_field_by_field(tmp_path: Path, old: str, new: str, status: str):
    (tmp_path / "point.hpp").write_text(POINT)  # included by geo.hpp only: found through the compile's scan
    (tmp_path / "geo.hpp").write_text(HEADER)
    (tmp_path / "geo.cpp").write_text(SOURCE)
    (tmp_path / "candidate.cpp").write_text(SOURCE.replace(old, new))
    (tmp_path / "speedlens.toml").write_text("[timing]\nbudget_s = 8.0\nmax_repetitions = 8\n")
    done = speedlens("verify", "geo.cpp", "candidate.cpp", "--json", cwd=tmp_path)
    assert done.stdout, done.stderr
    verdict = json.loads(done.stdout)
    if status == "incorrect":
        assert done.returncode == 1 and verdict["status"] == "incorrect", done.stderr
        assert "return: {low={x=" in verdict["detail"] and "high={x=" in verdict["detail"]
    else:
        assert verdict["status"] != "incorrect" and verdict["inputs_passed"] == verdict["n_inputs"], verdict
