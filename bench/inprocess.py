"""The app's own cost per request, measured inside this process with no server and no network.

CPU time (``time.process_time``) barely moves when other programs share the machine, where wall
time and Server-Timing do: on a busy 2-core machine this is the steadier figure.
"""

import contextlib
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path


def _call(app, path: str) -> dict:
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    answer = {}
    b"".join(app(environ, lambda status, headers: answer.update(status=status, headers=dict(headers))))
    if not answer["status"].startswith("200"):
        raise RuntimeError(f"GET {path} answered {answer['status']}, not 200")
    return answer["headers"]


def cost(paths: list[str], *, warmup: int = 30, profile_to: Path | None = None) -> dict:
    """CPU, Server-Timing and database queries per request over ``paths`` (each asked for once), optionally profiled."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    app = WSGIHandler()
    for path in paths[:warmup]:
        _call(app, path)
    measured = paths[warmup:]
    profiler = cProfile.Profile() if profile_to else None
    server, queries = [], []

    def counted(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with contextlib.ExitStack() as watching:
        for connection in connections.all():
            watching.enter_context(connection.execute_wrapper(counted))
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for path in measured:
            headers = _call(app, path)
            server.append(float(headers["Server-Timing"].split("dur=")[1].split(",")[0]))
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        profile_to.write_text(out.getvalue())
    server.sort()
    return {
        "requests": len(measured),
        "cpu_ms_per_request": round(cpu / len(measured) * 1000, 3),
        "wall_ms_per_request": round(wall / len(measured) * 1000, 3),
        "server_p50_ms": round(statistics.median(server), 3),
        "queries_per_request": round(len(queries) / len(measured), 2),
        "profiled": bool(profiler),
    }
