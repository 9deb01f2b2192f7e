"""Credit transfer worker stand-in: loops and logs."""
from app._worker import run

if __name__ == "__main__":
    run("cm_transfer_credit")
