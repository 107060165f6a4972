"""A Django cache backend whose every call fails, as a Redis server that is down does."""

from django.core.cache.backends.base import BaseCache


class CacheServerDown(ConnectionError):
    pass


class BrokenCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise CacheServerDown("cache server unreachable")

    add = get = set = touch = delete = clear = get_many = set_many = delete_many = has_key = _fail
    incr = decr = _fail
