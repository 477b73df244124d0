"""Broadcast slides drawn and served: templates to HTML (templates), HTML to a 1920×1080 PNG with
Qt (render), and the self-updating page for an OBS browser source (html_page)."""
