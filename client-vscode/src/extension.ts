/**
 * speedlens for VS Code: starts `<python> -m speedlens serve` over stdio with vscode-languageclient and adds
 * the commands, the status-bar item, the Output channel and the report view. The decisions live in the pure
 * modules (settings, interpreter, status, documents); this file only wires them to VS Code.
 */
import { execFile } from "node:child_process";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  LSPErrorCodes,
  ResponseError,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { DocLike, isServed, isTvmScript, mightBeServed, reportMarkdown, reportPath, SyncFilter } from "./documents";
import {
  chooseInterpreter,
  InterpreterChoice,
  interpretProbe,
  probeArgs,
  ProbeOutcome,
  ProbeVerdict,
  problemKey,
  serverArgs,
} from "./interpreter";
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
  STATUS_NOTIFICATION,
  StatusAction,
} from "./status";

/** Server-side commands (DESIGN.md 7), sent as `workspace/executeCommand`. */
const SERVER_COMMANDS = {
  optimizeFile: "speedlens.optimizeFile",
  optimizeTarget: "speedlens.optimizeTarget",
  cancel: "speedlens.cancel",
  showReport: "speedlens.showReport",
} as const;

/** Client commands (package.json). Distinct ids: vscode-languageclient registers the server's own ids itself. */
const COMMANDS = {
  optimizeFile: "speedlens.client.optimizeFile",
  optimizeAtCursor: "speedlens.client.optimizeAtCursor",
  showReport: "speedlens.client.showReport",
  cancel: "speedlens.client.cancel",
  restartServer: "speedlens.client.restartServer",
  showLog: "speedlens.client.showLog",
} as const;

const REPORT_SCHEME = "speedlens-report";
const PROBE_TIMEOUT_MS = 30_000;

function docLike(doc: vscode.TextDocument): DocLike {
  return { uri: doc.uri.toString(), scheme: doc.uri.scheme, languageId: doc.languageId, getText: () => doc.getText() };
}

function statusKey(uri: string | vscode.Uri): string {
  try {
    return (typeof uri === "string" ? vscode.Uri.parse(uri) : uri).toString();
  } catch {
    return String(uri);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isCancellation(error: unknown): boolean {
  return (
    error instanceof ResponseError &&
    (error.code === LSPErrorCodes.RequestCancelled || error.code === LSPErrorCodes.ServerCancelled)
  );
}

function runProbe(choice: InterpreterChoice, cwd: string | undefined): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    execFile(
      choice.command,
      probeArgs(choice),
      { cwd, timeout: PROBE_TIMEOUT_MS, windowsHide: true, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ exitCode: 0, stdout, stderr });
          return;
        }
        const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
        if (typeof e.code === "string") {
          resolve({ spawnError: e.code, stdout, stderr });
        } else if (e.killed || e.signal) {
          resolve({ timedOut: true, stdout, stderr });
        } else {
          resolve({ exitCode: typeof e.code === "number" ? e.code : 1, stdout, stderr });
        }
      },
    );
  });
}

class ReportProvider implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  set(uri: vscode.Uri, markdown: string): void {
    this.contents.set(uri.toString(), markdown);
    this.emitter.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "# speedlens report\n\nNo report yet.\n";
  }

  dispose(): void {
    this.emitter.dispose();
  }
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
  private readonly reports = new ReportProvider();

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.statusItem = vscode.window.createStatusBarItem("speedlens.status", vscode.StatusBarAlignment.Right, 100);
    this.statusItem.name = "speedlens";
    this.disposables.push(this.statusItem, this.reports);
  }

  activate(): void {
    const d = this.disposables;
    d.push(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this.reports));
    d.push(
      vscode.commands.registerCommand(COMMANDS.optimizeFile, () => this.optimize(false)),
      vscode.commands.registerCommand(COMMANDS.optimizeAtCursor, () => this.optimize(true)),
      vscode.commands.registerCommand(COMMANDS.showReport, () => this.showReport()),
      vscode.commands.registerCommand(COMMANDS.cancel, () => this.cancel()),
      vscode.commands.registerCommand(COMMANDS.restartServer, () => this.restart(true)),
      vscode.commands.registerCommand(COMMANDS.showLog, () => this.output.show(true)),
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
    for (const [uri, status] of this.statuses) {
      if (status.state === "running") {
        this.statuses.set(uri, { ...status, state: "idle", message: undefined });
      }
    }
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
    const filter = this.filter;
    return {
      didOpen: (doc, next) => (filter.onOpen(docLike(doc)) === "forward" ? next(doc) : Promise.resolve()),
      didChange: (event, next) => {
        const decision = filter.onChange(docLike(event.document));
        if (decision === "forward") {
          return next(event);
        }
        if (decision === "open-instead" && this.client) {
          const doc = event.document;
          return this.client.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: {
              uri: this.client.code2ProtocolConverter.asUri(doc.uri),
              languageId: doc.languageId,
              version: doc.version,
              text: doc.getText(),
            },
          });
        }
        return Promise.resolve();
      },
      didClose: (doc, next) => (filter.onClose(doc.uri.toString()) === "forward" ? next(doc) : Promise.resolve()),
      didSave: (doc, next) => (filter.onOther(doc.uri.toString()) === "forward" ? next(doc) : Promise.resolve()),
      willSave: (event, next) =>
        filter.onOther(event.document.uri.toString()) === "forward" ? next(event) : Promise.resolve(),
      willSaveWaitUntil: (event, next) =>
        filter.onOther(event.document.uri.toString()) === "forward" ? next(event) : Promise.resolve([]),
      provideCodeLenses: (doc, token, next) => (filter.serves(doc.uri.toString()) ? next(doc, token) : []),
      provideInlayHints: (doc, range, token, next) =>
        filter.serves(doc.uri.toString()) ? next(doc, range, token) : [],
      provideCodeActions: (doc, range, ctx, token, next) =>
        filter.serves(doc.uri.toString()) ? next(doc, range, ctx, token) : [],
      provideHover: (doc, position, token, next) =>
        filter.serves(doc.uri.toString()) ? next(doc, position, token) : undefined,
      workspace: {
        // The server asks for section "speedlens": answer with the translated object (snake_case, nested, only
        // what the user set), not VS Code's raw view, which holds client-only keys and every default.
        configuration: async (params, token, next) => {
          const result: unknown = await next(params, token);
          if (!Array.isArray(result)) {
            return result as ResponseError;
          }
          const answers: unknown[] = result;
          return params.items.map((item, i): unknown =>
            item.section === "speedlens"
              ? this.serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : answers[i],
          );
        },
      },
    };
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
    const client = await this.ensureClient();
    if (!client) {
      return;
    }
    const doc = editor.document;
    const uri = client.code2ProtocolConverter.asUri(doc.uri);
    const key = statusKey(doc.uri);
    const args: unknown[] = atCursor ? [uri, editor.selection.active.line] : [uri];
    this.setStatus(key, requestStarted(this.statuses.get(key), atCursor ? "optimizing the target…" : "optimizing…"));
    try {
      const result = await this.execute(client, atCursor ? SERVER_COMMANDS.optimizeTarget : SERVER_COMMANDS.optimizeFile, args);
      this.setStatus(key, requestFinished(this.statuses.get(key), result));
    } catch (error) {
      if (isCancellation(error)) {
        this.setStatus(key, { ...this.statuses.get(key), state: "idle", message: "cancelled" });
        return;
      }
      this.output.error(`optimize failed: ${errorText(error)}`);
      this.setStatus(key, requestFailed(this.statuses.get(key), errorText(error)));
      void vscode.window.showErrorMessage(`speedlens: ${errorText(error)}`, "Show Log").then((picked) => {
        if (picked) {
          this.output.show(true);
        }
      });
    }
  }

  private async cancel(): Promise<void> {
    const editor = this.servedEditor();
    if (!editor || !this.client?.isRunning()) {
      return;
    }
    const key = statusKey(editor.document.uri);
    try {
      await this.execute(this.client, SERVER_COMMANDS.cancel, [this.client.code2ProtocolConverter.asUri(editor.document.uri)]);
      const prev = this.statuses.get(key);
      if (prev?.state === "running") {
        this.setStatus(key, { ...prev, state: "idle", message: "cancelled" });
      }
    } catch (error) {
      this.output.error(`cancel failed: ${errorText(error)}`);
    }
  }

  private async showReport(): Promise<void> {
    const editor = this.servedEditor();
    if (!editor) {
      return;
    }
    const client = await this.ensureClient();
    if (!client) {
      return;
    }
    const source = editor.document.uri;
    let markdown: string;
    try {
      const result = await this.execute(client, SERVER_COMMANDS.showReport, [client.code2ProtocolConverter.asUri(source)]);
      markdown = reportMarkdown(result, vscode.workspace.asRelativePath(source));
    } catch (error) {
      this.output.error(`showReport failed: ${errorText(error)}`);
      void vscode.window.showErrorMessage(`speedlens: could not get the report: ${errorText(error)}`);
      return;
    }
    const reportUri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: reportPath(source.toString()), query: source.toString() });
    this.reports.set(reportUri, markdown);
    try {
      await vscode.commands.executeCommand("markdown.showPreviewToSide", reportUri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(reportUri);
      await vscode.languages.setTextDocumentLanguage(doc, "markdown");
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
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
    this.setStatus(key, applyNotification(this.statuses.get(key), n));
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

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel("speedlens", { log: true });
  context.subscriptions.push(output);
  instance = new Speedlens(output);
  instance.activate();
}

export async function deactivate(): Promise<void> {
  const current = instance;
  instance = undefined;
  await current?.dispose();
}
