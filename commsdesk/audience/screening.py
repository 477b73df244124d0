"""A number that jumps too far in one reading is held back until the next reading confirms it.

A platform's counter can glitch: one reading of 3 million in a stream of 3,000, or a 0 between
two readings of 40,000. Per source, a `Screen` compares each number with the last one counted;
one more than `JUMP_FACTOR` times it, or less than a `JUMP_FACTOR`th of it, is *suspect*: held
back, shown as such, counted nowhere (total, peak, advisor). The next number decides: close to
the suspect (within the factor, and nearer to it than to the last number counted) it confirms
it, and both count; otherwise the suspect becomes an *outlier* and stays out for good. Counts
below `JUMP_FLOOR` compare as JUMP_FLOOR, since a small audience moves by large factors (3 to 40
at a stream's start is normal). A gap leaves a suspect waiting for the next number.

Pure Python and numpy; no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

JUMP_FACTOR = 10.0
JUMP_FLOOR = 50.0


class Flag(StrEnum):
    """Why a number is drawn apart from its line, and left out of the total."""

    SUSPECT = "suspect"  # held back, waiting for the next number
    OUTLIER = "outlier"  # a suspect the next number did not confirm
    STRUCK = "struck"  # struck from the record by a person


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one reading did: whether it counts now or is held back, and what became of the
    suspect held before it (confirmed: it counts too, at its own time; dismissed: an outlier)."""

    counted: bool
    suspect: bool = False
    confirmed: tuple[float, float] | None = None  # (at, viewers)
    dismissed: tuple[float, float] | None = None


GAP = Verdict(counted=False)


class Screen:
    """One source's screen: the last number counted and the suspect held back, if any."""

    __slots__ = ("factor", "floor", "last", "held")

    def __init__(self, factor: float = JUMP_FACTOR, floor: float = JUMP_FLOOR) -> None:
        if not factor > 1 or not floor > 0:
            raise ValueError("the jump factor must be above 1 and the floor above 0")
        self.factor = factor
        self.floor = floor
        self.last: float | None = None
        self.held: tuple[float, float] | None = None

    def _distance(self, a: float, b: float) -> float:
        """|log| of the floored ratio: 0 for equal, log(factor) at the jump limit."""
        return abs(math.log(max(a, self.floor) / max(b, self.floor)))

    def jumped(self, value: float, reference: float) -> bool:
        return self._distance(value, reference) > math.log(self.factor)

    def check(self, at: float, viewers: float | None) -> Verdict:
        """Judge one reading (None or NaN: a gap)."""
        if viewers is None or not math.isfinite(viewers):
            return GAP
        confirmed = dismissed = None
        held, self.held = self.held, None
        if held is not None:
            last = held[1] if self.last is None else self.last
            if not self.jumped(viewers, held[1]) and (
                self._distance(viewers, held[1]) < self._distance(viewers, last)
            ):
                confirmed = held
                self.last = held[1]
            else:
                dismissed = held
        if self.last is not None and self.jumped(viewers, self.last):
            self.held = (at, viewers)
            return Verdict(False, True, confirmed, dismissed)
        self.last = viewers
        return Verdict(True, False, confirmed, dismissed)

    def forget(self, at: float) -> None:
        """A sample struck by a person: a suspect at that time is no longer waiting."""
        if self.held is not None and self.held[0] == at:
            self.held = None

    def screen_many(self, times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list]:
        """Judge readings in time order at once: (mask of those that count, [(index, Flag)]
        for those held back or dismissed; a confirmed suspect's mask entry is set). Fast when
        nothing jumps, as in almost every stored stream."""
        values = np.asarray(values, dtype=np.float64)
        finite = np.isfinite(values)
        numbers = values[finite]
        if self.held is None and len(numbers):
            floored = np.log(np.maximum(numbers, self.floor))
            steps = np.abs(np.diff(floored))
            first_ok = self.last is None or not self.jumped(float(numbers[0]), self.last)
            if first_ok and not (steps > math.log(self.factor)).any():
                self.last = float(numbers[-1])
                return finite, []
        keep = np.zeros(len(values), dtype=bool)
        flags: list[tuple[int, Flag]] = []
        held_index: int | None = None
        for i, (at, value) in enumerate(zip(times.tolist(), values.tolist(), strict=True)):
            verdict = self.check(at, value)
            if verdict.confirmed is not None and held_index is not None:
                keep[held_index] = True
                flags = [(j, flag) for j, flag in flags if j != held_index]
            if verdict.dismissed is not None and held_index is not None:
                flags = [(j, Flag.OUTLIER if j == held_index else flag) for j, flag in flags]
            if verdict.confirmed is not None or verdict.dismissed is not None:
                held_index = None
            if verdict.suspect:
                held_index = i
                flags.append((i, Flag.SUSPECT))
            keep[i] = verdict.counted
        return keep, flags
