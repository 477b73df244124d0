"""The window's part of the report: Incident → Report…."""
