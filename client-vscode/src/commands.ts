/** Command ids: the server's (`workspace/executeCommand`, README.md "Commands") and the client's (package.json). */

/** Server-side commands; results are described in server/speedlens/lsp/protocol.schema.json. */
export const SERVER_COMMANDS = {
  optimizeFile: "speedlens.optimizeFile",
  optimizeTarget: "speedlens.optimizeTarget",
  cancel: "speedlens.cancel",
  showReport: "speedlens.showReport",
  createTests: "speedlens.createTests",
} as const;

/** Client commands. Distinct ids: vscode-languageclient registers the server's own ids itself. */
export const COMMANDS = {
  optimizeFile: "speedlens.client.optimizeFile",
  optimizeAtCursor: "speedlens.client.optimizeAtCursor",
  showReport: "speedlens.client.showReport",
  cancel: "speedlens.client.cancel",
  restartServer: "speedlens.client.restartServer",
  showLog: "speedlens.client.showLog",
  createTests: "speedlens.client.createTests",
  /** (uri, title, rewritten text): VS Code's diff of the file and the rewrite; announced to the server. */
  preview: "speedlens.client.preview",
} as const;

export const REPORT_SCHEME = "speedlens-report";
export const PREVIEW_SCHEME = "speedlens-preview";
