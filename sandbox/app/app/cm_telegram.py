"""Telegram bot stand-in: loops and logs (never contacts Telegram)."""
from app._worker import run

if __name__ == "__main__":
    run("cm_telegram", required_env=("TELEGRAM_BOT_TOKEN",))
