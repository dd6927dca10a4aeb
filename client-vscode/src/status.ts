/**
 * Per-file optimization status and the status-bar text. Pure: no `vscode` import.
 *
 * Sources, all optional: the server's `speedlens/status` notification, and the client's own view of the
 * optimize requests it sent (started / finished / failed), so the item works with a server that sends nothing
 * but the command's result.
 */

/** The server's states (server/speedlens/lsp/protocol.schema.json, `definitions.state`). */
export const RUN_STATES = ["idle", "running", "done", "cancelled", "error"] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface FileStatus {
  state: RunState;
  /** Short progress or result message from the server. */
  message?: string;
  /** Best verified speedup in the file (PIE's total-time ratio). */
  bestSpeedup?: number;
  /** Its conformal lower bound, when known. */
  bestSpeedupLower?: number;
  /** The bound's miscoverage level (0.1 = "@90%"), when known. */
  alpha?: number;
  /** The server's text for the best figure (`11.5× (≥9.8× @90%)`): shown as it is, so every view agrees. */
  bestLabel?: string;
  /** Progress of a running job, 0-100, when the server knows it. */
  percentage?: number;
}

/** Params of the `speedlens/status` notification; unknown fields are ignored, missing ones tolerated. */
export interface StatusNotification {
  uri: string;
  state: string;
  message?: string;
  bestSpeedup?: number | null;
  bestSpeedupLower?: number | null;
  alpha?: number | null;
  bestLabel?: string;
  percentage?: number;
}

export const STATUS_NOTIFICATION = "speedlens/status";

function finite(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

function normalizeState(state: unknown): RunState {
  switch (state) {
    case "idle":
    case "running":
    case "done":
    case "cancelled":
    case "error":
      return state;
    case "canceled":
      return "cancelled";
    case "failed":
      return "error";
    default:
      return "idle";
  }
}

/** Validate the notification's params (they come from another process): undefined when unusable. */
export function parseStatusNotification(params: unknown): StatusNotification | undefined {
  if (params === null || typeof params !== "object") {
    return undefined;
  }
  const p = params as Record<string, unknown>;
  if (typeof p.uri !== "string" || typeof p.state !== "string") {
    return undefined;
  }
  return {
    uri: p.uri,
    state: p.state,
    message: typeof p.message === "string" ? p.message : undefined,
    bestSpeedup: finite(p.bestSpeedup) ?? finite(p.best_speedup),
    bestSpeedupLower: finite(p.bestSpeedupLower) ?? finite(p.best_speedup_lower),
    alpha: finite(p.alpha),
    bestLabel: typeof p.bestLabel === "string" && p.bestLabel !== "" ? p.bestLabel : undefined,
    percentage: typeof p.percentage === "number" && p.percentage >= 0 && p.percentage <= 100 ? p.percentage : undefined,
  };
}

/** The next status after a `speedlens/status` notification. Absent numbers keep the previous ones. */
export function applyNotification(prev: FileStatus | undefined, n: StatusNotification): FileStatus {
  const state = normalizeState(n.state);
  const next: FileStatus = { state, message: n.message, percentage: state === "running" ? n.percentage : undefined };
  // A new run keeps the last best figure visible until it is replaced; "idle" after an edit clears it only
  // when the server says so by sending no number.
  const keep = state === "running";
  const best = n.bestSpeedup ?? (keep ? prev?.bestSpeedup : undefined);
  if (best !== undefined) {
    next.bestSpeedup = best;
    const sameFigure = n.bestSpeedup === undefined;
    next.bestSpeedupLower = n.bestSpeedupLower ?? (sameFigure ? prev?.bestSpeedupLower : undefined);
    next.alpha = n.alpha ?? prev?.alpha;
    next.bestLabel = sameFigure ? prev?.bestLabel : n.bestLabel;
  }
  return next;
}

export function requestStarted(prev: FileStatus | undefined, message = "optimizing…"): FileStatus {
  return { ...prev, state: "running", message: prev?.state === "running" ? (prev.message ?? message) : message };
}

/** After the optimize request returns: "done", with the best figure from its result when the server sent none. */
export function requestFinished(prev: FileStatus | undefined, result: unknown): FileStatus {
  const summary = summarizeResult(result);
  // The server's notifications are the truth; the result only fills in what no notification said.
  const settled = prev?.state === "done" || prev?.state === "error" || prev?.state === "cancelled";
  const base: FileStatus = settled
    ? { ...prev }
    : { ...prev, state: summary.state ?? "done", message: summary.message, percentage: undefined };
  if (summary.bestSpeedup !== undefined) {
    const known = prev?.bestSpeedup;
    // The notification rounds to 3 decimals: the same figure within that.
    const same = known !== undefined && Math.abs(known - summary.bestSpeedup) <= 1e-3 * summary.bestSpeedup;
    if (!settled || known === undefined || same) {
      base.bestSpeedup = summary.bestSpeedup;
      base.bestSpeedupLower = summary.bestSpeedupLower ?? (same ? base.bestSpeedupLower : undefined);
      base.alpha = summary.alpha ?? base.alpha;
      base.bestLabel = summary.bestLabel ?? (same ? base.bestLabel : undefined);
    }
  }
  if (summary.cancelled && !settled) {
    return { ...base, state: "cancelled", message: "cancelled" };
  }
  return base;
}

export function requestFailed(prev: FileStatus | undefined, message: string): FileStatus {
  return { ...prev, state: "error", message };
}

/**
 * The best verified figure in an optimize command's result, whatever its shape: a number, an object with
 * `bestSpeedup`, or the CLI's `optimize --json` object (`results[]` with `status`, `speedup`, `speedup_lower`).
 */
export function summarizeResult(result: unknown): {
  bestSpeedup?: number;
  bestSpeedupLower?: number;
  alpha?: number;
  cancelled?: boolean;
  bestLabel?: string;
  state?: RunState;
  message?: string;
} {
  const extra = resultExtras(result);
  const core = summarizeCore(result);
  return { ...core, ...extra };
}

function resultExtras(result: unknown): { bestLabel?: string; state?: RunState; message?: string } {
  if (result === null || typeof result !== "object") {
    return {};
  }
  const r = result as Record<string, unknown>;
  const out: { bestLabel?: string; state?: RunState; message?: string } = {};
  if (typeof r.bestLabel === "string" && r.bestLabel !== "") {
    out.bestLabel = r.bestLabel;
  }
  if (typeof r.state === "string") {
    out.state = normalizeState(r.state);
  }
  if (typeof r.message === "string" && r.message !== "") {
    out.message = r.message;
  }
  return out;
}

function summarizeCore(result: unknown): {
  bestSpeedup?: number;
  bestSpeedupLower?: number;
  alpha?: number;
  cancelled?: boolean;
} {
  if (typeof result === "number") {
    return { bestSpeedup: finite(result) };
  }
  if (result === null || typeof result !== "object") {
    return {};
  }
  const r = result as Record<string, unknown>;
  const cancelled = r.cancelled === true || r.status === "cancelled" || r.state === "cancelled" ? true : undefined;
  const direct = finite(r.bestSpeedup) ?? finite(r.best_speedup);
  const fromList = bestVerified(r.results);
  if (direct !== undefined && fromList !== undefined && fromList.bestSpeedupLower !== undefined
    && r.bestSpeedupLower === undefined && Math.abs(fromList.bestSpeedup - direct) < 1e-6 * direct) {
    // The server's command result: `bestSpeedup` at the top, the bound in `results[]` (camelCase).
    return { ...fromList, cancelled };
  }
  if (direct !== undefined) {
    return {
      bestSpeedup: direct,
      bestSpeedupLower: finite(r.bestSpeedupLower) ?? finite(r.best_speedup_lower),
      alpha: finite(r.alpha),
      cancelled,
    };
  }
  if (fromList !== undefined) {
    return { ...fromList, cancelled };
  }
  return { cancelled };
}

/** The verified entry with the largest speedup in a `results[]` list (snake_case or camelCase fields). */
function bestVerified(results: unknown): { bestSpeedup: number; bestSpeedupLower?: number; alpha?: number } | undefined {
  if (!Array.isArray(results)) {
    return undefined;
  }
  let best: { bestSpeedup: number; bestSpeedupLower?: number; alpha?: number } | undefined;
  for (const item of results as unknown[]) {
    if (item === null || typeof item !== "object") {
      continue;
    }
    const it = item as Record<string, unknown>;
    const speedup = finite(it.speedup);
    if (it.status !== "verified" || speedup === undefined) {
      continue;
    }
    if (best === undefined || speedup > best.bestSpeedup) {
      best = { bestSpeedup: speedup, bestSpeedupLower: finite(it.speedup_lower) ?? finite(it.speedupLower), alpha: finite(it.alpha) };
    }
  }
  return best;
}

/**
 * The server's rule (server/speedlens/format.py), for figures that come without the server's label: one decimal
 * (`2.9×`, `11.5×`), none from 100× up (`140×`).
 */
export function formatSpeedup(value: number): string {
  if (!Number.isFinite(value) || value <= 0) {
    return "?×";
  }
  if (value >= 99.95) {
    return `${Math.round(value)}×`;
  }
  return `${value.toFixed(1)}×`;
}

/** `90%` for alpha 0.1; `97.5%` for 0.025. */
export function formatConfidence(alpha: number): string {
  const pct = Math.round((1 - alpha) * 1000) / 10;
  return `${Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** `2.9× (≥2.3× @90%)`, or `2.9×` without a bound. */
export function formatBest(
  status: Pick<FileStatus, "bestSpeedup" | "bestSpeedupLower" | "alpha" | "bestLabel">,
  defaultAlpha?: number,
): string {
  if (status.bestSpeedup === undefined) {
    return "";
  }
  if (status.bestLabel) {
    return status.bestLabel;
  }
  const head = formatSpeedup(status.bestSpeedup);
  const alpha = status.alpha ?? defaultAlpha;
  if (status.bestSpeedupLower === undefined || alpha === undefined) {
    return head;
  }
  return `${head} (≥${formatSpeedup(status.bestSpeedupLower)} @${formatConfidence(alpha)})`;
}

export type ServerState = "starting" | "running" | "stopped" | "failed";

/** The language status item (`{}` in the status bar): the server's state, whatever the file's. */
export function serverStatus(state: ServerState, problem?: string): { text: string; detail: string; error: boolean } {
  switch (state) {
    case "running":
      return { text: "speedlens", detail: "server running", error: false };
    case "starting":
      return { text: "speedlens", detail: "starting the server…", error: false };
    case "stopped":
      return { text: "speedlens", detail: "server stopped", error: false };
    default:
      return { text: "speedlens: not running", detail: problem ?? "the server failed; see the log", error: true };
  }
}

export type StatusAction = "cancel" | "showReport" | "optimizeFile" | "showLog";

export interface StatusView {
  text: string;
  tooltip: string;
  action: StatusAction;
  /** Show the warning background. */
  warning: boolean;
}

function shorten(text: string, max = 40): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** The status-bar item for the active file. */
export function formatStatus(
  file: FileStatus | undefined,
  server: ServerState,
  options: { defaultAlpha?: number; serverProblem?: string } = {},
): StatusView {
  if (server === "failed") {
    return {
      text: "$(warning) speedlens",
      tooltip: `speedlens server is not running${options.serverProblem ? `: ${options.serverProblem}` : ""}. Click to show the log.`,
      action: "showLog",
      warning: true,
    };
  }
  if (server === "starting") {
    return { text: "$(loading~spin) speedlens", tooltip: "Starting the speedlens server…", action: "showLog", warning: false };
  }
  if (server === "stopped") {
    return { text: "$(circle-slash) speedlens", tooltip: "speedlens server is stopped. Click to show the log.", action: "showLog", warning: false };
  }
  const best = file ? formatBest(file, options.defaultAlpha) : "";
  const withBest = (suffix: string, tooltip: string): StatusView => ({
    text: `$(zap) speedlens: ${best}${suffix}`,
    tooltip: `Best verified speedup for this text: ${best}. ${tooltip}Click to show the report.`,
    action: "showReport",
    warning: false,
  });
  switch (file?.state) {
    case "running": {
      const pct = file.percentage !== undefined ? ` ${Math.round(file.percentage)}%` : "";
      return {
        // Short: the details are in the progress notification, and a long item pushes Ln/Col off the bar.
        text: `$(loading~spin) speedlens${pct}`,
        tooltip: `speedlens is optimizing this file${best ? ` (best so far ${best})` : ""}: ${file.message ?? ""}\nClick to cancel.`,
        action: "cancel",
        warning: false,
      };
    }
    case "done":
      return best
        ? withBest("", "")
        : {
            text: `$(zap) speedlens: ${shorten(file.message || "no verified speedup")}`,
            tooltip: `${file.message ? `${file.message}\n` : ""}No candidate was verified faster. Click to show the report.`,
            action: "showReport",
            warning: false,
          };
    case "cancelled":
      return best
        ? withBest(" (run cancelled)", "The last run was cancelled; this figure is from an earlier run of the same text. ")
        : {
            text: "$(circle-slash) speedlens: cancelled",
            tooltip: "The run was cancelled (no verdict). Click to optimize again.",
            action: "optimizeFile",
            warning: false,
          };
    case "error":
      return {
        text: `$(error) speedlens: ${shorten(file.message || "failed", 30)}`,
        tooltip: `${file.message ?? "The optimization failed"}. Click to show the report.`,
        action: "showReport",
        warning: true,
      };
    default:
      return best
        ? withBest("", "")
        : {
            text: "$(zap) speedlens",
            tooltip: "speedlens: click to optimize this file (Ctrl+Alt+O optimizes the function at the cursor).",
            action: "optimizeFile",
            warning: false,
          };
  }
}
