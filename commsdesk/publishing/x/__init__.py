"""Posting to X: the account interface and its types (`api`) and the clients that implement it."""
