"""A desk window with a P-1 chain of three people, over a real SQLite file, wired by the app's
own `Wiring`; the phone provider is the in-memory one (the one edge that cannot be real here),
put where the desk chooses its provider."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from commsdesk.p1.fake_provider import FakeProvider
from commsdesk.p1.runner import NoProvider
from commsdesk.p1.service import CallChain

ANA = "Ana Ruiz (comms)"
PEOPLE = [("Mira Chen", "+15550100001"), ("Sam Okafor", "+15550100002"),
          ("Ada Park", "+15550100003")]  # fmt: skip
MIRA, SAM, ADA = (phone for _name, phone in PEOPLE)


class Tray:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def showMessage(self, title, message, *_args):  # noqa: N802 - Qt's name
        self.shown.append((title, message))


class Phones:
    """The provider the desk gets: `fake`, or none outside a drill when `account` is False."""

    def __init__(self) -> None:
        self.fake = FakeProvider()
        self.account = True
        self.asked: list[bool] = []

    def choose(self, *, drill: bool, environ=None):
        self.asked.append(drill)
        if not self.account and not drill:
            raise NoProvider("No phone provider is set up, so no one can be called.")
        return self.fake


@pytest.fixture
def phones(monkeypatch) -> Phones:
    phones = Phones()
    monkeypatch.setattr("commsdesk.p1.runner.choose_provider", phones.choose)
    return phones


class P1Window:
    def __init__(self, harness, phones: Phones) -> None:
        self.h = harness
        self.phones = phones
        self.fake = phones.fake
        self.window = harness.window
        self.header = harness.window.header
        self.p1 = harness.wiring.p1
        self.p1.busy_every_ms = 40  # a chain steps every second on a desk; quicker here
        self.tray = Tray()
        self.window.tray = self.tray
        self.refusals: list[str] = []
        self.window._refused = self.refusals.append  # no modal box; the words are kept

    def chain(self, rounds: int = 3, people=PEOPLE) -> CallChain:
        chain = CallChain(self.h.desk)
        for name, phone in people:
            chain.add(ANA, name, phone, 10)
        chain.set_rounds(ANA, rounds)
        return chain

    def shown(self):
        window = self.window
        window.resize(1280, 720)
        window.show()
        self.h.qtbot.waitExposed(window)
        window.activateWindow()
        self.h.qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    def label(self) -> str:
        """What the header's chain label says, as shown ("" when hidden)."""
        chain = self.header.p1_chain
        shown = chain.isVisible() if self.window.isVisible() else not chain.isHidden()
        return chain.full_text if shown else ""

    def wait_label(self, text: str, timeout: int = 10_000) -> None:
        self.h.qtbot.waitUntil(lambda: self.label() == text, timeout=timeout)

    def latest(self):
        return CallChain(self.h.desk).latest()

    def kinds(self) -> list[str]:
        return [e.kind for e in reversed(self.h.desk.timeline(kinds=["p1"], limit=200))]


@pytest.fixture
def p1_window(harness, phones) -> P1Window:
    return P1Window(harness, phones)
