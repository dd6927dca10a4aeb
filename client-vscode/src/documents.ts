/**
 * Which documents the server sees. Pure: no `vscode` import.
 *
 * C++ files always; Python files only when they are TVM script (contain `@T.prim_func`, DESIGN.md 7). A Python
 * file that becomes TVM script while edited is opened on the server then; one that stops being TVM script
 * stays open until closed (its results go stale on the server by content hash anyway).
 */

/** `@T.prim_func`, `@T.prim_func(private=True)`, `@tvm.script.tir.prim_func`, at the start of a line. */
const TVM_DECORATOR = /^[ \t]*@(?:T|tir|tvm\.script\.tir)\.prim_func\b/m;

export function isTvmScript(text: string): boolean {
  return TVM_DECORATOR.test(text);
}

export const CPP_LANGUAGES: readonly string[] = ["cpp"];
export const PYTHON_LANGUAGE = "python";

/** Served schemes: the server reads inputs and compiles from disk. */
export const SERVED_SCHEMES: readonly string[] = ["file"];

export interface DocLike {
  uri: string;
  scheme: string;
  languageId: string;
  /** Lazily read: only Python documents need their text. */
  getText(): string;
}

/** Whether a document is one the server handles, judged by language and (for Python) content. */
export function isServed(doc: DocLike): boolean {
  if (!SERVED_SCHEMES.includes(doc.scheme)) {
    return false;
  }
  if (CPP_LANGUAGES.includes(doc.languageId)) {
    return true;
  }
  return doc.languageId === PYTHON_LANGUAGE && isTvmScript(doc.getText());
}

/** A document that might be served: the cheap check before reading the text. */
export function mightBeServed(doc: Pick<DocLike, "scheme" | "languageId">): boolean {
  return SERVED_SCHEMES.includes(doc.scheme) && (CPP_LANGUAGES.includes(doc.languageId) || doc.languageId === PYTHON_LANGUAGE);
}

export type SyncDecision = "forward" | "open-instead" | "drop";

/**
 * Tracks which documents were opened on the server, and decides what to do with each sync event.
 * The LSP client's document selector admits every cpp and python file; this filter narrows Python to TVM script.
 */
export class SyncFilter {
  private readonly opened = new Set<string>();

  onOpen(doc: DocLike): SyncDecision {
    if (isServed(doc)) {
      this.opened.add(doc.uri);
      return "forward";
    }
    return "drop";
  }

  /** On a change: forward for open documents; open a Python file that just became TVM script. */
  onChange(doc: DocLike): SyncDecision {
    if (this.opened.has(doc.uri)) {
      return "forward";
    }
    if (isServed(doc)) {
      this.opened.add(doc.uri);
      return "open-instead";
    }
    return "drop";
  }

  /** Save, will-save: only for open documents. */
  onOther(uri: string): SyncDecision {
    return this.opened.has(uri) ? "forward" : "drop";
  }

  onClose(uri: string): SyncDecision {
    return this.opened.delete(uri) ? "forward" : "drop";
  }

  /** Requests (code lens, inlay hints, code actions, hover): only for open documents. */
  serves(uri: string): boolean {
    return this.opened.has(uri);
  }

  /** A new server knows nothing: call on every (re)start. */
  reset(): void {
    this.opened.clear();
  }

  get size(): number {
    return this.opened.size;
  }
}

/** Virtual-document URI path of the report for a source file: `/<name>.speedlens.md`. */
export function reportPath(sourceUri: string): string {
  const noQuery = sourceUri.replace(/[?#].*$/, "");
  const name = decodeURIComponent(noQuery.slice(noQuery.lastIndexOf("/") + 1)) || "file";
  return `/${name}.speedlens.md`;
}

/** The report's markdown from `speedlens.showReport`'s result, whatever its shape. */
export function reportMarkdown(result: unknown, sourceLabel: string): string {
  if (typeof result === "string") {
    return result;
  }
  if (result !== null && typeof result === "object") {
    const r = result as Record<string, unknown>;
    for (const key of ["markdown", "value", "contents", "report"]) {
      const value = r[key];
      if (typeof value === "string") {
        return value;
      }
    }
    return `# speedlens report: ${sourceLabel}\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`\n`;
  }
  return `# speedlens report: ${sourceLabel}\n\nNo report yet: run **speedlens: Optimize File** first.\n`;
}
