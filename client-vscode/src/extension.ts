/**
 * speedlens for VS Code: starts `<python> -m speedlens serve` over stdio with vscode-languageclient and adds
 * the commands, the status-bar item, the progress notification, the Output channel, the report view and the
 * diff preview. The decisions live in the pure modules (settings, interpreter, status, documents, launch); this
 * file wires them to VS Code, with middleware.ts (what reaches the server), progress.ts and views.ts. The server's side of the contract: server/speedlens/lsp/protocol.schema.json.
 */
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { COMMANDS, PREVIEW_SCHEME, REPORT_SCHEME, SERVER_COMMANDS } from "./commands";
import { isServed, isTvmScript, mightBeServed, reportMarkdown, reportPath, SyncFilter } from "./documents";
import {
  chooseInterpreter,
  InterpreterChoice,
  interpretProbe,
  ProbeVerdict,
  problemKey,
  serverArgs,
} from "./interpreter";
import { clientFeature, errorText, isCancellation, runProbe } from "./launch";
import { docLike, middleware } from "./middleware";
import { ProgressNotifications } from "./progress";
import { activeInterpreterPath, hasPythonExtension, onDidChangeInterpreter } from "./python";
import { classifyChange, explicitValue, SERVER_SETTINGS, ServerSettings, toServerSettings } from "./settings";
import {
  applyNotification,
  FileStatus,
  formatStatus,
  parseStatusNotification,
  requestFailed,
  requestFinished,
  requestStarted,
  ServerState,
  serverStatus,
  STATUS_NOTIFICATION,
  StatusAction,
  StatusView,
} from "./status";
import { showMarkdown, VirtualDocuments } from "./views";

function statusKey(uri: string | vscode.Uri): string {
  try {
    return (typeof uri === "string" ? vscode.Uri.parse(uri) : uri).toString();
  } catch {
    return String(uri);
  }
}

/** What the extension returns from `activate`: read by the end-to-end test (tests/e2e/vscode). */
export interface SpeedlensApi {
  /** The status-bar item of the active editor, as shown. */
  status(): { text: string; tooltip: string; server: ServerState; visible: boolean };
  /** Every progress message shown in the notification so far. */
  progressMessages(): readonly string[];
}

class Speedlens implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private serverState: ServerState = "stopped";
  private serverProblem: string | undefined;
  private readonly filter = new SyncFilter();
  private readonly statuses = new Map<string, FileStatus>();
  private readonly notified = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private clientDisposables: vscode.Disposable[] = [];
  private interpreterWatch: vscode.Disposable | undefined;
  /** Start/stop run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private wanted = false;
  private readonly statusItem: vscode.StatusBarItem;
  private statusView: StatusView | undefined;
  /** The server's state in the language status area ({} in the status bar for C++ files). */
  private readonly serverItem: vscode.LanguageStatusItem;
  private readonly reports = new VirtualDocuments("# speedlens report\n\nNo report yet.\n");
  private readonly previews = new VirtualDocuments("");
  private readonly progress = new ProgressNotifications();

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.statusItem = vscode.window.createStatusBarItem("speedlens.status", vscode.StatusBarAlignment.Right, 100);
    this.statusItem.name = "speedlens";
    this.serverItem = vscode.languages.createLanguageStatusItem("speedlens.server", [{ language: "cpp" }]);
    this.serverItem.name = "speedlens server";
    this.disposables.push(this.statusItem, this.serverItem, this.reports, this.previews, this.progress);
  }

  api(): SpeedlensApi {
    return {
      status: () => ({
        text: this.statusView?.text ?? "",
        tooltip: this.statusView?.tooltip ?? "",
        server: this.serverState,
        visible: this.statusView !== undefined,
      }),
      progressMessages: () => this.progress.shown,
    };
  }

  activate(): void {
    this.setServerState(this.serverState);
    const d = this.disposables;
    d.push(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this.reports));
    d.push(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this.previews));
    d.push(
      vscode.commands.registerCommand(COMMANDS.optimizeFile, () => this.optimize(false)),
      vscode.commands.registerCommand(COMMANDS.optimizeAtCursor, () => this.optimize(true)),
      vscode.commands.registerCommand(COMMANDS.showReport, () => this.showReport()),
      vscode.commands.registerCommand(COMMANDS.cancel, () => this.cancel()),
      vscode.commands.registerCommand(COMMANDS.restartServer, () => this.restart(true)),
      vscode.commands.registerCommand(COMMANDS.showLog, () => this.output.show(true)),
      vscode.commands.registerCommand(COMMANDS.createTests, () => this.createTests()),
      vscode.commands.registerCommand(COMMANDS.preview, (uri: unknown, title: unknown, text: unknown) =>
        this.preview(uri, title, text),
      ),
    );
    d.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.maybeStart(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!this.wanted && e.document.languageId === "python") {
          this.maybeStart(e.document);
        }
        if (e.document === vscode.window.activeTextEditor?.document) {
          this.updateContext();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.updateContext();
        this.updateStatus();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigChange(e)),
    );
    this.updateContext();
    for (const doc of vscode.workspace.textDocuments) {
      this.maybeStart(doc);
    }
    this.updateStatus();
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  private maybeStart(doc: vscode.TextDocument): void {
    if (!this.wanted && mightBeServed(docLike(doc)) && isServed(docLike(doc))) {
      this.wanted = true;
      void this.enqueue(() => this.start(false));
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private workspaceFolder(): vscode.WorkspaceFolder | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  }

  private async resolveInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<InterpreterChoice> {
    const config = vscode.workspace.getConfiguration("speedlens", folder?.uri);
    const setting = config.get<string | string[]>("interpreter");
    const settingSet = Array.isArray(setting) ? setting.length > 0 : (setting ?? "").trim() !== "";
    const pythonExtensionPath = settingSet
      ? undefined
      : await activeInterpreterPath(folder?.uri, (m) => this.output.warn(m));
    return chooseInterpreter({
      setting,
      pythonExtensionPath,
      workspaceFolder: folder?.uri.fsPath,
      home: os.homedir(),
      fallback: process.platform === "win32" ? "python" : "python3",
    });
  }

  private setServerState(state: ServerState, problem?: string): void {
    this.serverState = state;
    this.serverProblem = problem;
    const view = serverStatus(state, problem);
    this.serverItem.text = view.text;
    this.serverItem.detail = view.detail;
    this.serverItem.severity = view.error ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.serverItem.busy = state === "starting";
    this.serverItem.command = view.error
      ? { title: "Restart", command: COMMANDS.restartServer }
      : { title: "Show Log", command: COMMANDS.showLog };
    this.updateStatus();
  }

  /** Start the server. `explicit`: the user asked (command), so a known problem is shown again. */
  private async start(explicit: boolean): Promise<boolean> {
    if (this.client) {
      return true;
    }
    this.setServerState("starting");
    const folder = this.workspaceFolder();
    await this.watchInterpreter(folder);
    const choice = await this.resolveInterpreter(folder);
    this.output.info(`interpreter: ${[choice.command, ...choice.args].join(" ")} (${choice.source})`);
    const verdict = interpretProbe(choice, await runProbe(choice, folder?.uri.fsPath));
    if (verdict.kind !== "ok") {
      this.output.error(verdict.message);
      this.setServerState("failed", verdict.message);
      this.notifyProblem(choice, verdict, explicit);
      return false;
    }
    this.output.info(`speedlens ${verdict.version ?? ""} found; starting the server`);

    const serverOptions: ServerOptions = {
      command: choice.command,
      args: serverArgs(choice),
      transport: TransportKind.stdio,
      options: { cwd: folder?.uri.fsPath, env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "cpp" },
        { scheme: "file", language: "python" },
      ],
      outputChannel: this.output,
      initializationOptions: this.serverSettings(folder?.uri),
      middleware: this.middleware(),
    };
    const client = new LanguageClient("speedlens", "speedlens", serverOptions, clientOptions);
    client.registerFeature(clientFeature());
    this.filter.reset();
    this.clientDisposables.push(
      client.onNotification(STATUS_NOTIFICATION, (params: unknown) => this.onStatusNotification(params)),
      client.onDidChangeState((e) => {
        if (this.client !== client) {
          return;
        }
        if (e.newState === State.Running) {
          this.setServerState("running");
        } else if (e.newState === State.Stopped && this.serverState === "running") {
          this.setServerState("failed", "the server stopped; see the log");
        }
      }),
    );
    this.client = client;
    try {
      await client.start();
      this.setServerState("running");
      return true;
    } catch (error) {
      this.output.error(`the server did not start: ${errorText(error)}`);
      this.setServerState("failed", errorText(error));
      this.disposeClient();
      return false;
    }
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.disposeClient();
    if (client) {
      try {
        await client.stop(5_000);
      } catch (error) {
        this.output.warn(`stopping the server: ${errorText(error)}`);
      }
      try {
        await client.dispose();
      } catch {
        // already gone
      }
    }
    // A new server announces what each open document has (speedlens/status, state "idle"): forget the old view.
    for (const uri of this.statuses.keys()) {
      this.progress.end(uri);
    }
    this.statuses.clear();
    this.setServerState("stopped");
  }

  private disposeClient(): void {
    for (const d of this.clientDisposables) {
      d.dispose();
    }
    this.clientDisposables = [];
    this.client = undefined;
  }

  private restart(explicit: boolean): Promise<boolean> {
    if (explicit) {
      this.notified.clear();
    }
    if (!explicit && !this.wanted) {
      return Promise.resolve(false);
    }
    this.wanted = true;
    this.output.info("restarting the server");
    return this.enqueue(async () => {
      await this.stop();
      return this.start(explicit);
    });
  }

  /** Restart when the Python extension's interpreter changes, while speedlens.interpreter is unset. */
  private async watchInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    if (this.interpreterWatch || !hasPythonExtension()) {
      return;
    }
    const setting = vscode.workspace.getConfiguration("speedlens", folder?.uri).get<string>("interpreter");
    if (typeof setting === "string" && setting.trim() !== "") {
      return;
    }
    this.interpreterWatch = await onDidChangeInterpreter(() => {
      const current = vscode.workspace.getConfiguration("speedlens").get<string>("interpreter");
      if (!current || current.trim() === "") {
        this.output.info("the Python extension's interpreter changed");
        void this.restart(false);
      }
    });
    this.disposables.push(this.interpreterWatch);
  }

  private notifyProblem(choice: InterpreterChoice, verdict: ProbeVerdict, explicit: boolean): void {
    const key = problemKey(choice, verdict);
    if (this.notified.has(key) && !explicit) {
      return;
    }
    this.notified.add(key);
    const copy = "Copy Install Command";
    const settings = "Open Settings";
    const select = "Select Interpreter";
    const log = "Show Log";
    const actions = [
      ...(verdict.fixCommand ? [copy] : []),
      settings,
      ...(choice.source === "python-extension" ? [select] : []),
      log,
    ];
    void vscode.window.showErrorMessage(verdict.message, ...actions).then(async (picked) => {
      if (picked === copy && verdict.fixCommand) {
        await vscode.env.clipboard.writeText(verdict.fixCommand);
        void vscode.window.showInformationMessage(
          `Copied '${verdict.fixCommand}'. Run it in a terminal, then run "speedlens: Restart Server".`,
        );
      } else if (picked === settings) {
        await vscode.commands.executeCommand("workbench.action.openSettings", "speedlens.interpreter");
      } else if (picked === select) {
        await vscode.commands.executeCommand("python.setInterpreter");
      } else if (picked === log) {
        this.output.show(true);
      }
    });
  }

  // ---- settings -------------------------------------------------------------------------------------------

  private serverSettings(scope: vscode.Uri | undefined): ServerSettings {
    const config = vscode.workspace.getConfiguration("speedlens", scope);
    const explicit: Record<string, unknown> = {};
    for (const spec of SERVER_SETTINGS) {
      explicit[spec.key] = explicitValue(config.inspect(spec.key));
    }
    const { settings, problems } = toServerSettings(explicit);
    for (const problem of problems) {
      this.output.warn(problem);
    }
    return settings;
  }

  private onConfigChange(e: vscode.ConfigurationChangeEvent): void {
    const change = classifyChange((key) => e.affectsConfiguration(key));
    if (change === "restart") {
      void this.restart(false);
    } else if (change === "notify" && this.client?.isRunning()) {
      const settings = this.serverSettings(this.workspaceFolder()?.uri);
      this.output.info(`settings changed: ${JSON.stringify(settings)}`);
      void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: { speedlens: settings } });
    }
  }

  private middleware(): LanguageClientOptions["middleware"] {
    return middleware(this.filter, {
      client: () => this.client,
      serverSettings: (scope) => this.serverSettings(scope),
      onServerCommand: (command, args, next) => this.onServerCommand(command, args, next),
    });
  }

  // ---- commands -------------------------------------------------------------------------------------------

  /** The active editor's document, when the server handles it; otherwise tell the user why nothing happens. */
  private servedEditor(): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isServed(docLike(editor.document))) {
      void vscode.window.showInformationMessage(
        "speedlens works on C++ files and on TVM-script Python files (with @T.prim_func) saved on disk. Open one first.",
      );
      return undefined;
    }
    return editor;
  }

  private async ensureClient(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) {
      return this.client;
    }
    this.wanted = true;
    const ok = await this.enqueue(() => this.start(true));
    return ok ? this.client : undefined;
  }

  private async execute(client: LanguageClient, command: string, args: unknown[]): Promise<unknown> {
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private async optimize(atCursor: boolean): Promise<void> {
    const editor = this.servedEditor();
    if (!editor) {
      return;
    }
    await this.runOptimize(editor.document.uri, atCursor ? editor.selection.active.line : undefined);
  }

  /** Optimize a document (or the target at `line`); status and progress follow the server's notifications. */
  private async runOptimize(docUri: vscode.Uri, line: number | undefined): Promise<unknown> {
    const client = await this.ensureClient();
    if (!client) {
      return undefined;
    }
    const uri = client.code2ProtocolConverter.asUri(docUri);
    const key = statusKey(docUri);
    const args: unknown[] = line !== undefined ? [uri, line] : [uri];
    this.setStatus(key, requestStarted(this.statuses.get(key), line !== undefined ? "optimizing the target…" : "optimizing…"));
    try {
      const result = await this.execute(
        client,
        line !== undefined ? SERVER_COMMANDS.optimizeTarget : SERVER_COMMANDS.optimizeFile,
        args,
      );
      this.setStatus(key, requestFinished(this.statuses.get(key), result));
      return result;
    } catch (error) {
      if (isCancellation(error)) {
        this.setStatus(key, { ...this.statuses.get(key), state: "cancelled", message: "cancelled" });
        return undefined;
      }
      this.output.error(`optimize failed: ${errorText(error)}`);
      this.setStatus(key, requestFailed(this.statuses.get(key), errorText(error)));
      void vscode.window.showErrorMessage(`speedlens: ${errorText(error)}`, "Show Log").then((picked) => {
        if (picked) {
          this.output.show(true);
        }
      });
      return undefined;
    } finally {
      this.progress.end(key);
    }
  }

  /** A server command run from a lens or a code action (through vscode-languageclient). */
  private async onServerCommand(command: string, args: unknown[], next: (command: string, args: unknown[]) => unknown): Promise<unknown> {
    const uri = typeof args[0] === "string" ? vscode.Uri.parse(args[0]) : undefined;
    if (uri && command === SERVER_COMMANDS.showReport) {
      return this.showReportFor(uri);
    }
    if (uri && command === SERVER_COMMANDS.optimizeFile) {
      return this.runOptimize(uri, undefined);
    }
    if (uri && command === SERVER_COMMANDS.optimizeTarget && typeof args[1] === "number") {
      return this.runOptimize(uri, args[1]);
    }
    const result = await next(command, args);
    if (command === SERVER_COMMANDS.createTests) {
      await this.openCreatedTests(result);
    }
    return result;
  }

  private async cancel(): Promise<void> {
    const editor = this.servedEditor();
    if (editor) {
      await this.cancelUri(editor.document.uri);
    }
  }

  private async cancelUri(docUri: vscode.Uri): Promise<void> {
    if (!this.client?.isRunning()) {
      return;
    }
    const key = statusKey(docUri);
    try {
      await this.execute(this.client, SERVER_COMMANDS.cancel, [this.client.code2ProtocolConverter.asUri(docUri)]);
      const prev = this.statuses.get(key);
      if (prev?.state === "running") {
        this.setStatus(key, { ...prev, state: "cancelled", message: "cancelled" });
      }
    } catch (error) {
      this.output.error(`cancel failed: ${errorText(error)}`);
    }
  }

  private async showReport(): Promise<void> {
    const editor = this.servedEditor();
    if (editor) {
      await this.showReportFor(editor.document.uri);
    }
  }

  /** Ask the server for the report and open it beside the editor; returns the markdown (undefined on failure). */
  private async showReportFor(source: vscode.Uri): Promise<string | undefined> {
    const client = await this.ensureClient();
    if (!client) {
      return undefined;
    }
    let markdown: string;
    try {
      const result = await this.execute(client, SERVER_COMMANDS.showReport, [client.code2ProtocolConverter.asUri(source)]);
      markdown = reportMarkdown(result, vscode.workspace.asRelativePath(source));
    } catch (error) {
      this.output.error(`showReport failed: ${errorText(error)}`);
      void vscode.window.showErrorMessage(`speedlens: could not get the report: ${errorText(error)}`);
      return undefined;
    }
    const reportUri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: reportPath(source.toString()), query: source.toString() });
    this.reports.set(reportUri, markdown);
    await showMarkdown(reportUri);
    return markdown;
  }

  /** "Preview" of a verified rewrite: VS Code's diff of the file (left) and the rewritten file (right). */
  private async preview(uri: unknown, title: unknown, text: unknown): Promise<void> {
    if (typeof uri !== "string" || typeof text !== "string") {
      this.output.warn(`preview: unexpected arguments ${JSON.stringify([uri, title])}`);
      return;
    }
    const source = vscode.Uri.parse(uri);
    const name = source.path.slice(source.path.lastIndexOf("/") + 1) || "file";
    const right = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${name}`, query: source.toString() });
    this.previews.set(right, text);
    const label = typeof title === "string" && title ? title : "verified rewrite";
    await vscode.commands.executeCommand("vscode.diff", source, right, `${name} ↔ ${label}`, { preview: true });
  }

  /** `NAME.tests/01.in` for the active file (the server creates it), opened for the user to write an input. */
  private async createTests(): Promise<void> {
    const editor = this.servedEditor();
    const client = editor && (await this.ensureClient());
    if (!editor || !client) {
      return;
    }
    try {
      const result = await this.execute(client, SERVER_COMMANDS.createTests, [
        client.code2ProtocolConverter.asUri(editor.document.uri),
      ]);
      await this.openCreatedTests(result);
    } catch (error) {
      void vscode.window.showErrorMessage(`speedlens: could not create the test inputs: ${errorText(error)}`);
    }
  }

  private async openCreatedTests(result: unknown): Promise<void> {
    const r = (result ?? {}) as { uri?: unknown; message?: unknown };
    if (typeof r.uri !== "string") {
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.parse(r.uri), { viewColumn: vscode.ViewColumn.Beside });
    if (typeof r.message === "string") {
      void vscode.window.showInformationMessage(`speedlens: ${r.message}.`);
    }
  }

  // ---- status ---------------------------------------------------------------------------------------------

  private onStatusNotification(params: unknown): void {
    const n = parseStatusNotification(params);
    if (!n) {
      this.output.warn(`ignored malformed ${STATUS_NOTIFICATION}: ${JSON.stringify(params)}`);
      return;
    }
    const key = statusKey(n.uri);
    const next = applyNotification(this.statuses.get(key), n);
    this.setStatus(key, next);
    if (next.state === "running") {
      const docUri = vscode.Uri.parse(n.uri);
      const name = docUri.path.slice(docUri.path.lastIndexOf("/") + 1);
      this.progress.update(key, `speedlens: optimizing ${name}`, n.message, n.percentage, () => void this.cancelUri(docUri));
    } else {
      this.progress.end(key);
    }
  }

  private setStatus(key: string, status: FileStatus): void {
    this.statuses.set(key, status);
    this.updateStatus();
  }

  private updateContext(): void {
    const doc = vscode.window.activeTextEditor?.document;
    void vscode.commands.executeCommand(
      "setContext",
      "speedlens.tvmFile",
      doc !== undefined && doc.languageId === "python" && isTvmScript(doc.getText()),
    );
  }

  private updateStatus(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isServed(docLike(doc))) {
      this.statusItem.hide();
      this.statusView = undefined;
      return;
    }
    const view = formatStatus(this.statuses.get(statusKey(doc.uri)), this.serverState, {
      serverProblem: this.serverProblem,
    });
    const commandFor: Record<StatusAction, string> = {
      cancel: COMMANDS.cancel,
      showReport: COMMANDS.showReport,
      optimizeFile: COMMANDS.optimizeFile,
      showLog: COMMANDS.showLog,
    };
    this.statusView = view;
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.command = commandFor[view.action];
    this.statusItem.backgroundColor = view.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    this.statusItem.show();
  }

  async dispose(): Promise<void> {
    await this.enqueue(() => this.stop());
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

let instance: Speedlens | undefined;

export function activate(context: vscode.ExtensionContext): SpeedlensApi {
  const output = vscode.window.createOutputChannel("speedlens", { log: true });
  context.subscriptions.push(output);
  instance = new Speedlens(output);
  instance.activate();
  return instance.api();
}

export async function deactivate(): Promise<void> {
  const current = instance;
  instance = undefined;
  await current?.dispose();
}
