"""fastapi-limiter 0.1.4 against a live Redis, as its users run it.

usage: fastapi_limiter_scenario.py run|fault   (REDIS_URL names the server;
       fastapi_limiter is on PYTHONPATH)

run:   a FastAPI app with a route limited to TIMES requests a minute: the first
       TIMES requests get 200, the next gets 429 with a Retry-After header.
fault: the same, then the server shuts down: the next request must fail with
       redis' ConnectionError, which the app's exception handler turns into a
       503, instead of an AttributeError/NameError.

Every wait is bounded (socket timeouts on the client). Prints `ok: ...` lines
the Rust test checks.
"""

import contextlib
import os
import sys

# fastapi_limiter first: unmigrated, this is the line that fails.
from fastapi_limiter import FastAPILimiter
from fastapi_limiter.depends import RateLimiter

import redis.asyncio
import redis.exceptions
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

URL = os.environ["REDIS_URL"]
TIMES = 3


@contextlib.asynccontextmanager
async def lifespan(app):
    client = redis.asyncio.from_url(URL, socket_timeout=5, socket_connect_timeout=5)
    await FastAPILimiter.init(client)
    try:
        yield
    finally:
        await client.aclose()


app = FastAPI(lifespan=lifespan)


@app.exception_handler(redis.exceptions.ConnectionError)
async def redis_down(request, error):
    return JSONResponse({"error": f"redis: {type(error).__name__}"}, status_code=503)


@app.get("/", dependencies=[Depends(RateLimiter(times=TIMES, seconds=60))])
async def index():
    return {"msg": "Hello World"}


def main(mode):
    with TestClient(app) as client:
        print("client:", type(FastAPILimiter.redis).__module__)
        for n in range(1, TIMES + 1):
            response = client.get("/")
            assert response.status_code == 200, (n, response.status_code, response.text)
        print(f"ok: {TIMES} requests allowed")
        response = client.get("/")
        assert response.status_code == 429, (response.status_code, response.text)
        assert int(response.headers["Retry-After"]) > 0, response.headers
        print(f"ok: request {TIMES + 1} got 429 with a Retry-After header")
        print("Retry-After:", response.headers["Retry-After"])

        if mode == "fault":
            admin = redis.Redis.from_url(URL, socket_timeout=5)
            admin.shutdown(nosave=True)
            print("ok: server shut down mid-run")
            response = client.get("/")
            print("after shutdown:", response.status_code, response.text)
            assert response.status_code == 503, (response.status_code, response.text)
            assert response.json() == {"error": "redis: ConnectionError"}, response.text
            print("ok: the app's handler caught redis.exceptions.ConnectionError")


if __name__ == "__main__":
    main(sys.argv[1])
    print("ok: scenario finished")
