#!/usr/bin/python3
# libvirt-python's sparse volume transfers for the benchmark (Debian's /usr/bin/python3 with
# python3-libvirt): sparseRecvAll into a file / sparseSendAll from a file, holes kept as holes,
# with the handlers libvirt-python's documentation suggests. Prints one JSON line.
#   sparse --uri U --pool P --vol V --op download|upload --file F
import argparse
import json
import os
import time

import libvirt

p = argparse.ArgumentParser()
p.add_argument("mode")
p.add_argument("--uri")
p.add_argument("--pool")
p.add_argument("--vol")
p.add_argument("--op", default="download")
p.add_argument("--file")
args = p.parse_args()


def cpu_self():
    t = os.times()
    return t.user + t.system


def download(conn, vol):
    fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    st = conn.newStream(0)
    vol.download(st, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)

    def data(_st, buf, _fd):
        return os.write(fd, buf)

    def hole(_st, length, _fd):
        # Seek over the hole and set the size, so a trailing hole counts too.
        cur = os.lseek(fd, length, os.SEEK_CUR)
        return os.ftruncate(fd, cur)

    st.sparseRecvAll(data, hole, fd)
    st.finish()
    size = os.lseek(fd, 0, os.SEEK_CUR)
    os.close(fd)
    return size


def upload(conn, vol):
    fd = os.open(args.file, os.O_RDONLY)
    size = os.fstat(fd).st_size
    st = conn.newStream(0)
    vol.upload(st, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)

    def data(_st, nbytes, _fd):
        return os.read(fd, nbytes)

    def section(_st, _fd):
        cur = os.lseek(fd, 0, os.SEEK_CUR)
        if cur >= size:
            return [False, 0]
        try:
            start = os.lseek(fd, cur, os.SEEK_DATA)
        except OSError:  # ENXIO: only a hole is left
            os.lseek(fd, cur, os.SEEK_SET)
            return [False, size - cur]
        if start > cur:
            os.lseek(fd, cur, os.SEEK_SET)
            return [False, start - cur]
        end = os.lseek(fd, cur, os.SEEK_HOLE)
        os.lseek(fd, cur, os.SEEK_SET)
        return [True, end - cur]

    def skip(_st, length, _fd):
        return os.lseek(fd, length, os.SEEK_CUR)

    st.sparseSendAll(data, section, skip, fd)
    st.finish()
    os.close(fd)
    return size


def main():
    conn = libvirt.open(args.uri)
    vol = conn.storagePoolLookupByName(args.pool).storageVolLookupByName(args.vol)
    cpu0 = cpu_self()
    t0 = time.perf_counter()
    size = download(conn, vol) if args.op == "download" else upload(conn, vol)
    seconds = time.perf_counter() - t0
    cpu = cpu_self() - cpu0
    conn.close()
    print(json.dumps({"seconds": seconds, "bytes": size, "cpu": cpu}), flush=True)


main()
