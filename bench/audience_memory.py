"""Memory for 12 hours of viewer counts from three sources (1 sample/s each: 129,600 samples).

The desk's SeriesBuffer (numpy arrays that double when full, plus the cached total the chart
draws) against the same samples in plain Python lists of floats (times and values per source),
both measured with tracemalloc in the same run. Goal: the buffer well under 50 MB.
"""

from __future__ import annotations

import gc
import math
import random
import time
import tracemalloc

from commsdesk.audience.series import SeriesBuffer

SOURCES = ("youtube", "twitch", "kick")
SECONDS = 12 * 3600
START = 1_790_000_000.0


def samples():
    rng = random.Random(12)
    for i in range(SECONDS):
        t = START + i
        for name in SOURCES:
            yield name, t + rng.random() * 0.3, (None if rng.random() < 0.01
                                                else 40_000 * math.exp(-i / 20_000))


def measure(build) -> tuple[float, float, object]:
    gc.collect()
    tracemalloc.start()
    began = time.perf_counter()
    kept = build()
    elapsed = time.perf_counter() - began
    _current, peak = tracemalloc.get_traced_memory()
    current = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return current / 2**20, peak / 2**20, (kept, elapsed)


def with_buffer():
    buffer = SeriesBuffer()
    for name, t, value in samples():
        buffer.append(name, t, value)
    buffer.total()  # the summed series the chart draws is kept too
    return buffer


def with_lists():
    series = {name: ([], []) for name in SOURCES}
    for name, t, value in samples():
        times, values = series[name]
        times.append(t)
        values.append(math.nan if value is None else float(value))
    return series


def main() -> None:
    list_mb, list_peak, (_, list_s) = measure(with_lists)
    buffer_mb, buffer_peak, (buffer, buffer_s) = measure(with_buffer)
    count = len(buffer)
    print(f"12 h x {len(SOURCES)} sources = {count:,} samples")
    print(
        f"  SeriesBuffer (arrays + cached total): {buffer_mb:6.1f} MB held, "
        f"{buffer_peak:6.1f} MB peak while filling (goal <= 50 MB)"
    )
    print(
        f"  plain lists of floats (baseline):     {list_mb:6.1f} MB held, "
        f"{list_peak:6.1f} MB peak"
    )
    print(f"  ratio buffer/lists held: {buffer_mb / list_mb:.2f}")
    print(
        f"  append time per sample (under tracemalloc): buffer {buffer_s / count * 1e6:.2f} us, "
        f"lists {list_s / count * 1e6:.2f} us"
    )


if __name__ == "__main__":
    main()
