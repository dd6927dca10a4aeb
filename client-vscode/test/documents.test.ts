import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DocLike, isServed, isTvmScript, mightBeServed, reportMarkdown, reportPath, SyncFilter } from "../src/documents";

const TVM = `import tvm
from tvm.script import tir as T

@T.prim_func
def add(a: T.Buffer((128,), "float32"), b: T.Buffer((128,), "float32")):
    for i in range(128):
        b[i] = a[i] + 1.0
`;

function doc(uri: string, languageId: string, text = "", scheme = "file"): DocLike & { text: string } {
  const d = { uri, scheme, languageId, text, getText: () => d.text };
  return d;
}

describe("isTvmScript", () => {
  it("finds the decorator", () => {
    assert.equal(isTvmScript(TVM), true);
    assert.equal(isTvmScript("    @T.prim_func(private=True)\n    def f(): pass"), true);
    assert.equal(isTvmScript("@tvm.script.tir.prim_func\ndef f(): pass"), true);
  });
  it("ignores plain Python and mentions in strings or comments", () => {
    assert.equal(isTvmScript("import numpy as np\nprint('hi')\n"), false);
    assert.equal(isTvmScript("x = '@T.prim_func'\n"), false);
    assert.equal(isTvmScript("# use @T.prim_func here\n"), false);
    assert.equal(isTvmScript("@T.prim_funcs\ndef f(): pass"), false);
  });
});

describe("isServed", () => {
  it("C++ files always, TVM-script Python only, files on disk only", () => {
    assert.equal(isServed(doc("file:///a.cpp", "cpp")), true);
    assert.equal(isServed(doc("file:///a.py", "python", "print(1)")), false);
    assert.equal(isServed(doc("file:///k.py", "python", TVM)), true);
    assert.equal(isServed(doc("untitled:Untitled-1", "cpp", "", "untitled")), false);
    assert.equal(isServed(doc("file:///a.rs", "rust")), false);
  });
  it("mightBeServed is the cheap pre-check", () => {
    assert.equal(mightBeServed({ scheme: "file", languageId: "python" }), true);
    assert.equal(mightBeServed({ scheme: "git", languageId: "cpp" }), false);
    assert.equal(mightBeServed({ scheme: "file", languageId: "markdown" }), false);
  });
  it("does not read the text of C++ documents", () => {
    const d = { uri: "file:///a.cpp", scheme: "file", languageId: "cpp", getText: (): string => assert.fail("read") };
    assert.equal(isServed(d), true);
  });
});

describe("SyncFilter", () => {
  it("forwards C++ and TVM Python, drops plain Python", () => {
    const f = new SyncFilter();
    assert.equal(f.onOpen(doc("file:///a.cpp", "cpp")), "forward");
    assert.equal(f.onOpen(doc("file:///k.py", "python", TVM)), "forward");
    assert.equal(f.onOpen(doc("file:///p.py", "python", "x = 1")), "drop");
    assert.equal(f.onChange(doc("file:///p.py", "python", "x = 2")), "drop");
    assert.equal(f.onOther("file:///p.py"), "drop");
    assert.equal(f.serves("file:///p.py"), false);
    assert.equal(f.onClose("file:///p.py"), "drop");
    assert.equal(f.serves("file:///a.cpp"), true);
    assert.equal(f.size, 2);
  });

  it("opens a Python file on the server when it becomes TVM script, then forwards", () => {
    const f = new SyncFilter();
    const p = doc("file:///p.py", "python", "x = 1");
    assert.equal(f.onOpen(p), "drop");
    p.text = TVM;
    assert.equal(f.onChange(p), "open-instead");
    assert.equal(f.onChange(p), "forward");
    p.text = "x = 1";
    assert.equal(f.onChange(p), "forward", "stays open until closed");
    assert.equal(f.onOther(p.uri), "forward");
    assert.equal(f.onClose(p.uri), "forward");
    assert.equal(f.onClose(p.uri), "drop");
  });

  it("reset forgets everything (new server)", () => {
    const f = new SyncFilter();
    f.onOpen(doc("file:///a.cpp", "cpp"));
    f.reset();
    assert.equal(f.serves("file:///a.cpp"), false);
    assert.equal(f.size, 0);
  });
});

describe("report", () => {
  it("virtual document path", () => {
    assert.equal(reportPath("file:///w/src/ledger.cpp"), "/ledger.cpp.speedlens.md");
    assert.equal(reportPath("file:///w/my%20file.cpp?x#y"), "/my file.cpp.speedlens.md");
    assert.equal(reportPath("file:///"), "/file.speedlens.md");
  });
  it("markdown from any result shape", () => {
    assert.equal(reportMarkdown("# Report", "a.cpp"), "# Report");
    assert.equal(reportMarkdown({ markdown: "# M" }, "a.cpp"), "# M");
    assert.equal(reportMarkdown({ value: "# V", kind: "markdown" }, "a.cpp"), "# V");
    assert.match(reportMarkdown({ results: [] }, "a.cpp"), /```json\n\{\n {2}"results": \[\]/);
    assert.match(reportMarkdown(null, "a.cpp"), /No report yet/);
  });
});
