"""Confirming a post: where it goes, what goes, and the images that go with the first post.

Images are only named here (path and description); their bytes are read on the X lane when the
post is prepared, so a slow disk never holds the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt
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
        count = f"{parts} posts as a thread" if parts > 1 else "one post"
        heading = QLabel(f"Post “{title}” now to <b>{destination}</b>?")
        heading.setTextFormat(Qt.TextFormat.RichText)
        body = QLabel(f"{count}, starting:\n“{first_text[:140]}…”")
        body.setWordWrap(True)
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
        self.images.setColumnWidth(0, 200)
        add = QPushButton("Add image…")
        add.clicked.connect(self._choose)
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
        self.buttons.button(QDialogButtonBox.StandardButton.Yes).setText("Post")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # A post is not undone: the safe choice is the default one.
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)

        layout = QVBoxLayout(self)
        for widget in (heading, body, warning, QLabel("Images (up to 4, with the first post):")):
            layout.addWidget(widget)
        layout.addWidget(self.images)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._paths: list[ChosenImage] = []
        self._check()

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
            self.problem.setText(
                f"{missing_alt} image(s) without a description: people using screen readers "
                "will not know what they show."
            )
        else:
            self.problem.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Yes).setEnabled(not too_many)
