"""The Audience panel and its widgets: the chart, the wall view."""
