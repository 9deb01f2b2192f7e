"""Shared loop for the background worker stand-ins."""
import os
import time

from app import exit_on_sigterm, setup_logging


def run(name, required_env=()):
    log = setup_logging(name)
    exit_on_sigterm()
    interval = float(os.environ.get("CM_WORKER_INTERVAL", "30"))
    for var in required_env:
        log.info("%s is %s", var, "set" if os.environ.get(var) else "NOT set")
    log.info("%s started (db host %s), tick every %ss", name, os.environ.get("DB_HOST", "-"), interval)
    n = 0
    while True:
        n += 1
        log.info("%s tick %d", name, n)
        time.sleep(interval)
