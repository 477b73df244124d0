"""The post-incident report: what happened in an incident, read from the record, as one document
in HTML and PDF (facts.py gathers, measures.py computes, html.py and chart.py lay it out, pdf.py
prints it, writing.py writes and records it); ui/ the window's Incident → Report…."""
