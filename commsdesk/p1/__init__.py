"""The P-1 button: anyone presses it, the desk phones the management chain one by one until a
person answers, then texts everyone in the chain."""
