"""Reading a written report back as a person would: the HTML's sections as text, and the PDF's
pages as text through poppler's pdftotext."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, list[str]] = {}
        self.current: str | None = None
        self.depth = 0
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skipping += 1
        if tag == "section" and self.current is None:
            self.current = dict(attrs).get("id")
            self.texts[self.current] = []
            self.depth = 0
        elif tag == "section":
            self.depth += 1
        if self.current:
            if tag in ("tr", "div", "p", "br", "h2", "h3", "h1"):
                self.texts[self.current].append("\n")
            elif tag in ("td", "th"):
                self.texts[self.current].append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skipping -= 1
        if tag == "section":
            if self.depth:
                self.depth -= 1
            else:
                self.current = None

    def handle_data(self, data):
        if self.current and not self.skipping:
            self.texts[self.current].append(f" {' '.join(data.split())} ")


def sections(html: str) -> dict[str, str]:
    """Each <section id=...>'s text: a line for each row, paragraph or block, its cells apart by a
    space, every run of spaces one space."""
    parser = _Sections()
    parser.feed(html)
    out = {}
    for name, parts in parser.texts.items():
        lines = ("".join(parts)).splitlines()
        out[name] = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return out


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed (scripts/system-packages.sh installs it)")
        pytest.skip(f"{name} is not installed")
    return found


def chromium() -> str:
    from commsdesk.report.pdf import find_chromium

    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (scripts/system-packages.sh installs it)")
        pytest.skip("chromium is not installed")
    return found


# Where on an A4 page (in points, from the top) the running header, the body and the footer are:
# the report's @page margins are 20 mm at the top and 18 mm at the bottom.
REGIONS = {"header": (0, 56), "body": (56, 790), "footer": (790, 842)}


def pdf_pages(path: Path, region: str | None = None) -> list[str]:
    """The text of each page (or of one region of it: header, body, footer), in reading order;
    pdftotext ends each page with a form feed."""
    crop = []
    if region is not None:
        top, bottom = REGIONS[region]
        crop = ["-x", "0", "-y", str(top), "-W", "595", "-H", str(bottom - top)]
    done = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", *crop, str(path), "-"],
                          capture_output=True, check=True, timeout=120)  # fmt: skip
    text = done.stdout.decode("utf-8").translate(BIDI_CONTROLS)
    pages = text.split("\f")[:-1]
    return [unicodedata.normalize("NFKC", page) for page in pages]


def pdf_info(path: Path) -> dict[str, str]:
    done = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    return dict(re.findall(r"^([^:]+):\s*(.*)$", done.stdout, re.MULTILINE))


def pdf_fonts(path: Path) -> str:
    done = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    return done.stdout
