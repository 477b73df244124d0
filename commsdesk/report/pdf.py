"""The report's PDF: the very HTML document (commsdesk.report.html) printed by headless Chromium,
with a running header and "Page n of m" on every page.

Chromium's command-line `--print-to-pdf` cannot set a header or a footer, and CSS `@page`
margin boxes are not supported, so the desk speaks Chromium's DevTools protocol over a pipe
(`--remote-debugging-pipe`: JSON messages on file descriptors 3 and 4, no port opened, nothing
else to install) and asks `Page.printToPDF` for the page with `displayHeaderFooter` and its
header and footer templates. The header and footer are drawn apart from the page, where its
@font-face fonts do not reach, so Chromium runs with a fontconfig file that adds the desk's
shipped fonts (assets/fonts) to the installed ones: the title prints in Arabic or Chinese too.

Chromium is found as `COMMSDESK_CHROMIUM`, else `chromium`, `chromium-browser`, `google-chrome`
on the PATH; without it `PdfEngineMissing` says what to install. Everything runs in a private
temporary folder (the page, the profile, the font cache, Chromium's log) removed afterwards;
Chromium is ended (its own process group) if it outlives the print. It runs without its sandbox
(which cannot start as root or in many containers): the page is the desk's own document, read
from a file, every value in it escaped.

No Qt.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM_ENV = "COMMSDESK_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 180.0  # seconds for one report: a 2,000-event timeline prints in a few
INSTALL_HINT = "install Chromium (on Debian: apt install chromium)"
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


class PdfEngineMissing(RuntimeError):
    """No Chromium on this machine: the PDF cannot be made (the HTML can)."""


class PdfFailed(RuntimeError):
    """Chromium ran but did not print the report; the message says what it said."""


def find_chromium() -> str | None:
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        return shutil.which(chosen) or (chosen if os.access(chosen, os.X_OK) else None)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF as Chromium writes it (one page object per page)."""
    return len(_PAGE.findall(pdf))


def _fonts_conf(folder: Path) -> Path:
    from commsdesk.slides.render import FONTS_DIR

    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{_xml(str(FONTS_DIR))}</dir>\n"
        f"  <cachedir>{_xml(str(_font_cache(folder)))}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def _font_cache(folder: Path) -> Path:
    """fontconfig's cache of the installed and shipped fonts, kept between reports in the
    user's cache folder (building it takes a second); the temporary folder when that cannot be
    made."""
    try:
        from platformdirs import user_cache_dir

        cache = Path(user_cache_dir("commsdesk")) / "font-cache"
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cache
    except OSError:
        return folder / "font-cache"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_to_pdf(html: str, *, header: str, footer: str, timeout: float = TIMEOUT) -> bytes:
    """Print `html` (a whole document) to PDF with `header` and `footer` (Chromium's templates:
    `pageNumber` and `totalPages` classes are filled in) on every page."""
    with PdfPrinter(timeout=timeout) as printer:
        return printer.print(html, header=header, footer=footer)


class PdfPrinter:
    """A Chromium started at once, to print one document later: the report starts it before
    reading the record, so the browser boots on the other core meanwhile. PdfEngineMissing
    when there is none; leave the block to end it."""

    def __init__(self, *, timeout: float = TIMEOUT) -> None:
        chromium = find_chromium()
        if chromium is None:
            raise PdfEngineMissing(f"no PDF engine: Chromium is not installed; {INSTALL_HINT}")
        self._folder = tempfile.TemporaryDirectory(prefix="commsdesk-report-")
        folder = Path(self._folder.name)
        env = {**os.environ, "FONTCONFIG_FILE": str(_fonts_conf(folder))}
        try:
            self._browser = _Chromium(chromium, folder, env, timeout)
        except BaseException:
            self._folder.cleanup()
            raise

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._browser.__exit__(*exc_info)
        finally:
            self._folder.cleanup()

    def print(self, html: str, *, header: str, footer: str) -> bytes:
        browser = self._browser
        page = Path(self._folder.name) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        browser.call("Page.enable", session=session)
        browser.call("Page.navigate", {"url": page.as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired", session)
        browser.call("Runtime.evaluate", {
            "expression": "document.fonts.ready.then(() => document.fonts.size)",
            "awaitPromise": True,
        }, session=session)  # fmt: skip
        printed = browser.call("Page.printToPDF", {
            "displayHeaderFooter": True, "headerTemplate": header, "footerTemplate": footer,
            "printBackground": True, "preferCSSPageSize": True,
            "generateDocumentOutline": True,
        }, session=session)  # fmt: skip
        return base64.b64decode(printed["data"])


class _Chromium:
    """A headless Chromium spoken to over the DevTools pipe; ended on leaving the block."""

    def __init__(self, executable: str, folder: Path, env: dict, timeout: float) -> None:
        self.log = folder / "chromium.log"
        self.deadline = time.monotonic() + timeout
        commands_read, self._commands = os.pipe()  # we write, Chromium reads on fd 3
        self._answers, answers_write = os.pipe()  # Chromium writes on fd 4, we read
        argv = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--remote-debugging-pipe", f"--user-data-dir={folder / 'profile'}", "about:blank",
        ]  # fmt: skip
        # The pipe's ends go in as the shell's standard input and output, which it moves to
        # descriptors 3 and 4, where Chromium looks for them (a shell's redirections reach
        # single-digit descriptors only; no code of ours runs between fork and exec).
        script = 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null'
        try:
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(
                    ["/bin/sh", "-c", script, *argv], stdin=commands_read,
                    stdout=answers_write, stderr=log, env=env, start_new_session=True,
                )  # fmt: skip
        except OSError as exc:
            os.close(self._commands)
            os.close(self._answers)
            raise PdfEngineMissing(f"no PDF engine: Chromium cannot start ({exc.strerror}); "
                                   f"{INSTALL_HINT}") from exc  # fmt: skip
        finally:
            os.close(commands_read)
            os.close(answers_write)
        self._buffer = bytearray()
        self._searched = 0  # the buffer holds no message end before this offset
        self._next_id = 0
        self._events: list[dict] = []

    def __enter__(self) -> _Chromium:
        return self

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(OSError):  # it went already
            self._send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the browser we started, and its own
            self.process.wait()
        finally:
            os.close(self._commands)
            os.close(self._answers)

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._commands, data) :]
        return self._next_id

    def call(self, method: str, params: dict | None = None, *, session: str | None = None):
        """Send one command and wait for its answer; PdfFailed when Chromium refuses it."""
        try:
            number = self._send(method, params, session)
        except BrokenPipeError:
            raise PdfFailed(self._gone()) from None
        answer = self._receive(lambda m: m.get("id") == number, method)
        if "error" in answer:
            raise PdfFailed(f"Chromium refused {method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def wait_for(self, event: str, session: str) -> dict:
        for index, message in enumerate(self._events):
            if message.get("method") == event and message.get("sessionId") == session:
                return self._events.pop(index)
        return self._receive(
            lambda m: m.get("method") == event and m.get("sessionId") == session, event
        )

    def _receive(self, wanted, what: str) -> dict:
        while True:
            # The PDF comes back as one base64 message of tens of megabytes: the buffer grows
            # in place and is searched only where it grew, so it is never copied per chunk.
            end = self._buffer.find(b"\0", self._searched)
            while end != -1:
                message = json.loads(self._buffer[:end])
                del self._buffer[: end + 1]
                self._searched = 0
                if wanted(message):
                    return message
                if "method" in message:
                    self._events.append(message)
                end = self._buffer.find(b"\0")
            self._searched = len(self._buffer)
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise PdfFailed(f"Chromium did not finish the PDF in time (waiting for {what})")
            ready, _, _ = select.select([self._answers], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise PdfFailed(self._gone())
            self._buffer += chunk

    def _gone(self) -> str:
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "Chromium stopped answering while printing the report"
        said = self.log.read_text("utf-8", "replace").strip().splitlines()
        last = next((line for line in reversed(said) if line.strip()), "no message")
        return f"Chromium ended while printing the report (exit {self.process.returncode}): {last}"
