"""The study report in a real browser: headless Chromium (Debian's ``chromium`` package).

Chromium is driven over the DevTools protocol on ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-separated JSON), with the standard library only.  The test opens
``index.html`` from disk (no server, no network), waits for the load event, checks that every
``<img>`` decoded (``naturalWidth > 0``) and that the page logged no error (console errors,
uncaught exceptions, failed loads)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib")

from tests.test_study_report import fake_study

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install -y chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]


class Cdp:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, url_dir: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="lrlab-chromium-")
        to_r, self._to_w = os.pipe()       # we write, chromium reads fd 3
        self._from_r, from_w = os.pipe()   # chromium writes fd 4, we read
        os.set_inheritable(to_r, True)
        os.set_inheritable(from_w, True)

        def fds() -> None:
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        assert CHROMIUM is not None
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_w)
        os.close(self._from_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            r, _, _ = select.select([self._from_r], [], [], left)
            if r:
                chunk = os.read(self._from_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe: "
                                       + (self.proc.stderr.read().decode(errors="replace")
                                          if self.proc.stderr else ""))
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return dict(json.loads(msg))

    def send(self, method: str, session: str | None = None, timeout: float = 30.0,
             **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return dict(m.get("result", {}))
            self.events.append(m)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for m in self.events:
            if m.get("method") == method:
                return m
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for m in events:
        p = m.get("params", {})
        if m.get("method") == "Runtime.exceptionThrown":
            out.append(json.dumps(p.get("exceptionDetails", {}))[:300])
        elif m.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error",
                                                                                 "assert"):
            out.append(json.dumps(p.get("args", []))[:300])
        elif m.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append(p["entry"].get("text", "")[:300])
        elif m.get("method") == "Network.loadingFailed":
            out.append(f"load failed: {p.get('errorText')}")
    return out


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    from lrlab.study.report import write_report

    d = fake_study(tmp_path / "study")
    write_report(d, tensorboard=False)
    index = (d / "index.html").resolve()
    n_img = index.read_text().count("<img ")
    assert n_img == 6   # 3 plots x 2 tasks
    cdp = Cdp(str(d))
    try:
        target = cdp.send("Target.createTarget", url="about:blank")["targetId"]
        session = cdp.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            cdp.send(f"{domain}.enable", session)
        cdp.send("Page.navigate", session, url=index.as_uri())
        cdp.wait_event("Page.loadEventFired")
        res = cdp.send("Runtime.evaluate", session, returnByValue=True, expression=(
            "JSON.stringify({ready: document.readyState, title: document.title, "
            "rows: document.querySelectorAll('tbody tr').length, "
            "imgs: Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
            "i.naturalHeight, i.getBoundingClientRect().width])})"))
        page = json.loads(res["result"]["value"])
        time.sleep(0.2)   # let late console messages arrive
        cdp.send("Runtime.evaluate", session, expression="1")
    finally:
        cdp.close()
    assert page["ready"] == "complete"
    assert page["title"].startswith("lrlab study")
    assert page["rows"] == 4
    assert len(page["imgs"]) == n_img
    for complete, w, h, shown in page["imgs"]:
        assert complete and w > 100 and h > 100 and shown > 0, page["imgs"]
    assert _errors(cdp.events) == []


def test_error_detection_works(tmp_path: Path) -> None:
    """The checks above would see a broken image and a console error."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><img src='data:image/png;base64,AAAA'>"
                   "<script>console.error('boom')</script></body></html>")
    cdp = Cdp(str(tmp_path))
    try:
        target = cdp.send("Target.createTarget", url="about:blank")["targetId"]
        session = cdp.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            cdp.send(f"{domain}.enable", session)
        cdp.send("Page.navigate", session, url=bad.as_uri())
        cdp.wait_event("Page.loadEventFired")
        res = cdp.send("Runtime.evaluate", session, returnByValue=True,
                       expression="document.images[0].naturalWidth")
    finally:
        cdp.close()
    assert res["result"]["value"] == 0
    assert any("boom" in e for e in _errors(cdp.events))
