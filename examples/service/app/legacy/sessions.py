"""Server-side sessions for the old HTML checkout, aioredis 1.3 API.

``init()`` runs at worker start-up; the page handlers call ``load``,
``save`` and ``rotate``.
"""
import json
import secrets

import aioredis
from aioredis import create_redis, ReplyError

SESSION_TTL = 30 * 60

_redis = None


async def init(address: str) -> None:
    global _redis
    _redis = await create_redis(address, db=2)


async def save(data: dict, session_id: str | None = None) -> str:
    session_id = session_id or secrets.token_urlsafe(24)
    await _redis.set(f"session:{session_id}", json.dumps(data), expire=SESSION_TTL)
    return session_id


async def load(session_id: str) -> dict:
    try:
        raw = await _redis.get(f"session:{session_id}", encoding="utf-8")
    except ReplyError:
        # WRONGTYPE: an old feature stored hashes under the same prefix.
        return {}
    return json.loads(raw) if raw else {}


async def rotate(old_id: str) -> str:
    """Move a session to a fresh id in one transaction (on login)."""
    new_id = secrets.token_urlsafe(24)
    tr = _redis.multi_exec()
    tr.rename(f"session:{old_id}", f"session:{new_id}")
    tr.expire(f"session:{new_id}", SESSION_TTL)
    try:
        await tr.execute()
    except aioredis.errors.MultiExecError:
        # The old session expired between the page load and the login.
        return await save({})
    return new_id
