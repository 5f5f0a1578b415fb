"""Our session store (tests/live/session_cache) against a live Redis.

usage: session_cache_scenario.py fault   (REDIS_URL names the server; the
       migrated session_cache.py is on PYTHONPATH)

Saves and loads a session, shuts the server down, then loads and saves again:
the store's own except clauses must turn redis' ConnectionError into "no
session" / False. After a naive import swap they raise AttributeError instead.
Prints `ok: ...` lines the Rust test checks.
"""

import asyncio
import os
import sys

# session_cache first: unmigrated, this is the line that fails.
from session_cache import SessionStore

import redis.asyncio

URL = os.environ["REDIS_URL"]
WAIT = 20.0


async def main(mode):
    assert mode == "fault", mode
    store = SessionStore(URL)
    assert await asyncio.wait_for(store.save("abc", b"alice"), WAIT) is True
    assert await asyncio.wait_for(store.load("abc"), WAIT) == b"alice"
    print("ok: session saved and loaded")

    admin = redis.asyncio.from_url(URL)
    await admin.shutdown(nosave=True)
    await admin.aclose()
    print("ok: server shut down mid-run")

    assert await asyncio.wait_for(store.load("abc"), WAIT) is None
    print("ok: load while Redis is down: the store's except clause returned None")
    assert await asyncio.wait_for(store.save("abc", b"bob"), WAIT) is False
    print("ok: save while Redis is down: the store's except clause returned False")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    print("ok: scenario finished")
