"""CommsDesk: a desk for running a company's communications through a crisis."""

__version__ = "0.1.0"
