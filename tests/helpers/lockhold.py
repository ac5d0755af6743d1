#!/usr/bin/env python3
"""lockhold.py FILE SECONDS [NEWFILE]: hold an fcntl write lock on FILE (as
mutt or another delivery agent would), print "locked", wait, then -- if
NEWFILE is given -- rename NEWFILE over FILE while still holding the lock on
the old file, and exit (which releases the lock)."""
import fcntl
import os
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
fd = os.open(path, os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(seconds)
if len(sys.argv) > 3:
    os.rename(sys.argv[3], path)
os.close(fd)
