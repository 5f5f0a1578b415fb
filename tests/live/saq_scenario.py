"""saq 0.1.0 against a live Redis, as its users run it.

usage: saq_scenario.py run|fault     (REDIS_URL names the server; saq is on PYTHONPATH)

run:   enqueue a job, run a worker until it is processed, read its result; a
       job whose function raises ends FAILED with the traceback saq stored.
fault: the same, then the server shuts down while the worker is running: the
       worker's own `except Exception` must catch redis' ConnectionError (and
       log it) instead of an AttributeError/NameError, and our producer's
       `except redis.exceptions.ConnectionError` must catch the enqueue's error.

Every wait is bounded. Prints `ok: ...` lines the Rust test checks.
"""

import asyncio
import logging
import os
import sys

# saq first: unmigrated, this is the line that fails.
from saq import Queue, Status, Worker

import redis.asyncio
import redis.exceptions

URL = os.environ["REDIS_URL"]
WAIT = 20.0  # seconds, for any single wait


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def errors(self):
        return [self.format(r) for r in self.records if r.levelno >= logging.ERROR]


async def add(ctx, *, a, b):
    return a + b


async def explode(ctx):
    raise ValueError("boom from the job")


async def wait_for_status(queue, job, wanted):
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        stored = await queue.job(job.id)
        if stored is not None and stored.status in wanted:
            return stored
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"job {job.id} not {wanted} after {WAIT}s: {stored!r}")
        await asyncio.sleep(0.05)


async def main(mode):
    records = Records()
    logging.getLogger("saq").addHandler(records)
    logging.getLogger("saq").setLevel(logging.INFO)

    queue = Queue.from_url(URL, name="proof")
    print("client:", type(queue.redis).__module__ + "." + type(queue.redis).__name__)
    assert type(queue.redis).__module__.startswith("redis.asyncio"), type(queue.redis)
    worker = Worker(queue, [add, explode], concurrency=2, timers={"sweep": 0})
    worker_task = asyncio.create_task(worker.start())
    try:
        job = await queue.enqueue("add", a=2, b=3, timeout=5)
        done = await wait_for_status(queue, job, {Status.COMPLETE, Status.FAILED})
        assert done.status == Status.COMPLETE, (done.status, done.error)
        assert done.result == 5, done.result
        print("ok: job processed, result", done.result)

        # Job.refresh(until_complete=...) goes through saq's pub/sub listener.
        await job.refresh(until_complete=WAIT)
        assert job.status == Status.COMPLETE and job.result == 5, job
        print("ok: job.refresh read the stored result")

        failing = await queue.enqueue("explode", timeout=5, retries=1)
        failed = await wait_for_status(queue, failing, {Status.COMPLETE, Status.FAILED})
        assert failed.status == Status.FAILED, failed.status
        assert "ValueError: boom from the job" in failed.error, failed.error
        print("ok: failing job stored as FAILED with its traceback")

        info = await queue.info()
        assert "proof" in info, info
        stats = await queue.stats()
        assert stats["complete"] >= 1 and stats["failed"] >= 1, stats
        print("ok: queue.info and queue.stats (pipeline) work")

        if mode == "fault":
            await fault(queue, worker, records)
    finally:
        worker.event.set()
        try:
            await asyncio.wait_for(worker_task, WAIT)
        except Exception as error:  # the worker's own shutdown must not hang
            print("worker stop raised:", repr(error))
        if mode != "fault":
            await queue.disconnect()

    noise = [e for e in records.errors() if "AttributeError" in e or "NameError" in e]
    assert not noise, noise
    print("ok: no AttributeError/NameError logged")


async def fault(queue, worker, records):
    before = len(records.errors())
    # Stop the server while the worker is blocked in BLMOVE on it.
    admin = redis.asyncio.from_url(URL)
    await admin.shutdown(nosave=True)
    await admin.aclose()
    print("ok: server shut down mid-run")

    # The worker loop keeps running; its `except Exception` logs what broke.
    deadline = asyncio.get_running_loop().time() + WAIT
    while len(records.errors()) == before:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the worker logged no error within {WAIT}s")
        await asyncio.sleep(0.05)
    logged = records.errors()[before]
    print("worker logged:", logged.strip().splitlines()[-1])
    assert "redis.exceptions.ConnectionError" in logged, logged
    print("ok: the worker's except clause caught redis.exceptions.ConnectionError")
    assert not worker.event.is_set()

    # Producer side: the application's own handler catches redis' error.
    try:
        await asyncio.wait_for(queue.enqueue("add", a=1, b=1), WAIT)
    except redis.exceptions.ConnectionError as error:
        print("ok: enqueue raised redis.exceptions.ConnectionError:", type(error).__name__)
    else:
        raise AssertionError("enqueue succeeded with the server down")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    print("ok: scenario finished")
