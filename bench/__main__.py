"""`make bench`: every benchmark in turn."""

from bench import lateness, posting, startup, ui_stall

print("== start-up ==")
startup.main()
print("== UI-thread stalls ==")
ui_stall.main()
print("== posting to X ==")
posting.main()
posting.report_ui_stall()
print("== scheduled posts ==")
lateness.main()
