"""Scheduled posts: when each falls due, pause all, missed posts.

Databases written before the scheduler moved into this package hold jobs that name
`commsdesk.scheduling:fire`; APScheduler resolves that reference here.
"""


def __getattr__(name: str):
    if name == "fire":
        from commsdesk.scheduling.scheduler import fire

        return fire
    raise AttributeError(name)
