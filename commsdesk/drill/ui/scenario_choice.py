"""The drill dialog's choice of scenario: the shipped ones by name, then "Open a scenario
file…", which reads the file chosen (on the drill's lane) and adds it by its name. A file that
cannot be read is said in one sentence (`problem`), and the choice stays as it was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog

OPEN_FILE = "Open a scenario file…"


class ScenarioChoice(QComboBox):
    ready = Signal()  # the scenarios are listed, or one more was added (and chosen)
    problem = Signal(str)

    def __init__(self, lane, parent=None) -> None:
        from commsdesk.drill.scenario import choices

        super().__init__(parent, minimumContentsLength=24)
        self.lane = lane
        self._picked = 0
        self.currentIndexChanged.connect(self._chosen)
        lane.submit(choices, on_done=self._fill, on_error=self._failed)

    def path(self) -> Path | None:
        """The scenario chosen (None: still being listed)."""
        return self.currentData()

    def _fill(self, found: list[tuple[str, Path]]) -> None:
        from commsdesk.drill.scenario import DEFAULT

        self.blockSignals(True)
        for name, path in [*found, (OPEN_FILE, None)]:
            self.addItem(name, path)
        self._picked = next((i for i, (_n, p) in enumerate(found) if p.stem == DEFAULT), 0)
        self.setCurrentIndex(self._picked)
        self.blockSignals(False)
        self.ready.emit()

    def _chosen(self, index: int) -> None:
        if self.itemData(index) is not None:
            self._picked = index
            return
        from commsdesk.drill.scenario import SHIPPED, load

        self.setCurrentIndex(self._picked)  # until a file is read
        files = QFileDialog(self, "Open a drill scenario", str(SHIPPED), "Scenarios (*.toml)")
        files.setFileMode(QFileDialog.FileMode.ExistingFile)
        files.fileSelected.connect(lambda path: self.lane.submit(
            load, Path(path), on_done=self._add, on_error=self._failed))  # fmt: skip
        files.open()

    def _add(self, scenario) -> None:
        self.insertItem(self.count() - 1, f"{scenario.name} ({scenario.path.name})",
                        scenario.path)  # fmt: skip
        self.setCurrentIndex(self.count() - 2)
        self.ready.emit()

    def _failed(self, exc: BaseException) -> None:
        self.problem.emit(str(exc) or type(exc).__name__)
