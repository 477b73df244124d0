"""Confirming a post: where it goes, what goes, and the images that go with the first post.

Images are only named here (path and description); their bytes are read on the X lane when the
post is prepared, so a slow disk never holds the window.

Enter posts only where that is safe: to the SANDBOX, Post is the default button. To X, nothing
is the default: Enter presses the button that has the focus (Tab to Post) and otherwise only
says so; it never opens the image picker or posts by accident.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from commsdesk.publishing.publication import MAX_ALT_TEXT, MAX_IMAGES_PER_POST

EXCERPT = 140  # characters of the text shown before "…"
ENTER_ON_X = "Enter does not post to X: Tab to Post and press Enter, or press Space on it."


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The start of a text on one line, cut after a whole word with one "…" when it goes on;
    the text itself, whole, when it fits."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut[1:] else flat[:limit]
    return cut.rstrip(" .,;:!?…-–—") + "…"


class ChosenImage(NamedTuple):
    path: Path
    alt: str
    name: str  # what the person reads: the file name, or "the slide on air"


class PostDialog(QDialog):
    def __init__(
        self,
        title: str,
        destination: str,
        sandbox: bool,
        parts: int,
        first_text: str,
        *,
        slide_on_air: ChosenImage | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Post now")
        self.setMinimumWidth(560)
        self.sandbox = sandbox
        count = f"{parts} posts as a thread" if parts > 1 else "one post"
        heading = QLabel(f"Post “{title}” now to <b>{destination}</b>?")
        heading.setTextFormat(Qt.TextFormat.RichText)
        shown = excerpt(first_text)
        whole = shown == " ".join(first_text.split())
        body = QLabel(f"{count}:" if whole else f"{count}, starting:")
        self.text = QLabel(shown)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setStyleSheet("border-left: 3px solid #90a4ae; padding: 2px 8px;")
        warning = QLabel(
            "Nothing leaves the desk in the SANDBOX." if sandbox
            else "A post on X cannot be taken back."
        )
        warning.setStyleSheet("color: #6a1b9a;" if sandbox else "color: #c62828; font-weight: 600;")

        self.images = QTableWidget(0, 2)
        self.images.setHorizontalHeaderLabels(["Image (first post)", "Description for X"])
        self.images.horizontalHeader().setStretchLastSection(True)
        self.images.verticalHeader().setVisible(False)
        self.images.setMaximumHeight(150)
        self.images.setTabKeyNavigation(False)
        self.images.setColumnWidth(0, 200)
        add = QPushButton("Add image…")
        add.clicked.connect(self._choose)
        self.add = add
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self._remove_selected)
        self.add_slide = QPushButton("Attach the slide on air")
        self.add_slide.setVisible(slide_on_air is not None)
        self.add_slide.clicked.connect(lambda: self.add_image(slide_on_air))
        row = QHBoxLayout()
        for button in (add, self.add_slide, self.remove):
            row.addWidget(button)
        row.addStretch(1)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setWordWrap(True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.Cancel
        )
        self.post = self.buttons.button(QDialogButtonBox.StandardButton.Yes)
        self.post.setText("Post")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # No button becomes the default by having been first (Qt would pick Add image…).
        for button in (add, self.add_slide, self.remove, self.post,
                       self.buttons.button(QDialogButtonBox.StandardButton.Cancel)):
            button.setAutoDefault(False)
        self.post.setDefault(sandbox)  # Enter posts only where nothing leaves the desk

        layout = QVBoxLayout(self)
        for widget in (heading, body, self.text, warning,
                       QLabel("Images (up to 4, with the first post):")):
            layout.addWidget(widget)
        layout.addWidget(self.images)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._paths: list[ChosenImage] = []
        self._check()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Enter presses the focused button; elsewhere it posts to the SANDBOX only."""
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton):
                if focused.isEnabled():
                    focused.click()
            elif self.sandbox:
                if self.post.isEnabled():
                    self.post.click()
            else:
                self.problem.setText(ENTER_ON_X)
            return
        super().keyPressEvent(event)

    # --- images ------------------------------------------------------------------------------
    def _choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Images for the first post", "", "Images (*.png *.jpg *.jpeg *.gif *.webp)"
        )
        for name in names:
            path = Path(name)
            self.add_image(ChosenImage(path, "", path.name))

    def add_image(self, image: ChosenImage | None) -> None:
        if image is None:
            return
        row = self.images.rowCount()
        self.images.insertRow(row)
        label = QTableWidgetItem(image.name)
        label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
        label.setToolTip(str(image.path))
        self.images.setItem(row, 0, label)
        alt = QLineEdit(image.alt)
        alt.setMaxLength(MAX_ALT_TEXT)
        alt.setPlaceholderText("What the image shows, for people who cannot see it")
        alt.textChanged.connect(self._check)
        self.images.setCellWidget(row, 1, alt)
        self._paths.append(image)
        self._check()

    def _remove_selected(self) -> None:
        row = self.images.currentRow()
        if 0 <= row < len(self._paths):
            self.images.removeRow(row)
            del self._paths[row]
            self._check()

    def chosen(self) -> list[ChosenImage]:
        out = []
        for row, image in enumerate(self._paths):
            alt = self.images.cellWidget(row, 1).text().strip()
            out.append(ChosenImage(image.path, alt, image.name))
        return out

    def _check(self) -> None:
        too_many = len(self._paths) > MAX_IMAGES_PER_POST
        missing_alt = sum(1 for image in self.chosen() if not image.alt)
        if too_many:
            self.problem.setText(
                f"{len(self._paths)} images: X takes up to {MAX_IMAGES_PER_POST} per post."
            )
        elif missing_alt:
            which = "1 image" if missing_alt == 1 else f"{missing_alt} images"
            self.problem.setText(
                f"{which} without a description: people using screen readers will not know "
                "what they show."
            )
        else:
            self.problem.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Yes).setEnabled(not too_many)
