"""Viewer counts from the platforms a stream goes out on, polled off the UI thread.

Every source answers `fetch() -> Reading`: a number, or a gap with a clear state (offline,
hidden, quota exceeded, token expired, rate limited until..., malformed answer, unreachable,
slow). `ViewerPoller` runs each source on its own thread and interval, so one failing or hanging
source never delays the others, and hands every reading to a callback (a Qt bridge marshals it
to the UI thread). HTTP sources use httpx with timeouts; base URLs are constructor arguments so
tests point them at a local server.
"""
