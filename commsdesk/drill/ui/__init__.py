"""The window's part of the drill: Incident → Run a drill…, step by step, with its scorecard."""
