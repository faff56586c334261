"""Runs a service's console entry point under cProfile and writes the stats when it stops.

    python -m bench.profiled countersign_publisher /tmp/publisher.prof

The profiler starts on SIGUSR1, so a benchmark leaves out the start-up (imports, migrations,
topic metadata) and its warm-up, and measures only the items it times. Its clock is the
process's CPU time: waiting (for the network, for a core on a busy machine) does not count, so
the figures say where the CPU goes.

uvicorn restores the SIGTERM handler it found and raises the signal again after a graceful
shutdown; the handler installed here turns that into SystemExit, so the stats are written.
"""

from __future__ import annotations

import cProfile
import importlib
import signal
import sys
import time


def main() -> None:
    module, out = sys.argv[1], sys.argv[2]
    profiler = cProfile.Profile(time.process_time)
    signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        importlib.import_module(f"{module}.__main__").main()
    finally:
        profiler.disable()
        # A second SIGTERM (a stop that repeats itself) must not cut the file short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
