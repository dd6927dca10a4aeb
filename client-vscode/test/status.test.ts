import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  applyNotification,
  formatBest,
  formatConfidence,
  formatSpeedup,
  formatStatus,
  parseStatusNotification,
  serverStatus,
  requestFailed,
  requestFinished,
  requestStarted,
  summarizeResult,
} from "../src/status";

describe("formatting", () => {
  it("speedups", () => {
    assert.equal(formatSpeedup(2.91), "2.9×");
    assert.equal(formatSpeedup(2.96), "3.0×");
    assert.equal(formatSpeedup(1.1), "1.1×");
    assert.equal(formatSpeedup(11.53), "11.5×"); // the server's rule (speedlens.format): never 12× here, 11.5× there
    assert.equal(formatSpeedup(99.9), "99.9×");
    assert.equal(formatSpeedup(123.4), "123×");
    assert.equal(formatSpeedup(0), "?×");
    assert.equal(formatSpeedup(Number.NaN), "?×");
  });

  it("confidence", () => {
    assert.equal(formatConfidence(0.1), "90%");
    assert.equal(formatConfidence(0.05), "95%");
    assert.equal(formatConfidence(0.025), "97.5%");
  });

  it("best: never a bound without its level", () => {
    assert.equal(formatBest({ bestSpeedup: 2.9, bestSpeedupLower: 2.3, alpha: 0.1 }), "2.9× (≥2.3× @90%)");
    assert.equal(formatBest({ bestSpeedup: 2.9, bestSpeedupLower: 2.3 }), "2.9×");
    assert.equal(formatBest({ bestSpeedup: 2.9 }), "2.9×");
    assert.equal(formatBest({}), "");
    assert.equal(formatBest({ bestSpeedup: 11.53, bestLabel: "11.5× (≥9.8× @90%)" }), "11.5× (≥9.8× @90%)");
  });
});

describe("formatStatus", () => {
  it("done with a verified speedup", () => {
    const view = formatStatus({ state: "done", bestSpeedup: 2.91, bestSpeedupLower: 2.32, alpha: 0.1 }, "running");
    assert.equal(view.text, "$(zap) speedlens: 2.9× (≥2.3× @90%)");
    assert.equal(view.action, "showReport");
    assert.equal(view.warning, false);
  });

  it("done without one", () => {
    const view = formatStatus({ state: "done" }, "running");
    assert.equal(view.text, "$(zap) speedlens: no verified speedup");
  });

  it("running: spinner, short message, click cancels, best so far in the tooltip", () => {
    const view = formatStatus(
      { state: "running", message: "verifying candidate 3/8 on 19 inputs of the ledger target, please wait", bestSpeedup: 1.5 },
      "running",
    );
    // Short (the message is in the progress notification; a long item pushes Ln/Col off the bar).
    assert.equal(view.text, "$(loading~spin) speedlens");
    assert.match(view.tooltip, /verifying candidate 3\/8/);
    assert.equal(view.action, "cancel");
    assert.equal(formatStatus({ state: "running", percentage: 42.4 }, "running").text, "$(loading~spin) speedlens 42%");
    assert.match(view.tooltip, /best so far 1\.5×/);
  });

  it("idle: click optimizes", () => {
    const view = formatStatus(undefined, "running");
    assert.equal(view.text, "$(zap) speedlens");
    assert.equal(view.action, "optimizeFile");
  });

  it("server states", () => {
    assert.equal(formatStatus(undefined, "starting").text, "$(loading~spin) speedlens");
    const failed = formatStatus({ state: "done", bestSpeedup: 2 }, "failed", { serverProblem: "no python" });
    assert.equal(failed.text, "$(warning) speedlens");
    assert.equal(failed.action, "showLog");
    assert.equal(failed.warning, true);
    assert.match(failed.tooltip, /no python/);
  });

  it("error", () => {
    const view = formatStatus({ state: "error", message: "original does not compile" }, "running");
    assert.equal(view.text, "$(error) speedlens: original does not compile");
    assert.match(view.tooltip, /original does not compile/);
    assert.equal(view.warning, true);
  });

  it("cancelled is not a verdict; with the text's figure it still shows it", () => {
    const plain = formatStatus({ state: "cancelled", message: "cancelled" }, "running");
    assert.equal(plain.text, "$(circle-slash) speedlens: cancelled");
    assert.doesNotMatch(plain.text, /no verified/);
    const kept = formatStatus({ state: "cancelled", bestSpeedup: 11.53, bestLabel: "11.5× (≥9.8× @90%)" }, "running");
    assert.equal(kept.text, "$(zap) speedlens: 11.5× (≥9.8× @90%) (run cancelled)");
  });

  it("done without a verified speedup says the server's reason", () => {
    assert.equal(
      formatStatus({ state: "done", message: "no test inputs found for a.cpp" }, "running").text,
      "$(zap) speedlens: no test inputs found for a.cpp",
    );
  });
});

describe("speedlens/status notification", () => {
  it("validates params", () => {
    assert.equal(parseStatusNotification(null), undefined);
    assert.equal(parseStatusNotification({ uri: 1, state: "done" }), undefined);
    assert.equal(parseStatusNotification({ uri: "file:///a.cpp" }), undefined);
    assert.deepEqual(parseStatusNotification({ uri: "file:///a.cpp", state: "done", bestSpeedup: 2.9, extra: 1 }), {
      uri: "file:///a.cpp",
      state: "done",
      message: undefined,
      bestSpeedup: 2.9,
      bestSpeedupLower: undefined,
      alpha: undefined,
      bestLabel: undefined,
      percentage: undefined,
    });
    assert.equal(parseStatusNotification({ uri: "u", state: "done", bestSpeedup: "2.9" })?.bestSpeedup, undefined);
    assert.equal(parseStatusNotification({ uri: "u", state: "done", best_speedup: 3 })?.bestSpeedup, 3);
  });

  it("running keeps the last best figure; done replaces it; idle clears it", () => {
    const done = applyNotification(undefined, { uri: "u", state: "done", bestSpeedup: 2.9, bestSpeedupLower: 2.3, alpha: 0.1 });
    assert.deepEqual(done, {
      state: "done", message: undefined, percentage: undefined, bestSpeedup: 2.9, bestSpeedupLower: 2.3, alpha: 0.1,
      bestLabel: undefined,
    });
    const running = applyNotification(done, { uri: "u", state: "running", message: "compiling", percentage: 10 });
    assert.deepEqual(running, {
      state: "running", message: "compiling", percentage: 10, bestSpeedup: 2.9, bestSpeedupLower: 2.3, alpha: 0.1,
      bestLabel: undefined,
    });
    const better = applyNotification(running, { uri: "u", state: "done", bestSpeedup: 3.5, bestLabel: "3.5×" });
    assert.deepEqual(better, {
      state: "done", message: undefined, percentage: undefined, bestSpeedup: 3.5, bestSpeedupLower: undefined,
      alpha: 0.1, bestLabel: "3.5×",
    });
    assert.deepEqual(applyNotification(better, { uri: "u", state: "idle" }), {
      state: "idle", message: undefined, percentage: undefined,
    });
    assert.equal(applyNotification(better, { uri: "u", state: "cancelled" }).state, "cancelled");
  });

  it("unknown states read as idle", () => {
    assert.equal(applyNotification(undefined, { uri: "u", state: "weird" }).state, "idle");
    assert.equal(applyNotification(undefined, { uri: "u", state: "failed" }).state, "error");
  });
});

describe("client-side request tracking (works without the notification)", () => {
  it("started -> finished with the CLI-shaped result", () => {
    const started = requestStarted(undefined);
    assert.deepEqual(started, { state: "running", message: "optimizing…" });
    const result = {
      file: "a.cpp",
      results: [
        { status: "not_faster", speedup: 5 },
        { status: "verified", speedup: 2.1, speedup_lower: 1.8, alpha: 0.1 },
        { status: "verified", speedup: 2.9, speedup_lower: 2.3, alpha: 0.1 },
      ],
    };
    assert.deepEqual(requestFinished(started, result), {
      state: "done",
      message: undefined,
      percentage: undefined,
      bestSpeedup: 2.9,
      bestSpeedupLower: 2.3,
      alpha: 0.1,
      bestLabel: undefined,
    });
  });

  it("a server 'done' notification that came first is kept", () => {
    const fromServer = { state: "done" as const, message: "2 targets", bestSpeedup: 2.9, bestSpeedupLower: 2.3, alpha: 0.1 };
    assert.deepEqual(requestFinished(fromServer, null), fromServer);
  });

  it("cancelled results and failures", () => {
    assert.equal(requestFinished(requestStarted(undefined), { cancelled: true }).state, "cancelled");
    assert.equal(requestFinished(requestStarted(undefined), { state: "cancelled", message: "cancelled" }).state, "cancelled");
    assert.deepEqual(requestFailed({ state: "running" }, "boom"), { state: "error", message: "boom" });
  });

  it("a second start keeps the server's message", () => {
    assert.equal(requestStarted({ state: "running", message: "timing" }).message, "timing");
  });

  it("the server's command result: bestSpeedup on top, the bound in camelCase results", () => {
    const result = {
      uri: "file:///a.cpp", state: "done", message: "1 verified", bestSpeedup: 2.91,
      results: [
        { status: "incorrect", speedup: 5, speedupLower: 4, alpha: 0.1 },
        { status: "verified", speedup: 2.91, speedupLower: 2.32, alpha: 0.1 },
      ],
    };
    assert.deepEqual(summarizeResult(result), {
      bestSpeedup: 2.91, bestSpeedupLower: 2.32, alpha: 0.1, cancelled: undefined, state: "done", message: "1 verified",
    });
    assert.equal(
      formatStatus(requestFinished({ state: "done", bestSpeedup: 2.91 }, result), "running").text,
      "$(zap) speedlens: 2.9× (≥2.3× @90%)",
    );
  });

  it("summarizeResult tolerates any shape", () => {
    assert.deepEqual(summarizeResult(undefined), {});
    assert.deepEqual(summarizeResult("text"), {});
    assert.deepEqual(summarizeResult(2.5), { bestSpeedup: 2.5 });
    assert.deepEqual(summarizeResult({ bestSpeedup: 2, bestSpeedupLower: 1.5, alpha: 0.1 }), {
      bestSpeedup: 2,
      bestSpeedupLower: 1.5,
      alpha: 0.1,
      cancelled: undefined,
    });
    assert.deepEqual(summarizeResult({ results: [{ status: "incorrect", speedup: 9 }, null, 3] }), { cancelled: undefined });
  });
});

describe("language status item", () => {
  it("says whether the server runs; an error when it failed", () => {
    assert.equal(serverStatus("running").error, false);
    assert.deepEqual(serverStatus("failed", "no module named speedlens"), {
      text: "speedlens: not running", detail: "no module named speedlens", error: true,
    });
  });
});
