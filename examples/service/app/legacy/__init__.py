"""Code written against the aioredis 1.3 API.

Only the old ``worker`` entry point imports this package, which is why
nobody noticed that it stopped working when requirements.txt moved to
aioredis 2.0. It is frozen: OPS-212 deletes it once the new consumer
(``app/notify.py``) has taken over.
"""
import logging

# The suppression is deliberate: the package goes away as a whole, so there
# is nothing to migrate here. redis-unify reports no RU100 on this line.
import aioredis  # noqa: RU100

log = logging.getLogger(__name__)

CLIENT_DESCRIPTION = f"aioredis {aioredis.__version__}"


def announce() -> None:
    """Called once at worker start-up so incident timelines show the client."""
    log.info("legacy worker using %s", CLIENT_DESCRIPTION)
