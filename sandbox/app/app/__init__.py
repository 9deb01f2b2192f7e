"""Stand-in for the real cm app (same module names and entry points)."""
import logging
import os
import signal
import sys


def setup_logging(name):
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stdout,
    )
    return logging.getLogger(name)


def exit_on_sigterm():
    """As PID 1 in a container, SIGTERM is ignored unless handled."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def debug_enabled():
    return os.environ.get("CM_DEBUG", "false").lower() in ("1", "true", "yes")
