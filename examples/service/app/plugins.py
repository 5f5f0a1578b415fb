"""Loads the optional cache backends named in ``CACHE_PLUGINS``."""
import importlib
import logging
import os

log = logging.getLogger(__name__)


def load_client_module():
    """Return the module that provides ``from_url`` for the plugins.

    Plugins written before 2022 expect the aioredis interface, which
    ``redis.asyncio`` also provides.
    """
    try:
        return importlib.import_module("redis.asyncio")
    except ImportError:
        log.warning("redis.asyncio not available, falling back to aioredis")
        return importlib.import_module("aioredis")


def load_plugins() -> list:
    names = [n for n in os.environ.get("CACHE_PLUGINS", "").split(",") if n]
    return [importlib.import_module(f"app.plugins_contrib.{name}") for name in names]


def client_versions() -> dict:
    """Versions reported by ``/debug/versions`` (imported lazily on purpose)."""
    import aioredis
    import redis

    return {"aioredis": aioredis.__version__, "redis": redis.__version__}
