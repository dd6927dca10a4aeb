import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

import {
  classifyChange,
  CLIENT_ONLY_SETTINGS,
  explicitValue,
  SERVER_SETTINGS,
  toServerSettings,
} from "../src/settings";

interface ManifestProperty {
  type: string;
  default: unknown;
  markdownDescription?: string;
  description?: string;
}

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
  contributes: { configuration: { properties: Record<string, ManifestProperty> } };
};
const properties = manifest.contributes.configuration.properties;

describe("toServerSettings", () => {
  it("sends nothing when the user set nothing, so speedlens.toml keeps its values", () => {
    const explicit = Object.fromEntries(SERVER_SETTINGS.map((s) => [s.key, undefined]));
    assert.deepEqual(toServerSettings(explicit), { settings: {}, problems: [] });
  });

  it("nests and snake_cases every key like speedlens.toml", () => {
    const { settings, problems } = toServerSettings({
      model: "openai/gpt-4o-mini",
      apiBase: "http://127.0.0.1:11434",
      candidates: 8,
      feedbackRounds: 0,
      alpha: 0.05,
      minSpeedup: 1.5,
      piePath: "/data/pie/train.jsonl",
      sanitize: false,
      "cpp.compiler": "clang++",
      "cpp.flags": ["-O3", "-march=native"],
      "sandbox.timeoutS": 2.5,
      "sandbox.memoryMb": 512,
      "sandbox.jobs": 2,
      "tvm.trials": 16,
      tests: { "src/solver.cpp": "data/solver/*.in" },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      model: "openai/gpt-4o-mini",
      api_base: "http://127.0.0.1:11434",
      candidates: 8,
      feedback_rounds: 0,
      alpha: 0.05,
      min_speedup: 1.5,
      pie_path: "/data/pie/train.jsonl",
      sanitize: false,
      cpp: { compiler: "clang++", flags: ["-O3", "-march=native"] },
      sandbox: { timeout_s: 2.5, memory_mb: 512, jobs: 2 },
      tvm: { trials: 16 },
      tests: { "src/solver.cpp": "data/solver/*.in" },
    });
  });

  it("keeps falsy but explicit values (empty model = offline, 0 rounds, false)", () => {
    const { settings } = toServerSettings({ model: "", feedbackRounds: 0, sanitize: false });
    assert.deepEqual(settings, { model: "", feedback_rounds: 0, sanitize: false });
  });

  it("never sends client-only or unknown keys (the server rejects unknown keys)", () => {
    const { settings } = toServerSettings({ interpreter: "/usr/bin/python3", "trace.server": "verbose", bogus: 1 });
    assert.deepEqual(settings, {});
  });

  it("splits a flags string and drops values of the wrong type with a message", () => {
    const { settings, problems } = toServerSettings({
      "cpp.flags": "  -O3   -DNDEBUG ",
      candidates: 2.5,
      alpha: "0.1",
      tests: { "a.cpp": 3 },
    });
    assert.deepEqual(settings, { cpp: { flags: ["-O3", "-DNDEBUG"] } });
    assert.equal(problems.length, 3);
    assert.match(problems[0], /speedlens\.candidates: expected integer/);
  });

  it("copies arrays and records so later edits do not leak", () => {
    const flags = ["-O2"];
    const { settings } = toServerSettings({ "cpp.flags": flags });
    flags.push("-g");
    assert.deepEqual(settings, { cpp: { flags: ["-O2"] } });
  });
});

describe("explicitValue", () => {
  it("prefers folder over workspace over user, and ignores defaults", () => {
    assert.equal(explicitValue({ globalValue: 1, workspaceValue: 2, workspaceFolderValue: 3 }), 3);
    assert.equal(explicitValue({ globalValue: 1, workspaceValue: 2 }), 2);
    assert.equal(explicitValue({ globalValue: 1 }), 1);
    assert.equal(explicitValue({}), undefined);
    assert.equal(explicitValue(undefined), undefined);
    assert.equal(explicitValue({ globalValue: "x", workspaceValue: "" }), "");
  });
});

describe("classifyChange", () => {
  const changed = (...keys: string[]) => (key: string) => keys.some((k) => k === key || k.startsWith(`${key}.`) || key.startsWith(`${k}.`));
  it("restarts on interpreter changes", () => {
    assert.equal(classifyChange(changed("speedlens.interpreter")), "restart");
    assert.equal(classifyChange(changed("speedlens.interpreter", "speedlens.model")), "restart");
  });
  it("notifies on server settings", () => {
    assert.equal(classifyChange(changed("speedlens.model")), "notify");
    assert.equal(classifyChange(changed("speedlens.sandbox.timeoutS")), "notify");
  });
  it("ignores others", () => {
    assert.equal(classifyChange(changed("editor.fontSize")), "none");
    assert.equal(classifyChange(changed("speedlens.trace.server")), "none");
  });
});

describe("package.json configuration", () => {
  // The defaults README.md ("Configuration") documents (ARCHITECTURE.md, "Settings").
  const designDefaults: Record<string, unknown> = {
    model: "",
    apiBase: "",
    candidates: 4,
    feedbackRounds: 1,
    alpha: 0.1,
    minSpeedup: 1.1,
    piePath: "",
    sanitize: true,
    "cpp.compiler": "g++",
    "cpp.flags": ["-O2", "-std=c++17"],
    "sandbox.timeoutS": 10,
    "sandbox.memoryMb": 2048,
    "sandbox.jobs": 1,
    "tvm.trials": 64,
    "tvm.patience": 24,
    "tvm.target": "",
    "tvm.runner": "local",
    "tvm.cc": "",
    "tvm.record": true,
    tests: {},
  };

  it("declares every server setting with the documented default and a description", () => {
    for (const spec of SERVER_SETTINGS) {
      const prop = properties[`speedlens.${spec.key}`];
      assert.ok(prop, `speedlens.${spec.key} missing from package.json`);
      assert.deepEqual(prop.default, designDefaults[spec.key], `default of speedlens.${spec.key}`);
      assert.ok((prop.markdownDescription ?? prop.description ?? "").length > 20, `description of ${spec.key}`);
      const jsonType = { string: "string", integer: "integer", number: "number", boolean: "boolean", "string[]": "array", record: "object" }[spec.type];
      assert.equal(prop.type, jsonType, `type of speedlens.${spec.key}`);
    }
  });

  it("declares nothing the client does not handle", () => {
    const handled = new Set([...SERVER_SETTINGS.map((s) => s.key), ...CLIENT_ONLY_SETTINGS]);
    for (const key of Object.keys(properties)) {
      assert.ok(handled.has(key.replace(/^speedlens\./, "")), `${key} is declared but not handled`);
    }
  });
});
