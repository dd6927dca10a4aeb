import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  chooseInterpreter,
  expandVariables,
  installCommand,
  interpretProbe,
  probeArgs,
  problemKey,
  PROBE_TOO_OLD_EXIT,
  serverArgs,
} from "../src/interpreter";

describe("chooseInterpreter", () => {
  it("uses the setting first", () => {
    assert.deepEqual(chooseInterpreter({ setting: "/opt/py/bin/python", pythonExtensionPath: "/venv/bin/python" }), {
      command: "/opt/py/bin/python",
      args: [],
      source: "setting",
    });
  });

  it("then the Python extension's interpreter", () => {
    assert.deepEqual(chooseInterpreter({ setting: "  ", pythonExtensionPath: "/venv/bin/python" }), {
      command: "/venv/bin/python",
      args: [],
      source: "python-extension",
    });
  });

  it("then python3", () => {
    assert.deepEqual(chooseInterpreter({}), { command: "python3", args: [], source: "default" });
    assert.deepEqual(chooseInterpreter({ setting: "", pythonExtensionPath: "" }), {
      command: "python3",
      args: [],
      source: "default",
    });
    assert.equal(chooseInterpreter({ fallback: "python" }).command, "python");
  });

  it("expands ${workspaceFolder} and ~, and keeps spaces in a path", () => {
    assert.equal(
      chooseInterpreter({ setting: "${workspaceFolder}/.venv/bin/python", workspaceFolder: "/w/proj" }).command,
      "/w/proj/.venv/bin/python",
    );
    assert.equal(chooseInterpreter({ setting: "~/envs/sl/bin/python", home: "/home/u" }).command, "/home/u/envs/sl/bin/python");
    assert.equal(chooseInterpreter({ setting: "/Users/me/My Envs/bin/python" }).command, "/Users/me/My Envs/bin/python");
  });

  it("takes an array as a command with arguments", () => {
    const choice = chooseInterpreter({ setting: ["uv", "run", "--project", "${workspaceFolder}", "python"], workspaceFolder: "/w" });
    assert.deepEqual(choice, { command: "uv", args: ["run", "--project", "/w", "python"], source: "setting" });
    assert.deepEqual(serverArgs(choice), ["run", "--project", "/w", "python", "-m", "speedlens", "serve"]);
  });
});

describe("expandVariables", () => {
  it("expands env and userHome, leaves unknown variables", () => {
    assert.equal(expandVariables("${env:VENV}/bin/python", { env: { VENV: "/v" } }), "/v/bin/python");
    assert.equal(expandVariables("${userHome}/x", { home: "/h" }), "/h/x");
    assert.equal(expandVariables("${workspaceFolder}/x", {}), "${workspaceFolder}/x");
    assert.equal(expandVariables("a~b", { home: "/h" }), "a~b");
  });
});

describe("server and probe arguments", () => {
  it("launches -m speedlens serve", () => {
    assert.deepEqual(serverArgs({ command: "python3", args: [], source: "default" }), ["-m", "speedlens", "serve"]);
  });
  it("probes the version and the import", () => {
    const args = probeArgs({ command: "python3", args: [], source: "default" });
    assert.equal(args[0], "-c");
    assert.match(args[1], /import speedlens/);
    assert.match(args[1], /sys\.exit\(3\)/);
  });
});

describe("interpretProbe", () => {
  const py = { command: "/venv/bin/python", args: [], source: "python-extension" as const };

  it("ok with the version", () => {
    assert.deepEqual(interpretProbe(py, { exitCode: 0, stdout: "0.1.0\n" }), { kind: "ok", message: "", version: "0.1.0" });
  });

  it("missing Python: says how to fix it", () => {
    const v = interpretProbe({ command: "python3", args: [], source: "default" }, { spawnError: "ENOENT" });
    assert.equal(v.kind, "no-python");
    assert.match(v.message, /'python3' \(the default\) was not found/);
    assert.match(v.message, /speedlens\.interpreter/);
    assert.match(v.message, /pip install speedlens/);
  });

  it("missing package: the pip command for that interpreter", () => {
    const v = interpretProbe(py, {
      exitCode: 1,
      stderr: "Traceback (most recent call last):\n  File \"<string>\", line 1\nModuleNotFoundError: No module named 'speedlens'\n",
    });
    assert.equal(v.kind, "no-package");
    assert.equal(v.fixCommand, "/venv/bin/python -m pip install speedlens");
    assert.match(v.message, /not installed for '\/venv\/bin\/python' \(the Python extension's active interpreter\)/);
    assert.match(v.message, /speedlens\.interpreter/);
  });

  it("quotes paths with spaces in the fix", () => {
    assert.equal(
      installCommand({ command: "C:\\Program Files\\Python\\python.exe", args: [], source: "setting" }),
      '"C:\\\\Program Files\\\\Python\\\\python.exe" -m pip install speedlens',
    );
  });

  it("too old", () => {
    assert.equal(interpretProbe(py, { exitCode: PROBE_TOO_OLD_EXIT }).kind, "too-old");
    assert.equal(interpretProbe(py, { exitCode: 1, stderr: "SyntaxError: invalid syntax" }).kind, "too-old");
  });

  it("a package that fails to import: its last line and a reinstall", () => {
    const v = interpretProbe(py, { exitCode: 1, stderr: "Traceback...\nImportError: cannot import name 'x' from 'pygls'\n" });
    assert.equal(v.kind, "broken-package");
    assert.match(v.message, /ImportError: cannot import name 'x'/);
    assert.equal(v.fixCommand, "/venv/bin/python -m pip install --force-reinstall speedlens");
  });

  it("timeout", () => {
    assert.equal(interpretProbe(py, { timedOut: true }).kind, "timeout");
  });

  it("one notification per interpreter and problem", () => {
    const a = interpretProbe(py, { spawnError: "ENOENT" });
    const b = interpretProbe(py, { spawnError: "ENOENT" });
    assert.equal(problemKey(py, a), problemKey(py, b));
    assert.notEqual(problemKey(py, a), problemKey({ ...py, command: "/other/python" }, b));
    assert.notEqual(problemKey(py, a), problemKey(py, interpretProbe(py, { timedOut: true })));
  });
});
