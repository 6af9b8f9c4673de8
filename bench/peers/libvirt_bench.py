#!/usr/bin/python3
# libvirt-python's side of the benchmark (run with Debian's /usr/bin/python3, which has
# python3-libvirt): the same measurements as bench/ours/*.ts, printed as one JSON line.
#   stream   --uri U --pool P --vol V --op download|upload --file F     (recvAll / sendAll)
#   listen   --uri U --loop default|asyncio --expect N                  (lifecycle events)
#   idle     --uri U --loop default|asyncio                             (open connection, keepalive)
#   timers   --loop default|asyncio --seconds S --interval MS           (timer accuracy)
#   overhead --loop default|asyncio --cycles N                          (add/remove cycles)
import argparse
import asyncio
import json
import os
import sys
import threading
import time

import libvirt

p = argparse.ArgumentParser()
p.add_argument("mode")
p.add_argument("--uri")
p.add_argument("--pool")
p.add_argument("--vol")
p.add_argument("--op", default="download")
p.add_argument("--file")
p.add_argument("--loop", default="default")
p.add_argument("--expect", type=int, default=0)
p.add_argument("--seconds", type=float, default=5)
p.add_argument("--interval", type=int, default=10)
p.add_argument("--cycles", type=int, default=10000)
args = p.parse_args()


def emit(obj):
    print(json.dumps(obj), flush=True)


def cpu_self():
    t = os.times()
    return t.user + t.system


def stream_case():
    conn = libvirt.open(args.uri)
    vol = conn.storagePoolLookupByName(args.pool).storageVolLookupByName(args.vol)
    cpu0 = cpu_self()
    t0 = time.perf_counter()
    total = 0
    if args.op == "download":
        fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        st = conn.newStream(0)
        vol.download(st, 0, 0, 0)

        def sink(_st, data, _opaque):
            nonlocal total
            total += len(data)
            return os.write(fd, data)

        st.recvAll(sink, None)
        st.finish()
    else:
        fd = os.open(args.file, os.O_RDONLY)
        st = conn.newStream(0)
        vol.upload(st, 0, 0, 0)

        def source(_st, nbytes, _opaque):
            nonlocal total
            data = os.read(fd, nbytes)
            total += len(data)
            return data

        st.sendAll(source, None)
        st.finish()
    os.close(fd)
    seconds = time.perf_counter() - t0
    cpu = cpu_self() - cpu0
    conn.close()
    emit({"seconds": seconds, "bytes": total, "cpu": cpu})


# The two loops a Python program has: libvirt's default loop run in a thread of its own (the
# pattern of libvirt-python's examples), or libvirtaio on asyncio (callbacks on asyncio's loop).
def start_default_loop():
    libvirt.virEventRegisterDefaultImpl()

    def run():
        while True:
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=run, daemon=True).start()


def wait_stdin_eof():
    sys.stdin.read()


def listen_body(conn, ready):
    state = {"count": 0, "last": 0.0}

    def cb(_conn, _dom, _event, _detail, _opaque):
        state["count"] += 1
        state["last"] = time.time() * 1000
        if state["count"] == args.expect:
            emit({"count": state["count"], "lastAt": state["last"]})

    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
    conn.setKeepAlive(5, 3)
    ready()


def ready():
    print("READY", flush=True)


def timers_body(done):
    stamps = []

    def cb(_timer, _opaque):
        stamps.append(time.perf_counter() * 1000)
        if stamps[-1] - stamps[0] >= args.seconds * 1000:
            libvirt.virEventUpdateTimeout(_timer, -1)
            done(stamps)

    stamps.append(time.perf_counter() * 1000)
    libvirt.virEventAddTimeout(args.interval, cb, None)


def overhead_body():
    def hcb(*_a):
        pass

    def tcb(*_a):
        pass

    # A pipe, not stdin: asyncio's epoll refuses /dev/null, which the bench gives as stdin.
    fd, _w = os.pipe()

    def cycles(n):
        t0 = time.perf_counter()
        for _ in range(n):
            w = libvirt.virEventAddHandle(fd, libvirt.VIR_EVENT_HANDLE_READABLE, hcb, None)
            libvirt.virEventRemoveHandle(w)
        t1 = time.perf_counter()
        for _ in range(n):
            t = libvirt.virEventAddTimeout(1000, tcb, None)
            libvirt.virEventRemoveTimeout(t)
        return t0, t1, time.perf_counter()

    cycles(1000)  # the same warm-up as ours
    n = args.cycles
    t0, t1, t2 = cycles(n)
    return {"handleNs": (t1 - t0) * 1e9 / n, "timeoutNs": (t2 - t1) * 1e9 / n}


def intervals(stamps):
    return [stamps[i] - stamps[i - 1] for i in range(1, len(stamps))]


def main_default():
    start_default_loop()
    if args.mode in ("listen", "idle"):
        conn = libvirt.open(args.uri)
        listen_body(conn, ready)
        wait_stdin_eof()
    elif args.mode == "timers":
        finished = threading.Event()
        result = {}

        def done(stamps):
            result["intervals"] = intervals(stamps)
            finished.set()

        timers_body(done)
        finished.wait()
        emit(result)
    elif args.mode == "overhead":
        emit(overhead_body())


async def main_asyncio():
    import libvirtaio

    libvirtaio.virEventRegisterAsyncIOImpl()
    loop = asyncio.get_running_loop()
    if args.mode in ("listen", "idle"):
        conn = libvirt.open(args.uri)
        listen_body(conn, ready)
        await loop.run_in_executor(None, wait_stdin_eof)
    elif args.mode == "timers":
        fut = loop.create_future()
        timers_body(lambda stamps: fut.done() or fut.set_result(intervals(stamps)))
        emit({"intervals": await fut})
    elif args.mode == "overhead":
        emit(overhead_body())
        # libvirtaio schedules the free callbacks on the loop: let them run before exiting.
        await asyncio.sleep(0)


if args.mode == "stream":
    stream_case()
elif args.loop == "asyncio":
    asyncio.run(main_asyncio())
else:
    main_default()
