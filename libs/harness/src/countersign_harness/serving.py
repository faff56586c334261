"""An in-process app served over real HTTP on a loopback port, for the tests that need a real
socket between two services (the access-token key set a second service fetches from approval).
The app's lifespan is the caller's: the server only answers requests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI

__all__ = ["served_over_http"]


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The test runner keeps its own Ctrl-C: this server is stopped by its context manager.
        yield


@contextlib.asynccontextmanager
async def served_over_http(app: FastAPI) -> AsyncIterator[str]:
    """Serves ``app`` on 127.0.0.1 (a port of its own, bound before it is named); yields the
    base URL, and stops serving on exit."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
    server = _Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # raises what stopped it
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        listener.close()
