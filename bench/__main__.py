"""`make bench`: every benchmark in turn."""

from bench import (
    audience_chart,
    audience_memory,
    audience_ui_stall,
    lateness,
    listing,
    obs_push,
    obs_ui_stall,
    p1,
    posting,
    report,
    slide_preview_stall,
    slide_render,
    startup,
    team,
    ui_stall,
)

print("== start-up ==")
startup.main()
print("== statements listed in an open desk ==")
listing.main()
print("== UI-thread stalls ==")
ui_stall.main()
print("== posting to X ==")
posting.main()
posting.report_ui_stall()
print("== scheduled posts ==")
lateness.main()
print("== slide push to OBS ==")
obs_push.main()
print("== UI-thread stall while OBS is killed and restarted ==")
obs_ui_stall.main()
print("== slide rendering ==")
slide_render.main()
slide_preview_stall.main()
print("== audience samples in memory ==")
audience_memory.main()
print("== audience chart ==")
audience_chart.main()
print("== audience sources polled through the bridge ==")
audience_ui_stall.main()
print("== team mode on PostgreSQL ==")
team.main()
print("== the P-1 button ==")
p1.main()
print("== the post-incident report ==")
report.main()
