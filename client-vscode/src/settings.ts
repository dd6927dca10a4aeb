/**
 * VS Code `speedlens.*` settings -> the server's settings object (README.md, "Settings").
 *
 * Pure: no `vscode` import. The caller passes only the values the user set explicitly (any scope), so
 * `speedlens.toml` keeps its values for everything the user left at the default: the editor's settings
 * override the file, the editor's defaults do not.
 */

/** One editor setting that the server understands. `key` is relative to `speedlens.`. */
export interface ServerSettingSpec {
  /** VS Code key, camelCase, relative to the `speedlens` section, e.g. `sandbox.timeoutS`. */
  readonly key: string;
  /** Path in the server's settings object (snake_case, as in speedlens.toml), e.g. `["sandbox", "timeout_s"]`. */
  readonly path: readonly string[];
  readonly type: "string" | "integer" | "number" | "boolean" | "string[]" | "record";
}

export const SERVER_SETTINGS: readonly ServerSettingSpec[] = [
  { key: "model", path: ["model"], type: "string" },
  { key: "apiBase", path: ["api_base"], type: "string" },
  { key: "candidates", path: ["candidates"], type: "integer" },
  { key: "feedbackRounds", path: ["feedback_rounds"], type: "integer" },
  { key: "alpha", path: ["alpha"], type: "number" },
  { key: "minSpeedup", path: ["min_speedup"], type: "number" },
  { key: "piePath", path: ["pie_path"], type: "string" },
  { key: "sanitize", path: ["sanitize"], type: "boolean" },
  { key: "cpp.compiler", path: ["cpp", "compiler"], type: "string" },
  { key: "cpp.flags", path: ["cpp", "flags"], type: "string[]" },
  { key: "sandbox.timeoutS", path: ["sandbox", "timeout_s"], type: "number" },
  { key: "sandbox.memoryMb", path: ["sandbox", "memory_mb"], type: "integer" },
  { key: "sandbox.jobs", path: ["sandbox", "jobs"], type: "integer" },
  { key: "tvm.trials", path: ["tvm", "trials"], type: "integer" },
  { key: "tvm.patience", path: ["tvm", "patience"], type: "integer" },
  { key: "tvm.target", path: ["tvm", "target"], type: "string" },
  { key: "tvm.runner", path: ["tvm", "runner"], type: "string" },
  { key: "tvm.cc", path: ["tvm", "cc"], type: "string" },
  { key: "tvm.record", path: ["tvm", "record"], type: "boolean" },
  { key: "tests", path: ["tests"], type: "record" },
];

/** Settings read by the client only; never sent to the server (it rejects unknown keys). */
export const CLIENT_ONLY_SETTINGS: readonly string[] = ["interpreter", "trace.server"];

/** Settings whose change needs a new server process rather than a `workspace/didChangeConfiguration`. */
export const RESTART_SETTINGS: readonly string[] = ["interpreter"];

export type ServerSettings = { [key: string]: unknown };

export interface Translation {
  settings: ServerSettings;
  /** Human-readable problems with values that were dropped (shown in the log, never sent). */
  problems: string[];
}

function coerce(spec: ServerSettingSpec, value: unknown): { ok: true; value: unknown } | { ok: false } {
  switch (spec.type) {
    case "string":
      return typeof value === "string" ? { ok: true, value } : { ok: false };
    case "boolean":
      return typeof value === "boolean" ? { ok: true, value } : { ok: false };
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? { ok: true, value } : { ok: false };
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? { ok: true, value } : { ok: false };
    case "string[]":
      if (typeof value === "string") {
        // A flags string typed by hand ("-O3 -march=native") is split on whitespace, as the server does.
        return { ok: true, value: value.split(/\s+/).filter((s) => s.length > 0) };
      }
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? { ok: true, value: [...value] }
        : { ok: false };
    case "record":
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.every(([, v]) => typeof v === "string")) {
          return { ok: true, value: Object.fromEntries(entries) };
        }
      }
      return { ok: false };
  }
}

/**
 * Translate explicitly-set editor values into the nested, snake_case server settings object.
 *
 * @param explicit map from VS Code key (relative to `speedlens.`, e.g. `cpp.flags`) to the value the user set,
 *   or `undefined` when left at the default. Unknown and client-only keys are ignored.
 */
export function toServerSettings(explicit: Readonly<Record<string, unknown>>): Translation {
  const settings: ServerSettings = {};
  const problems: string[] = [];
  for (const spec of SERVER_SETTINGS) {
    const raw = explicit[spec.key];
    if (raw === undefined || raw === null) {
      continue;
    }
    const result = coerce(spec, raw);
    if (!result.ok) {
      problems.push(`speedlens.${spec.key}: expected ${spec.type}, got ${JSON.stringify(raw)}; using the default`);
      continue;
    }
    let node = settings;
    for (const part of spec.path.slice(0, -1)) {
      if (typeof node[part] !== "object" || node[part] === null) {
        node[part] = {};
      }
      node = node[part] as ServerSettings;
    }
    node[spec.path[spec.path.length - 1]] = result.value;
  }
  return { settings, problems };
}

/** The value of a setting the user set at any scope (the most specific wins), else `undefined`. */
export function explicitValue<T>(inspected: {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
} | undefined): T | undefined {
  if (!inspected) {
    return undefined;
  }
  return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
}

export type ConfigChange = "none" | "restart" | "notify";

/**
 * What a configuration change needs, given a predicate telling whether `speedlens.<key>` changed
 * (VS Code's `ConfigurationChangeEvent.affectsConfiguration`, for instance).
 */
export function classifyChange(affects: (fullKey: string) => boolean): ConfigChange {
  if (RESTART_SETTINGS.some((key) => affects(`speedlens.${key}`))) {
    return "restart";
  }
  if (SERVER_SETTINGS.some((spec) => affects(`speedlens.${spec.key}`))) {
    return "notify";
  }
  return "none";
}
