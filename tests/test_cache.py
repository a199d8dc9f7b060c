"""The shared cache: one entry seen by every worker, cleared for all at once."""

import os

import pytest

from data import cache
from data.tenancy import Tenant
from tests.conftest import make_settings

calls = []


@cache.memoized
def sample_query(tenant, value):
    calls.append((tenant.id, value))
    return {"tenant": tenant.id, "value": value}


def run_as_two_workers(settings):
    """Two configurations of the same backend stand for two gunicorn workers."""
    cache.configure_cache(settings)
    cache.clear_cache()
    calls.clear()
    assert sample_query(Tenant("mep"), 1) == {"tenant": "mep", "value": 1}
    cache.configure_cache(settings)  # the "other worker"
    assert sample_query(Tenant("mep"), 1) == {"tenant": "mep", "value": 1}
    assert calls == [("mep", 1)]  # computed once, shared
    assert sample_query(Tenant("rda"), 1) == {"tenant": "rda", "value": 1}
    assert calls == [("mep", 1), ("rda", 1)]  # the tenant is part of the key
    cache.clear_cache()
    cache.configure_cache(settings)
    sample_query(Tenant("mep"), 1)
    assert len(calls) == 3  # cleared for every worker


def test_filesystem_cache_is_shared_and_cleared(tmp_path):
    run_as_two_workers(make_settings(tmp_path, CACHE_TYPE="filesystem", CACHE_DIR=str(tmp_path / "c")))


@pytest.mark.redis
def test_redis_cache_is_shared_and_cleared(tmp_path):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the Redis test needs a server")
    run_as_two_workers(make_settings(tmp_path, CACHE_REDIS_URL=url, CACHE_TYPE="redis"))
    assert cache.cache_stats()["backend"] == "RedisCache"


def test_none_results_are_cached_too(tmp_path):
    cache.configure_cache(make_settings(tmp_path, CACHE_TYPE="simple"))
    seen = []

    @cache.memoized
    def nothing(tenant):
        seen.append(1)

    nothing(Tenant("mep"))
    nothing(Tenant("mep"))
    assert seen == [1]
