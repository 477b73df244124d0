"""`make bench`: every benchmark in turn."""

from bench import startup, ui_stall

print("== start-up ==")
startup.main()
print("== UI-thread stalls ==")
ui_stall.main()
