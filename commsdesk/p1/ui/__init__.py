"""The P-1 button in the window: the bridge to the chain, the header's label, the dialogs."""
