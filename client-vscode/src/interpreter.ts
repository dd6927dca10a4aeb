/**
 * Which Python runs the server, and what to tell the user when it cannot. Pure: no `vscode` import.
 */

export type InterpreterSource = "setting" | "python-extension" | "default";

export interface InterpreterChoice {
  /** The executable. */
  command: string;
  /** Arguments that belong to the interpreter itself (when the setting is given as an array in settings.json). */
  args: string[];
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** The `speedlens.interpreter` setting (empty or blank = unset). */
  setting?: string | readonly string[];
  /** The Python extension's active interpreter, when that extension is installed and has one. */
  pythonExtensionPath?: string;
  /** Folder that `${workspaceFolder}` expands to. */
  workspaceFolder?: string;
  /** Home directory that `~` expands to. */
  home?: string;
  /** `python3` by default; `python` on Windows. */
  fallback?: string;
}

export const DEFAULT_PYTHON = "python3";

/** Expand `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`. */
export function expandVariables(
  value: string,
  vars: { workspaceFolder?: string; home?: string; env?: Readonly<Record<string, string | undefined>> },
): string {
  let out = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name, env) => {
    if (name === "workspaceFolder") {
      return vars.workspaceFolder ?? whole;
    }
    if (name === "userHome") {
      return vars.home ?? whole;
    }
    return vars.env?.[env as string] ?? "";
  });
  if (vars.home && (out === "~" || out.startsWith("~/") || out.startsWith("~\\"))) {
    out = vars.home + out.slice(1);
  }
  return out;
}

/** The setting is one executable path (spaces allowed, no quoting); an array is a command with arguments. */
function parseSetting(setting: string | readonly string[] | undefined): string[] {
  if (setting === undefined) {
    return [];
  }
  if (typeof setting === "string") {
    const trimmed = setting.trim();
    return trimmed === "" ? [] : [trimmed];
  }
  return setting.filter((s) => s.trim() !== "");
}

/** `speedlens.interpreter`, else the Python extension's interpreter, else `python3`. */
export function chooseInterpreter(inputs: InterpreterInputs): InterpreterChoice {
  const vars = { workspaceFolder: inputs.workspaceFolder, home: inputs.home };
  const fromSetting = parseSetting(inputs.setting).map((part) => expandVariables(part, vars));
  if (fromSetting.length > 0) {
    return { command: fromSetting[0], args: fromSetting.slice(1), source: "setting" };
  }
  const ext = inputs.pythonExtensionPath?.trim();
  if (ext) {
    return { command: ext, args: [], source: "python-extension" };
  }
  return { command: inputs.fallback ?? DEFAULT_PYTHON, args: [], source: "default" };
}

/** Arguments that start the language server. */
export function serverArgs(choice: InterpreterChoice): string[] {
  return [...choice.args, "-m", "speedlens", "serve"];
}

/** Exit code of the probe when Python is older than the server supports. */
export const PROBE_TOO_OLD_EXIT = 3;
export const MIN_PYTHON = "3.10";

/** Arguments for the pre-launch check: Python is new enough and `import speedlens` works. */
export function probeArgs(choice: InterpreterChoice): string[] {
  return [
    ...choice.args,
    "-c",
    `import sys; sys.version_info < (3, 10) and sys.exit(${PROBE_TOO_OLD_EXIT}); import speedlens; print(getattr(speedlens, "__version__", "?"))`,
  ];
}

export interface ProbeOutcome {
  /** Error code from spawning (e.g. `ENOENT`), when the process did not start. */
  spawnError?: string;
  /** Exit code, when it ran. */
  exitCode?: number | null;
  /** True when the probe was killed for taking too long. */
  timedOut?: boolean;
  stdout?: string;
  stderr?: string;
}

export type ProbeKind = "ok" | "no-python" | "too-old" | "no-package" | "broken-package" | "timeout";

export interface ProbeVerdict {
  kind: ProbeKind;
  /** One sentence saying what is wrong and how to fix it (empty for "ok"). */
  message: string;
  /** The shell command that fixes it, when there is one (offered as "Copy install command"). */
  fixCommand?: string;
  /** The server's version when ok. */
  version?: string;
}

function describe(choice: InterpreterChoice): string {
  const where =
    choice.source === "setting"
      ? "from speedlens.interpreter"
      : choice.source === "python-extension"
        ? "the Python extension's active interpreter"
        : "the default";
  return `'${[choice.command, ...choice.args].join(" ")}' (${where})`;
}

function quoteForShell(part: string): string {
  return /^[A-Za-z0-9_@%+=:,./\\-]+$/.test(part) ? part : `"${part.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** The command a user runs to install the server into the chosen interpreter. */
export function installCommand(choice: InterpreterChoice): string {
  return [choice.command, ...choice.args].map(quoteForShell).concat(["-m", "pip", "install", "speedlens"]).join(" ");
}

/** Classify the pre-launch check into one clear message with its fix. */
export function interpretProbe(choice: InterpreterChoice, outcome: ProbeOutcome): ProbeVerdict {
  const who = describe(choice);
  const setHint = "or set speedlens.interpreter to a Python that has it";
  if (outcome.spawnError !== undefined) {
    if (outcome.spawnError === "ENOENT" || outcome.spawnError === "EACCES") {
      return {
        kind: "no-python",
        message:
          `speedlens: Python interpreter ${who} was not found. Install Python ${MIN_PYTHON}+ and run ` +
          `'python3 -m pip install speedlens', or set speedlens.interpreter to a Python that has speedlens.`,
      };
    }
    return {
      kind: "no-python",
      message: `speedlens: could not start ${who} (${outcome.spawnError}). Set speedlens.interpreter to a working Python ${MIN_PYTHON}+.`,
    };
  }
  if (outcome.timedOut) {
    return {
      kind: "timeout",
      message: `speedlens: ${who} took too long to 'import speedlens'. Check the interpreter in a terminal, ${setHint}.`,
    };
  }
  if (outcome.exitCode === 0) {
    const version = (outcome.stdout ?? "").trim().split(/\r?\n/).pop() ?? "";
    return { kind: "ok", message: "", version: version === "" ? undefined : version };
  }
  const stderr = outcome.stderr ?? "";
  if (outcome.exitCode === PROBE_TOO_OLD_EXIT) {
    return {
      kind: "too-old",
      message: `speedlens: ${who} is older than Python ${MIN_PYTHON}. Set speedlens.interpreter to Python ${MIN_PYTHON} or newer with speedlens installed.`,
    };
  }
  if (/No module named ['"]?speedlens['"]?/.test(stderr)) {
    const fix = installCommand(choice);
    return {
      kind: "no-package",
      message: `speedlens: the speedlens package is not installed for ${who}. Run '${fix}', ${setHint}.`,
      fixCommand: fix,
    };
  }
  if (/SyntaxError/.test(stderr) && /print |invalid syntax/.test(stderr)) {
    return {
      kind: "too-old",
      message: `speedlens: ${who} is not Python ${MIN_PYTHON}+. Set speedlens.interpreter to Python ${MIN_PYTHON} or newer with speedlens installed.`,
    };
  }
  const lastLine = stderr.trim().split(/\r?\n/).pop() ?? `exit code ${String(outcome.exitCode)}`;
  const fix = installCommand(choice).replace(" install ", " install --force-reinstall ");
  return {
    kind: "broken-package",
    message: `speedlens: 'import speedlens' fails in ${who}: ${lastLine}. Reinstall with '${fix}' (details in the speedlens output).`,
    fixCommand: fix,
  };
}

/** Key for "have we already told the user about this?": one notification per interpreter and problem. */
export function problemKey(choice: InterpreterChoice, verdict: ProbeVerdict): string {
  return `${verdict.kind}\u0000${choice.command}\u0000${choice.args.join("\u0000")}`;
}
