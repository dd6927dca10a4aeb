"""write_atomically: the old text or the new, the file's permissions kept, no temporary file left behind."""

from __future__ import annotations

import pytest

from speedlens.files import write_atomically


def test_replaces_the_text_and_keeps_the_permissions(tmp_path):
    path = tmp_path / "prog.cpp"
    path.write_text("old\n")
    path.chmod(0o640)
    write_atomically(path, "new\n", durable=True)
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["prog.cpp"]


def test_a_failed_write_leaves_the_old_text_and_no_temporary_file(tmp_path):
    path = tmp_path / "cache.json"
    path.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "\udcff")  # a lone surrogate cannot be encoded
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]
