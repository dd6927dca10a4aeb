/**
 * The language client's middleware: which documents and requests reach the server (documents.ts's SyncFilter
 * narrows Python to TVM script), the server's commands run from lenses and code actions (their results shown,
 * not dropped), and the settings the server asks for.
 */
import * as vscode from "vscode";
import { DidOpenTextDocumentNotification, LanguageClient, LanguageClientOptions, ResponseError } from "vscode-languageclient/node";

import { DocLike, SyncFilter } from "./documents";
import { ServerSettings } from "./settings";

export function docLike(doc: vscode.TextDocument): DocLike {
  return { uri: doc.uri.toString(), scheme: doc.uri.scheme, languageId: doc.languageId, getText: () => doc.getText() };
}

export interface MiddlewareHooks {
  client(): LanguageClient | undefined;
  serverSettings(scope: vscode.Uri | undefined): ServerSettings;
  onServerCommand(command: string, args: unknown[], next: (command: string, args: unknown[]) => unknown): Promise<unknown>;
}

export function middleware(filter: SyncFilter, hooks: MiddlewareHooks): LanguageClientOptions["middleware"] {
    return {
      didOpen: (doc, next) => (filter.onOpen(docLike(doc)) === "forward" ? next(doc) : Promise.resolve()),
      didChange: (event, next) => {
        const decision = filter.onChange(docLike(event.document));
        if (decision === "forward") {
          return next(event);
        }
        const client = hooks.client();
        if (decision === "open-instead" && client) {
          const doc = event.document;
          return client.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: {
              uri: client.code2ProtocolConverter.asUri(doc.uri),
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
      // Commands of lenses and code actions: their results are shown, not dropped.
      executeCommand: (command, args, next) => hooks.onServerCommand(command, args, next),
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
              ? hooks.serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : answers[i],
          );
        },
      },
    };
}
