/**
 * The Python extension's active interpreter (ms-python.python's `environments` API), when it is installed.
 * Only the few members used here are declared, so the extension needs no extra dependency.
 */
import * as vscode from "vscode";

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable: { readonly uri: vscode.Uri | undefined };
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
  resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
  readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  readonly environments?: PythonEnvironmentsApi;
}

const PYTHON_EXTENSION_ID = "ms-python.python";

async function environmentsApi(): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments;
  } catch {
    return undefined;
  }
}

/** The active interpreter's executable for `resource`, or undefined (no Python extension, or none selected). */
export async function activeInterpreterPath(
  resource: vscode.Uri | undefined,
  log: (message: string) => void,
): Promise<string | undefined> {
  const environments = await environmentsApi();
  if (!environments) {
    return undefined;
  }
  try {
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch (error) {
    log(`could not read the Python extension's interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Subscribe to interpreter changes in the Python extension (a no-op without it). */
export async function onDidChangeInterpreter(listener: () => void): Promise<vscode.Disposable> {
  const environments = await environmentsApi();
  return environments ? environments.onDidChangeActiveEnvironmentPath(() => listener()) : new vscode.Disposable(() => undefined);
}

/** Whether the Python extension is installed (to offer "Select Interpreter"). */
export function hasPythonExtension(): boolean {
  return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}
