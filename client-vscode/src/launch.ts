/**
 * Starting the server: the interpreter probe (a child process with a timeout), the client's announced
 * capabilities, and how errors of the language client read. No `vscode` import.
 */
import { execFile } from "node:child_process";
import { LSPErrorCodes, ResponseError, StaticFeature } from "vscode-languageclient/node";

import { COMMANDS } from "./commands";
import { InterpreterChoice, probeArgs, ProbeOutcome } from "./interpreter";

const PROBE_TIMEOUT_MS = 30_000;

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isCancellation(error: unknown): boolean {
  return (
    error instanceof ResponseError &&
    (error.code === LSPErrorCodes.RequestCancelled || error.code === LSPErrorCodes.ServerCancelled)
  );
}

export function runProbe(choice: InterpreterChoice, cwd: string | undefined): Promise<ProbeOutcome> {
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

/** Announced in the client's capabilities: the server offers "Preview" actions that run this command. */
export function clientFeature(): StaticFeature {
  return {
    fillClientCapabilities(capabilities) {
      // The progress is this extension's own notification (fed by speedlens/status): the library's work-done
      // progress would only repeat it in the status bar.
      if (capabilities.window) {
        capabilities.window.workDoneProgress = false;
      }
      capabilities.experimental = {
        ...((capabilities.experimental as object | undefined) ?? {}),
        speedlens: { previewCommand: COMMANDS.preview },
      };
    },
    initialize() {},
    getState() {
      return { kind: "static" };
    },
    clear() {},
  };
}

