"""Checkout service: product cache, rate limiting and sessions on Redis.

History, for whoever picks this up next:

* 2020: written against aioredis 1.3 (``import aioredis`` and
  ``await aioredis.create_redis_pool(...)``). ``app/legacy`` still looks
  like that.
* 2022: most modules moved to the aioredis 2.x API, which is the
  redis-py API under another name.
* 2024: the base image moved to Python 3.11, where ``import aioredis``
  fails with ``TypeError: duplicate base class TimeoutError``.

``app/notify.py`` shows what a finished module looks like:
``from redis import asyncio as aioredis`` and nothing else changed.
"""

# Do not add `import aioredis` here: every module that needs Redis imports
# its own client, so importing the package stays cheap in tests.

__version__ = "3.4.0"
