"""Whether the OBS the desk talks to runs on this machine (and so can read the desk's files).

A name is resolved (this can wait on DNS: call it on a lane); an address is this machine's when
it is a loopback address or one a socket here can bind to.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket


def _bindable(address: str, family: int) -> bool:
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.bind((address, 0))
        return True
    return False


def is_this_machine(host: str) -> bool:
    """True when `host` (a name or an address) is this machine; False for another machine or a
    name that does not resolve."""
    host = host.strip().strip("[]")
    if host.lower() in ("localhost", socket.gethostname().lower()):
        return True
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    for family, _, _, _, address in found:
        ip = address[0].partition("%")[0]
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(ip).is_loopback:
                return True
        if _bindable(ip, family):
            return True
    return False
