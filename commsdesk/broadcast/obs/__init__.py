"""OBS Studio over obs-websocket v5: `api` (the interface), `connection` (the real adapter on its
own thread), `batches` (the requests, as data), `blocking` (synchronous calls for the command
line) and `fake` (in memory, for tests of the desk)."""
