"""`make bench`: every benchmark in turn."""

from bench import startup

print("== start-up ==")
startup.main()
