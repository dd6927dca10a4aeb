// Test-only extension: runs the user's flow against the installed speedlens extension and records what VS Code
// shows (diagnostics, code lenses, inlay hints, code actions, the status item, tabs) in <out>/driver.json.
// tests/e2e/vscode/run.py starts code-server with a workspace holding .speedlens-e2e.json ({"out": DIR,
// "file": NAME}), takes a screenshot at each phase (<out>/phase-NAME, answered by <out>/phase-NAME.ack) and
// checks the record. The driver only records; run.py decides what passes.
"use strict";
const fs = require("fs");
const path = require("path");
const vscode = require("vscode");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, fn, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    }
    await sleep(intervalMs);
  }
}

function activate(context) {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const config = JSON.parse(fs.readFileSync(path.join(root, ".speedlens-e2e.json"), "utf8"));
  const record = { steps: [], done: false, ok: false, error: null, started: Date.now() };
  const save = () => fs.writeFileSync(path.join(config.out, "driver.json"), JSON.stringify(record, null, 2));
  const step = (name, data) => {
    record.steps.push({ name, t: (Date.now() - record.started) / 1000, ...data });
    save();
  };
  const phase = async (name) => {
    fs.writeFileSync(path.join(config.out, `phase-${name}`), "");
    const ack = path.join(config.out, `phase-${name}.ack`);
    await waitFor(`the screenshot of ${name}`, () => fs.existsSync(ack), 30_000, 100).catch(() => undefined);
  };
  context.subscriptions.push({ dispose() {} });
  run(config, root, step, phase).then(
    () => {
      record.ok = true;
    },
    (error) => {
      record.error = String(error && error.stack ? error.stack : error);
    },
  ).finally(() => {
    record.done = true;
    save();
  });
}

async function run(config, root, step, phase) {
  const file = vscode.Uri.file(path.join(root, config.file));
  const original = fs.readFileSync(file.fsPath, "utf8");
  const ext = vscode.extensions.getExtension("speedlens.speedlens");
  if (!ext) {
    throw new Error("the speedlens extension is not installed");
  }
  const doc = await vscode.workspace.openTextDocument(file);
  const editor = await vscode.window.showTextDocument(doc);
  const api = await ext.activate();
  const status = () => api.status();

  // "failed" counts only when it lasts (the client retries a crashing server a few times).
  let failedSince;
  const server = await waitFor("the speedlens server to run", () => {
    const state = status().server;
    failedSince = state === "failed" ? failedSince ?? Date.now() : undefined;
    return state === "running" || (failedSince !== undefined && Date.now() - failedSince > 10_000) ? state : undefined;
  }, 120_000).catch((error) => String(error));
  step("server", { server, status: status() });
  if (server !== "running") {
    await phase("server-failed");
    throw new Error(`the speedlens server is not running: ${server}; status ${JSON.stringify(status())}`);
  }

  const diagnostics = await waitFor(
    "speedlens diagnostics",
    () => {
      const found = vscode.languages.getDiagnostics(file).filter((d) => d.source === "speedlens");
      return found.length ? found : undefined;
    },
    60_000,
  );
  step("diagnostics", {
    diagnostics: diagnostics.map((d) => ({ line: d.range.start.line, code: String(d.code), message: d.message, severity: d.severity })),
  });

  const lenses = async () =>
    ((await vscode.commands.executeCommand("vscode.executeCodeLensProvider", file, 20)) ?? []).map((l) => ({
      line: l.range.start.line,
      title: l.command?.title ?? null,
      command: l.command?.command ?? null,
      arguments: l.command?.arguments ?? [],
    }));
  const before = await waitFor("an Optimize lens", async () => {
    const found = await lenses();
    return found.some((l) => l.title && l.title.includes("Optimize")) ? found : undefined;
  }, 30_000);
  step("lenses-before", { lenses: before, status: status() });
  editor.selection = new vscode.Selection(before[0].line, 0, before[0].line, 0);
  await phase("ready");

  // A run started from the "⚡ Optimize" lens, cancelled while it runs with the progress notification's Cancel
  // button (run.py clicks it after the "progress" screenshot): the status must say "cancelled", not "no verified
  // speedup". The palette's Cancel is the fallback, recorded as such.
  const optimizeLens = before.find((l) => l.title && l.title.includes("Optimize"));
  let settled = false;
  const first = Promise.resolve(vscode.commands.executeCommand(optimizeLens.command, ...optimizeLens.arguments)).finally(() => {
    settled = true;
  });
  await waitFor("progress messages", () => api.progressMessages().length >= 2, 120_000, 100);
  step("running", { status: status(), progress: [...api.progressMessages()] });
  await phase("progress");
  let cancelledBy = "notification";
  try {
    await waitFor("the run to end after Cancel", () => settled, 15_000, 100);
  } catch {
    cancelledBy = "command";
    await vscode.commands.executeCommand("speedlens.client.cancel");
  }
  const firstResult = await first;
  await sleep(1000); // the server's "cancelled" status follows the cancel
  step("cancelled", { cancelledBy, result: firstResult ?? null, status: status() });
  await phase("cancelled");

  // The full run.
  const seen = api.progressMessages().length;
  const startedAt = Date.now();
  await vscode.commands.executeCommand("speedlens.client.optimizeFile");
  step("optimized", {
    seconds: (Date.now() - startedAt) / 1000,
    status: status(),
    progress: api.progressMessages().slice(seen),
  });

  const after = await waitFor("a verified lens", async () => {
    const found = await lenses();
    return found.some((l) => l.title && l.title.includes("faster")) ? found : undefined;
  }, 30_000);
  const hints = ((await vscode.commands.executeCommand(
    "vscode.executeInlayHintProvider", file, new vscode.Range(0, 0, doc.lineCount, 0))) ?? []).map((h) => ({
    line: h.position.line,
    label: typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join(""),
  }));
  const mainLine = after.find((l) => l.title && l.title.includes("faster")).line;
  const actions = ((await vscode.commands.executeCommand(
    "vscode.executeCodeActionProvider", file, new vscode.Range(mainLine, 0, mainLine, 0), vscode.CodeActionKind.QuickFix.value)) ?? []);
  step("verified", {
    status: status(),
    lenses: after,
    hints,
    actions: actions.map((a) => ({ title: a.title, kind: a.kind?.value ?? null, command: a.command?.command ?? null, hasEdit: !!a.edit })),
  });
  await phase("verified");

  // Restart Server: the status must agree with the lenses the new server shows.
  await vscode.commands.executeCommand("speedlens.client.restartServer");
  await waitFor("the restarted server", () => status().server === "running", 120_000);
  const restartedStatus = await waitFor("the status after the restart", () => (status().text.includes("×") ? status() : undefined), 30_000)
    .catch(() => status());
  step("restarted", { status: restartedStatus, lenses: await lenses() });
  await phase("restarted");

  // Clicking the result's lens opens the report (its command's result is shown, not dropped).
  const lens = after.find((l) => l.title && l.title.includes("faster"));
  const report = await vscode.commands.executeCommand(lens.command, ...lens.arguments);
  await sleep(1500);
  const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
  step("report", { command: lens.command, markdown: typeof report === "string" ? report : null, tabs: tabs() });
  await phase("report");

  // Preview: VS Code's diff of the file and the rewrite.
  const preview = actions.find((a) => a.title.startsWith("Preview") && a.command);
  if (preview) {
    await vscode.commands.executeCommand(preview.command.command, ...(preview.command.arguments ?? []));
    await sleep(1500);
  }
  step("preview", { offered: !!preview, tabs: tabs(), diffOpen: vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff)) });
  await phase("preview");

  // Apply the quick fix and save: run.py compiles the result and compares its outputs with the original's.
  const apply = actions.find((a) => a.title.startsWith("Apply verified") && a.edit);
  await vscode.window.showTextDocument(doc);
  const applied = apply ? await vscode.workspace.applyEdit(apply.edit) : false;
  await doc.save();
  await sleep(1500);
  step("applied", {
    title: apply ? apply.title : null,
    applied,
    changed: fs.readFileSync(file.fsPath, "utf8") !== original,
    status: status(),
    lenses: await lenses(),
  });
  await phase("applied");
}

function deactivate() {}

module.exports = { activate, deactivate };
