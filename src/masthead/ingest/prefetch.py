"""Reading a big input in a second process while this one writes, so an import uses both cores.

Parsing, sanitising, hashing, checking and folding the words search indexes need no database
to speak of, so a forked child reads the input, prepares the items a chunk at a time (``then``)
and sends them over a pipe, and the parent only writes them. The child reads the database, if
``then`` does, through connections of its own. The pipe is the only link: when the parent dies
(even by SIGKILL) the child's next send fails and it exits; when the child dies, the parent's
receive fails and says so.

A thread of the parent takes the child's chunks off the pipe as they come, up to AHEAD of them,
so the child reads on while the parent writes a batch: a chunk is larger than a pipe holds, and
without it the child waited, send by send, for the parent to come back for the next chunk, and
the two processes took turns instead of working side by side.
"""

import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.reduction import ForkingPickler
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections

from masthead.ingest.items import ImportFailed, Item, Skipped
from masthead.ingest.sources import Input

PREFETCH_BYTES = 4 * 1024 * 1024  # smaller inputs are read in-process: a fork costs more than it saves
CHUNK_ITEMS = 200
AHEAD = 16  # chunks received and not yet taken: enough to cover a batch being written (ingest.run.BATCH)
_END = "end"


def items(read: Callable[[Input], Iterator], source: Input,
          then: Callable[[list[Item | ImportFailed | Skipped]], list[Any]] = lambda things: things) -> Iterator:
    """What ``then`` makes of each chunk of ``read(source)``, one by one; in a child process when ``source`` is big and fork is available.

    ``then`` must not raise: what it returns is what the parent receives.
    """
    if (source.size or 0) < PREFETCH_BYTES or "fork" not in multiprocessing.get_all_start_methods():
        chunk = []
        try:
            for thing in read(source):
                chunk.append(thing)
                if len(chunk) >= CHUNK_ITEMS:
                    yield from then(chunk)
                    chunk = []
        except Exception:
            yield from then(chunk)  # what was read before an input's fault still goes in
            raise
        yield from then(chunk)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(read, then, source, receiver, sender), daemon=True)
    child.start()
    sender.close()
    received: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    taker = threading.Thread(target=_take, args=(receiver, received, stop), daemon=True)
    taker.start()
    try:
        while True:
            data = received.get()
            if data is None:
                raise ImportFailed(source.name, "the reading process ended before the input did") from None
            message = ForkingPickler.loads(data)  # here, not in the thread, which would hold the lock meanwhile
            if message == _END:
                return
            if isinstance(message, BaseException):
                raise message
            things, source.position = message
            yield from things
    finally:
        # The child has sent its last chunk or is to stop now: either way the thread then hears
        # the pipe close, and the pipe is closed once nothing reads it any more.
        stop.set()
        if child.is_alive():
            child.terminate()
        taker.join()
        receiver.close()
        child.join()


def _take(receiver, received: queue.Queue, stop: threading.Event) -> None:
    # Bytes only: reading the pipe lets the writing thread run, unpickling would not.
    while not stop.is_set():
        try:
            data = receiver.recv_bytes()
        except (EOFError, OSError):
            data = None
        while not stop.is_set():
            try:
                received.put(data, timeout=0.1)
                break
            except queue.Full:
                continue
        if data is None:
            return


def _own_connections() -> None:
    # The database connections came with the fork and are the parent's: closing one here would
    # end the parent's PostgreSQL session, using one would mix two processes on one socket or
    # SQLite handle. So they are kept, untouched (never even collected), and new ones opened.
    _inherited.extend(connections[alias] for alias in connections)
    for alias in connections:
        connections[alias] = connections.create_connection(alias)


_inherited: list = []


def _produce(read, then, source: Input, receiver, sender) -> None:
    receiver.close()
    # The parent decides what Ctrl-C and kill mean; the child only stops when the pipe breaks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _own_connections()
    chunk = []
    try:
        try:
            for thing in read(source):
                chunk.append(thing)
                if len(chunk) >= CHUNK_ITEMS:
                    sender.send((then(chunk), source.position))
                    chunk = []
        except Exception:
            sender.send((then(chunk), source.position))  # what was read before an input's fault still goes in
            raise
        sender.send((then(chunk), source.position))
        sender.send(_END)
    except (BrokenPipeError, ConnectionResetError):
        pass
    except BaseException as error:  # an unreadable input: the parent reports it like any other
        try:
            sender.send(error if isinstance(error, (ImportFailed, OSError)) else ImportFailed(source.name, repr(error)))
        except (BrokenPipeError, ConnectionResetError):
            pass
    finally:
        sender.close()
        os._exit(0)  # no cleanup of what the fork inherited (the parent's database connection)
