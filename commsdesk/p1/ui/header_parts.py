"""The header's P-1 parts, mixed into HeaderBar: the red P-1 button at its right, and beside it,
while a chain exists, a label that says how the chain stands; a click on the label offers
Acknowledge, Cancel chain and Status…. The words come from the window (commsdesk.p1.ui.words);
the header only shows them. Like every button in the header, neither takes the keyboard after
the first paint: the button is Ctrl+Shift+1 (Incident → Press P-1…) and the label's acts are
in P-1 status… (Incident menu).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QPushButton

P1_RED = "#b71c1c"
# The chain's label before the title and the warnings shrink for it (they do: see HeaderBar):
# "P-1 answered by Sam Okafor" whole, "P-1: calling Mira Chen (ro…" on the fullest header.
CHAIN_LEAST = 200


class P1HeaderParts:
    """Needs of the header it is mixed into: the `p1_*_requested` signals, `_make_room(crowded)`
    (the room the label takes from the title and the warnings)."""

    def _build_p1(self) -> None:
        self.p1_button = QPushButton("P-1")
        self.p1_button.setObjectName("p1-button")
        self.p1_button.setAccessibleName("Press P-1: phone the call chain")
        self.p1_button.setToolTip("P-1: phone the call chain one at a time until someone "
                                  "answers, then text them all (Ctrl+Shift+1). It asks first.")
        self.p1_button.setStyleSheet(
            f"QPushButton {{ background: {P1_RED}; color: white; font-weight: 700;"
            " border-radius: 4px; padding: 3px 5px; }"
        )
        self.p1_button.clicked.connect(self.p1_requested)
        from commsdesk.ui.header_bar import ShrinkingButton  # loaded: it mixes this in

        self.p1_chain = ShrinkingButton(least=CHAIN_LEAST)  # "P-1: calling Mira Chen (round 1)"
        self.p1_chain.setObjectName("p1-chain")
        self.p1_chain.setFlat(False)
        self.p1_chain.setMaximumWidth(300)
        self.p1_chain.hide()  # while no chain exists
        self.p1_menu = QMenu(self)
        self.p1_acknowledge = self.p1_menu.addAction("&Acknowledge")
        self.p1_acknowledge.triggered.connect(self.p1_acknowledge_requested)
        self.p1_cancel = self.p1_menu.addAction("&Cancel chain")
        self.p1_cancel.triggered.connect(self.p1_cancel_requested)
        self.p1_menu.addAction("&Status…").triggered.connect(self.p1_status_requested)
        self.p1_chain.clicked.connect(self._p1_chain_clicked)

    def set_p1_chain(self, text: str, colour: str = P1_RED, tip: str = "", *,
                     running: bool = False, loud: bool = False) -> None:  # fmt: skip
        """How the chain stands ("" hides it); `loud` (no one answered) is shown whole,
        whatever else the header must shrink for it."""
        button = self.p1_chain
        if not text:
            button.hide()
            self._make_room(False)
            return
        self._make_room(True)  # before the label shows, so that the window never grows for it
        button.setStyleSheet(
            f"QPushButton {{ background: {colour}; color: white; font-weight: "
            f"{800 if loud else 600}; border-radius: 4px; padding: 3px 9px; }}"
        )
        button.ensurePolished()  # the weight is in the font before the text is measured
        button.set_full_text(text)
        whole = button.sizeHint().width()  # NO ONE ANSWERED whole; else as much as there is room
        button.least = whole if loud else min(whole, CHAIN_LEAST)
        button.setAccessibleName(text)
        button.setToolTip(f"{tip}\n\nClick to acknowledge, cancel the chain or see each call."
                          .strip())  # fmt: skip
        self.p1_cancel.setEnabled(running)
        button.show()
        button.updateGeometry()

    def _p1_chain_clicked(self) -> None:
        self.p1_menu.popup(self.p1_chain.mapToGlobal(self.p1_chain.rect().bottomLeft()))
