"""Open a page in headless Chromium (the Debian `chromium` binary) over the DevTools protocol.

A small client on `websockets` (already installed): start the browser on a free port, open the
page, collect console messages and uncaught exceptions, evaluate an expression, take a full-page
screenshot, stop the browser.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_binary() -> str | None:
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


@dataclass
class PageVisit:
    console: list[dict] = field(default_factory=list)  # {"level", "text"}
    exceptions: list[str] = field(default_factory=list)
    value: object = None

    @property
    def errors(self) -> list[str]:
        return [m["text"] for m in self.console if m["level"] == "error"] + self.exceptions


class _Session:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, timeout: float = 60, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(message)
            if message.get("method") == method:
                return message


def visit(url: str, expression: str, screenshot: Path, width: int = 1366, height: int = 900) -> PageVisit:
    """Load `url`, evaluate `expression` (its JSON value is returned), save a full-page PNG."""
    binary = chromium_binary()
    profile = tempfile.mkdtemp(prefix="cwh-chromium-")
    proc = subprocess.Popen(
        [
            binary,
            "--headless",
            "--no-sandbox",  # tests may run as root, where Chromium's sandbox refuses to start
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        browser_url = None
        for line in proc.stderr:  # Chromium announces its DevTools endpoint on stderr
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                browser_url = found.group(1)
                break
        if browser_url is None:
            raise RuntimeError(f"{binary} did not start its DevTools endpoint")
        port = re.search(r":(\d+)/", browser_url).group(1)
        with connect(browser_url, max_size=None, open_timeout=30) as browser_ws:
            target = _Session(browser_ws).call("Target.createTarget", url="about:blank")["targetId"]
            with connect(f"ws://127.0.0.1:{port}/devtools/page/{target}", max_size=None, open_timeout=30) as page_ws:
                page = _Session(page_ws)
                for domain in ("Page", "Runtime", "Log"):
                    page.call(f"{domain}.enable")
                page.call("Page.navigate", url=url)
                page.wait_for("Page.loadEventFired")
                result = page.call("Runtime.evaluate", expression=expression, returnByValue=True)
                size = page.call("Page.getLayoutMetrics")["cssContentSize"]
                shot = page.call(
                    "Page.captureScreenshot",
                    format="png",
                    captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
                )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        out = PageVisit(value=result.get("result", {}).get("value"))
        for event in page.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                out.console.append({"level": "error" if params["type"] == "error" else params["type"], "text": text})
            elif event.get("method") == "Log.entryAdded":
                out.console.append({"level": params["entry"]["level"], "text": params["entry"]["text"]})
            elif event.get("method") == "Runtime.exceptionThrown":
                out.exceptions.append(params["exceptionDetails"].get("text", "exception"))
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
