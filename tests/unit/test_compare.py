from speedlens.sandbox.compare import outputs_match


def test_trailing_whitespace_and_blank_lines_ignored():
    assert outputs_match(b"1 2\n3\n", b"1 2   \n3\n\n\n")[0]


def test_difference_is_described():
    ok, diff = outputs_match(b"a\nb\nc\n", b"a\nX\nc\n")
    assert not ok and "line 2" in diff and "-b" in diff and "+X" in diff


def test_length_difference_is_described():
    ok, diff = outputs_match(b"1\n2\n", b"1\n")
    assert not ok and "expected 2 lines, got 1" in diff


def test_numeric_tolerance():
    assert not outputs_match(b"0.3333333\n", b"0.3333334\n")[0]
    assert outputs_match(b"x 0.3333333\n", b"x 0.3333334\n", tolerance=1e-6)[0]
    assert not outputs_match(b"x 0.33\n", b"y 0.33\n", tolerance=1e-6)[0]
