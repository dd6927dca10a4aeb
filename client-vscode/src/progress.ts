/**
 * A run's progress as a cancellable VS Code notification (window.withProgress), fed by the server's
 * `speedlens/status` messages; its Cancel button cancels the run on the server.
 */
import * as vscode from "vscode";

interface Open {
  report(message: string | undefined, percentage: number | undefined): void;
  end(): void;
}

export class ProgressNotifications implements vscode.Disposable {
  private readonly open = new Map<string, Open>();
  /** Every message shown, newest last (the end-to-end test reads it). */
  readonly shown: string[] = [];

  /** Show (or move) the notification of `key`; `cancel` runs when the user presses its Cancel button. */
  update(key: string, title: string, message: string | undefined, percentage: number | undefined, cancel: () => void): void {
    let entry = this.open.get(key);
    if (!entry) {
      entry = this.start(key, title, cancel);
    }
    entry.report(message, percentage);
  }

  end(key: string): void {
    this.open.get(key)?.end();
  }

  private start(key: string, title: string, cancel: () => void): Open {
    let finish: () => void = () => undefined;
    let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    let done = 0;
    let pending: { message?: string; increment?: number } | undefined;
    const entry: Open = {
      report: (message, percentage) => {
        const step: { message?: string; increment?: number } = { message };
        if (percentage !== undefined && percentage > done) {
          step.increment = percentage - done;
          done = percentage;
        }
        if (message) {
          this.shown.push(message);
        }
        if (progress) {
          progress.report(step);
        } else {
          pending = step;
        }
      },
      end: () => {
        this.open.delete(key);
        finish();
      },
    };
    this.open.set(key, entry);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (p, token) =>
        new Promise<void>((resolve) => {
          progress = p;
          finish = resolve;
          if (pending) {
            p.report(pending);
          }
          token.onCancellationRequested(() => {
            cancel();
          });
          if (!this.open.has(key)) {
            resolve();
          }
        }),
    );
    return entry;
  }

  dispose(): void {
    for (const entry of [...this.open.values()]) {
      entry.end();
    }
  }
}
