"""Colours the desk uses to say how things stand, in one place."""

from __future__ import annotations

from PySide6.QtGui import QColor

SEVERITY_COLOURS = {
    "P1": "#c62828",
    "P2": "#ef6c00",
    "P3": "#f9a825",
    "P4": "#607d8b",
}

STATE_COLOURS = {
    "draft": "#78909c",
    "in_review": "#f9a825",
    "approved": "#2e7d32",
    "scheduled": "#1565c0",
    "posted": "#6a1b9a",
    "failed": "#c62828",
    "withdrawn": "#9e9e9e",
}

OK = "#2e7d32"
WARN = "#ef6c00"
BAD = "#c62828"
MUTED = "#757575"


def colour(hex_code: str) -> QColor:
    return QColor(hex_code)


def badge_style(hex_code: str) -> str:
    return (
        f"background:{hex_code}; color:white; border-radius:4px; padding:2px 8px; font-weight:600;"
    )
