/**
 * The client's side of the server <-> client contract (server/speedlens/lsp/protocol.schema.json; the server's
 * side is checked on real messages in tests/e2e/test_lsp.py).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { COMMANDS, SERVER_COMMANDS } from "../src/commands";
import { applyNotification, formatStatus, parseStatusNotification, RUN_STATES, summarizeResult } from "../src/status";

interface Schema {
  definitions: Record<string, { enum?: string[]; properties?: Record<string, unknown>; required?: string[] }>;
}

// The tests run from client-vscode/out/test (bundled) or client-vscode/test: find the repository's schema.
function loadSchema(): Schema {
  for (const base of [__dirname, process.cwd()]) {
    for (let dir = base, i = 0; i < 5; i++, dir = path.dirname(dir)) {
      const candidate = path.join(dir, "server", "speedlens", "lsp", "protocol.schema.json");
      try {
        return JSON.parse(readFileSync(candidate, "utf8")) as Schema;
      } catch {
        // not here
      }
    }
  }
  throw new Error("protocol.schema.json not found above the test");
}

const schema = loadSchema();

describe("protocol.schema.json", () => {
  it("the client knows exactly the server's states", () => {
    assert.deepEqual([...RUN_STATES].sort(), [...(schema.definitions.state.enum ?? [])].sort());
  });

  it("every field of the status notification is read", () => {
    const props = Object.keys(schema.definitions.status.properties ?? {}).sort();
    const full = {
      uri: "file:///a.cpp", state: "done", message: "m", percentage: 50, bestSpeedup: 11.53,
      bestSpeedupLower: 9.8, alpha: 0.1, bestLabel: "11.5× (≥9.8× @90%)",
    };
    assert.deepEqual(Object.keys(full).sort(), props, "a field was added to the schema: read it in status.ts");
    const parsed = parseStatusNotification(full);
    assert.ok(parsed);
    for (const key of props) {
      assert.notEqual((parsed as unknown as Record<string, unknown>)[key], undefined, `${key} is dropped`);
    }
    assert.equal(formatStatus(applyNotification(undefined, parsed), "running").text, "$(zap) speedlens: 11.5× (≥9.8× @90%)");
  });

  it("each state of a notification shows something distinct and truthful", () => {
    const texts = RUN_STATES.map(
      (state) => formatStatus(applyNotification(undefined, { uri: "u", state, message: `${state} message` }), "running").text,
    );
    assert.equal(new Set(texts).size, texts.length, texts.join(" | "));
    assert.ok(!texts[RUN_STATES.indexOf("cancelled")].includes("no verified"));
  });

  it("an optimize result's required fields and states are understood", () => {
    const def = schema.definitions.optimizeResult;
    assert.deepEqual(def.required, ["uri", "state", "message"]);
    const states = (def.properties?.state as { enum: string[] }).enum;
    for (const state of states) {
      assert.equal(summarizeResult({ uri: "u", state, message: "m" }).state, state);
    }
    assert.equal(summarizeResult({ uri: "u", state: "done", message: "m", bestSpeedup: 2.9, bestLabel: "2.9×" }).bestLabel, "2.9×");
  });

  it("the commands the client sends are the server's", () => {
    for (const name of ["optimizeResult", "cancelResult", "showReportResult", "createTestsResult"]) {
      assert.ok(schema.definitions[name], name);
    }
    assert.deepEqual(Object.values(SERVER_COMMANDS).sort(), [
      "speedlens.cancel", "speedlens.createTests", "speedlens.optimizeFile", "speedlens.optimizeTarget", "speedlens.showReport",
    ]);
    assert.ok(COMMANDS.preview.startsWith("speedlens.client."));
  });
});
