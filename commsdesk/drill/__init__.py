"""The scored drill: a whole crisis rehearsed end to end in drill mode on the desk's real parts.

scenario.py   the scenario files (assets/drills/*.toml) and their checks
scorecard.py  what a drill's steps add up to: the scores, pure
run.py        DrillRun: the steps in order, a failing one noted and the rest carried on
ui/           Incident → Run a drill…: the same steps from the window, with the scorecard
replay.py     the audience curve into the record and to the end-stream advice
"""
