"""Fixed-window rate limiting on the shared cache.

Used for login throttling and for public endpoints. The cache is shared by all
server processes (database cache by default, Redis when configured).
"""

from django.core.cache import cache


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event under ``key``; True while the count is within ``limit``."""
    cache_key = f"rl:{key}"
    added = cache.add(cache_key, 1, timeout=window_seconds)
    if added:
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def count(key: str) -> int:
    return int(cache.get(f"rl:{key}", 0))


def reset(key: str) -> None:
    cache.delete(f"rl:{key}")


def client_address(request) -> str:
    """The client address as the WSGI server reports it (configure the proxy headers there)."""
    return request.META.get("REMOTE_ADDR", "unknown")
