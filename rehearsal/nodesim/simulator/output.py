"""What a simulated command prints: one line (newline added when missing) on stdout or stderr.
"""

import sys


def err(msg):
    sys.stderr.write(msg if msg.endswith("\n") else msg + "\n")


def out(msg=""):
    sys.stdout.write(msg if msg.endswith("\n") else msg + "\n")
