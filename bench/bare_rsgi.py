"""The app server's own ceiling: granian answering stored bytes with no application behind them.

``make scale`` serves host A's cached article through this, with the headers host A sent and the
server flags ``masthead serve`` uses, in host A's network namespace, so that the throughput table
can say how much of a hit's cost is the server and how much is Masthead. ``MASTHEAD_BARE_ANSWER``
names a JSON file: ``{"headers": [[name, value], ...], "body": <path of the body's bytes>}``.
"""

import json
import os
from pathlib import Path


class StoredAnswer:
    def __init__(self, path: str):
        answer = json.loads(Path(path).read_text())
        self.headers = [tuple(pair) for pair in answer["headers"]]
        self.body = Path(answer["body"]).read_bytes()

    async def __rsgi__(self, scope, protocol):
        protocol.response_bytes(200, self.headers, self.body)


application = StoredAnswer(os.environ["MASTHEAD_BARE_ANSWER"])
