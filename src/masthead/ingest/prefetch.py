"""Reading a big input in a second process while this one writes, so an import uses both cores.

Parsing, sanitising, hashing, checking and folding the words search indexes need no database,
so a forked child reads the input, prepares each item (``then``) and sends them over a pipe in
chunks, and the parent only writes them. The pipe is the only link: when the parent dies (even by SIGKILL) the child's next send
fails and it exits; when the child dies, the parent's receive fails and says so.
"""

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

from masthead.ingest.items import ImportFailed, Item, Skipped
from masthead.ingest.sources import Input

PREFETCH_BYTES = 4 * 1024 * 1024  # smaller inputs are read in-process: a fork costs more than it saves
CHUNK_ITEMS = 200
_END = "end"


def items(read: Callable[[Input], Iterator], source: Input,
          then: Callable[[Item | ImportFailed | Skipped], Any] = lambda thing: thing) -> Iterator:
    """``then(thing)`` for each thing of ``read(source)``, run in a child process when ``source`` is big and fork is available.

    ``then`` must not raise: what it returns is what the parent receives.
    """
    if (source.size or 0) < PREFETCH_BYTES or "fork" not in multiprocessing.get_all_start_methods():
        for thing in read(source):
            yield then(thing)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(read, then, source, receiver, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                raise ImportFailed(source.name, "the reading process ended before the input did") from None
            if message == _END:
                return
            if isinstance(message, BaseException):
                raise message
            things, source.position = message
            yield from things
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()


def _produce(read, then, source: Input, receiver, sender) -> None:
    receiver.close()
    # The parent decides what Ctrl-C and kill mean; the child only stops when the pipe breaks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        chunk = []
        for thing in read(source):
            chunk.append(then(thing))
            if len(chunk) >= CHUNK_ITEMS:
                sender.send((chunk, source.position))
                chunk = []
        sender.send((chunk, source.position))
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
