"""Tests that need no Redis server: each module on its own, and what it does
when Redis cannot be reached.

Written for redis-unify's walk-through (README, tests/walkthrough.rs): after
each phase of `redis-unify plan`, `python -m pytest -q` here must pass on
Python 3.11 with redis-py alone, no aioredis installed.
"""
import asyncio
import socket
from types import SimpleNamespace

from app import cache, deps, health, plugins, ratelimit


def unreachable_client():
    """A redis.asyncio client for a local port nothing listens on."""
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return redis.asyncio.Redis(
        host="127.0.0.1",
        port=port,
        socket_timeout=1,
        socket_connect_timeout=1,
        retry=Retry(NoBackoff(), 0),
    )


def test_cache_keys_are_per_locale() -> None:
    assert cache._key(7, "de") == "page:de:7"


def test_rate_limiter_fails_open_when_redis_is_down() -> None:
    # The `except RedisConnectionError` clause must catch redis-py's error.
    limiter = ratelimit.RateLimiter(unreachable_client(), limit=1)
    assert asyncio.run(limiter.allow("tenant-1")) is True


def test_readiness_reports_a_degraded_cache(monkeypatch) -> None:
    # `except aioredis.exceptions.RedisError` is the trap of a naive swap.
    monkeypatch.setattr(cache, "client", unreachable_client())
    result = asyncio.run(health.readyz())
    assert result == {"status": "degraded", "cache": "ConnectionError"}


def test_liveness() -> None:
    assert asyncio.run(health.healthz()) == {"status": "ok"}


def test_dependencies_hand_out_the_app_clients() -> None:
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(cache="client")))
    assert deps.get_cache(request) == "client"
    assert isinstance(deps.get_limiter(request), ratelimit.RateLimiter)


def test_plugins_load_redis_asyncio() -> None:
    assert hasattr(plugins.load_client_module(), "from_url")
