"""Columns in the client's position encoding: the server speaks whatever pygls negotiated (the client's first
choice among UTF-8, UTF-16 and UTF-32), so a diagnostic after an emoji or an accent lands on its match."""

from __future__ import annotations

import pytest
from lsprotocol import types

from speedlens.propose.findings import findings
from tests.e2e.conftest import capabilities, open_doc, session, wait_for

pytestmark = [pytest.mark.timeout(120)]

LINE = "/* 😀 naïve */ long long f(const vector<long long>& v) { long long s = 0; " \
       "for (size_t k = 0; k < v.size(); k++) s += v[k]; return s; }"
PROGRAM = f"#include <bits/stdc++.h>\nusing namespace std;\n{LINE}\n"

UNITS = {
    types.PositionEncodingKind.Utf8: lambda s: len(s.encode("utf-8")),
    types.PositionEncodingKind.Utf16: lambda s: len(s.encode("utf-16-le")) // 2,
    types.PositionEncodingKind.Utf32: len,
}


@pytest.mark.parametrize("encoding", [None, *UNITS])
async def test_diagnostic_columns_are_in_the_negotiated_encoding(tmp_path, encoding):
    caps = capabilities()
    if encoding is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=[encoding])
    async for client in session(tmp_path, caps):
        negotiated = client.init_result.capabilities.position_encoding or types.PositionEncodingKind.Utf16
        assert negotiated == (encoding or types.PositionEncodingKind.Utf16)
        units = UNITS[negotiated]
        path = client.workspace_dir / "enc.cpp"
        path.write_text(PROGRAM)
        uri = open_doc(client, path)
        diagnostics = await wait_for(lambda client=client, uri=uri: client.diagnostics.get(uri), what="diagnostics")
        expected = sorted((f.rule, units(LINE[: f.start_col]), units(LINE[: f.end_col]))
                          for f in findings(PROGRAM) if f.start_line == 2)
        assert expected and any(rule == "hoist-loop-bound" for rule, _, _ in expected)
        got = sorted((str(d.code), d.range.start.character, d.range.end.character)
                     for d in diagnostics if d.range.start.line == 2)
        assert got == expected
