"""The window's menus, their keyboard shortcuts, and the F1 list made from them.

Every menu and item has a mnemonic (Alt+D opens Desk, then a letter picks an item). Shortcuts
are bound after the first paint: setShortcut's overloads take Qt.Key, so its first call builds
PySide's whole `Qt` namespace (see MainWindow). The F1 list is read from the actions and the
panels' own shortcuts as they are bound, so it cannot drift from what the keys do.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from commsdesk.ui.window_docks import PANELS

# Panels bind these themselves (QShortcut); what each does, for the F1 list. A panel key with
# no entry here is still listed, under its panel's name.
PANEL_KEYS = {
    "Ctrl+Shift+B": "Broadcast: put the slide on air",
    "Ctrl+Shift+L": "Broadcast: back to live (the scene before the slide)",
    "1 … 9": "Broadcast: put the n-th scene on air (focus in the Broadcast panel)",
    "Alt+1": "Audience chart: the last 15 minutes",
    "Alt+2": "Audience chart: the last hour",
    "Alt+3": "Audience chart: the whole stream",
    "F11": "Audience wall view: full screen on and off",
    "Esc": "Audience wall view: leave full screen",
}
# Keys of the audience wall view, a window of its own made when first opened.
WALL_KEYS = ("F11", "Esc")
PANEL_MNEMONICS = ("&Statements", "&Broadcast", "&Audience", "S&chedule", "&Timeline")


def _report(window) -> None:
    from commsdesk.report.ui.report_action import ask_report

    ask_report(window)


def _drill(window) -> None:
    from commsdesk.drill.ui.dialog import ask_drill

    ask_drill(window)


def plain(text: str) -> str:
    """A menu text as read: without its mnemonic marks and trailing dots."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


class WindowMenus:
    """Builds the menu bar of `window` (a MainWindow) and keeps the actions others refer to."""

    def __init__(self, window) -> None:
        self.window = window
        self._shortcuts: list[tuple[QAction, str]] = []
        self.panel_actions: list[QAction] = []
        bar = window.menuBar()
        w = window

        desk = bar.addMenu("&Desk")
        self.add(desk, "&Who is at the desk…", w.ask_operator)
        self.add(desk, "Connect to a &team…", w.ask_team)
        self.add(desk, "&Approvals required…", w.ask_required_approvals)
        self.add(desk, "&X account…", w.posting.ask_account)
        self.add(desk, "Audience &sources…", w.ask_audience_sources)
        self.add(desk, "P-1 &call chain…", w.show_p1_chain, tip="Who P-1 calls, in which "
                 "order, the rounds, the conference room and the phone account")  # fmt: skip
        desk.addSeparator()
        self.add(desk, "&Quit", w.close, "Ctrl+Q")

        incident = bar.addMenu("&Incident")
        self.incident_action = self.add(incident, "&Start incident…", w.edit_or_start, "Ctrl+I")
        self.cadence_action = self.add(incident, "Update &cadence…", w.ask_cadence)
        self.close_incident_action = self.add(incident, "C&lose incident…", w.close_incident)
        self.add(incident, "&All incidents…", w.show_incidents)
        self.add(incident, "&Report…", lambda _=False: _report(w), tip="Write the post-incident "
                 "report (PDF or HTML) of this incident, or of the latest")  # fmt: skip
        self.add(incident, "Run a &drill…", lambda _=False: _drill(w), tip="Rehearse a crisis "
                 "end to end in drill mode, step by step, with a scorecard at the end")  # fmt: skip
        incident.addSeparator()
        self.add(incident, "&Press P-1…", w.press_p1, "Ctrl+Shift+1", "Phone the call chain "
                 "until someone answers, then text them all (it asks first)")  # fmt: skip
        self.add(incident, "P-1 s&tatus…", w.show_p1_status, tip="The latest P-1 chain: each "
                 "call, the texts, the replies; acknowledge or cancel it")  # fmt: skip

        st = bar.addMenu("&Statement")
        self.statement_actions = [
            self.add(st, "&New statement", w.new_statement, "Ctrl+N"),
            self.add(st, "&Save version", w.editor_call("save_version"), "Ctrl+S"),
            self.add(st, "Su&bmit for review", w.editor_call("submit"), "Ctrl+Return"),
            self.add(st, "&Approve", w.editor_call("approve"), "Ctrl+Shift+A"),
            self.add(st, "&Withdraw…", w.editor_call("withdraw")),
            self.add(st, "&Post now…", w.editor_call("post_now"), "Ctrl+Shift+P"),
            self.add(st, "&Versions…", w.editor_call("show_versions"), "Ctrl+H"),
            self.add(st, "&Filter statements", w.statements_call("focus_filter"), "Ctrl+F"),
        ]

        view = bar.addMenu("&View")
        for number, text in enumerate(PANEL_MNEMONICS, start=1):
            self.panel_actions.append(self.add(
                view, text, lambda _=False, i=number - 1: w.show_panel(i), f"Ctrl+{number}",
                f"Show the {PANELS[number - 1][1]} panel in front, with the keyboard in it",
            ))  # fmt: skip
        view.addSeparator()
        self.sandbox_action = self.add(
            view, "SANDBOX &feed", w.show_sandbox_feed, tip="What drills and desks without an "
            "X account posted (in the Schedule panel); nothing there reached X",
        )  # fmt: skip
        shown = view.addMenu("Panels &open")
        for dock, text in zip(w.docks, PANEL_MNEMONICS, strict=True):
            toggle = dock.toggleViewAction()
            toggle.setText(text)
            shown.addAction(toggle)
        view.addSeparator()
        self.add(view, "&Reset layout", w.reset_layout, tip="Every panel in its place, the "
                 "window inside this screen")  # fmt: skip

        help_menu = bar.addMenu("&Help")
        self.add(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1")

    def add(
        self, menu: QMenu, text: str, slot: Callable, shortcut: str | None = None, tip: str = ""
    ) -> QAction:
        act = QAction(text, self.window)
        if shortcut:
            self._shortcuts.append((act, shortcut))
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def bind_shortcuts(self) -> None:
        for act, keys in self._shortcuts:
            act.setShortcut(QKeySequence(keys))

    def show_shortcuts(self) -> None:
        """F1: every key the window binds, read from the actions, in two columns (the list
        fits a 720-pixel screen)."""
        from PySide6.QtWidgets import QMessageBox

        cells = [f"<td nowrap><b>{keys}</b></td><td nowrap>{what}</td>"
                 for keys, what in self.shortcut_rows()]  # fmt: skip
        half = (len(cells) + 1) // 2
        right = cells[half:] + [""] * (2 * half - len(cells))
        rows = "".join(
            f"<tr>{left}<td width=24></td>{other}</tr>"
            for left, other in zip(cells[:half], right, strict=True)
        )
        QMessageBox.information(self.window, "Keyboard shortcuts",
                                f"<table cellpadding=3>{rows}</table>")  # fmt: skip

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every bound menu shortcut, then every key a panel binds,
        each once, in menu order."""
        rows: list[tuple[str, str]] = []
        for menu in self.window.menuBar().findChildren(QMenu):
            for act in menu.actions():
                keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if keys:
                    rows.append((keys, f"{plain(menu.title())}: {plain(act.text())}"))
        rows += panel_key_rows(self.window)
        seen: set[str] = set()
        return [row for row in rows if not (row[0] in seen or seen.add(row[0]))]


def panel_key_rows(window: QWidget) -> list[tuple[str, str]]:
    """The keys the panels bind themselves (QShortcut), scene keys 1 to 9 as one row; with the
    Audience panel, the wall view's keys (its window is made when first opened)."""
    from PySide6.QtGui import QShortcut

    rows, scenes = [], False
    in_menus = {act for menu in window.menuBar().findChildren(QMenu) for act in menu.actions()}
    for act in window.findChildren(QAction):  # a panel's own actions with keys (not in a menu)
        keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and act not in in_menus:
            rows.append((keys, f"{_owner(act).removeprefix('In the ').removesuffix(' panel')}: "
                               f"{plain(act.text())}"))
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if not keys:
            continue
        if keys.isdigit():
            scenes = True
            continue
        rows.append((keys, shortcut.whatsThis() or PANEL_KEYS.get(keys) or _owner(shortcut)))
    if scenes:
        rows.append(("1 … 9", PANEL_KEYS["1 … 9"]))
    if hasattr(getattr(window, "audience", None), "open_wall"):
        rows += [(keys, PANEL_KEYS[keys]) for keys in WALL_KEYS]
    return rows


def _owner(shortcut) -> str:
    parent = shortcut.parent()
    while parent is not None and not parent.objectName().startswith("dock-"):
        parent = parent.parent()
    return f"In the {parent.windowTitle()} panel" if parent is not None else "In its window"
