#!/usr/bin/python3
# The idle case's floor for Python (bench/cases/events.ts): no libvirt, only a thread whose
# poll(2) ends every 5 s, as libvirt's default loop thread wakes for the keepalive. Prints READY,
# then waits until stdin is closed.
import os
import select
import sys
import threading

stop = threading.Event()


def waiter():
    p = select.poll()
    while not stop.is_set():
        p.poll(5000)


t = threading.Thread(target=waiter, daemon=True)
t.start()
print("READY", flush=True)
sys.stdin.read()
stop.set()
os._exit(0)
