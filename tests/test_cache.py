"""The shared cache: one entry seen by every worker, cleared for all at once, and never
older than the code, the catalog or the tenant's data."""

import os
import shutil

import pytest

from data import cache, catalog, queries
from data.periods import Period
from data.runtime import runtime
from data.tenancy import Tenant
from data.versions import bump_data_version
from tests.conftest import make_settings

calls = []


@cache.memoized
def sample_query(tenant, value):
    calls.append((tenant.id, value))
    return {"tenant": tenant.id, "value": value}


def run_as_two_workers(settings):
    """Two set-ups of the same backend stand for two gunicorn workers."""
    runtime.init(settings).cache.clear()
    calls.clear()
    assert sample_query(Tenant("mep"), 1) == {"tenant": "mep", "value": 1}
    runtime.init(settings)  # the "other worker"
    assert sample_query(Tenant("mep"), 1) == {"tenant": "mep", "value": 1}
    assert calls == [("mep", 1)]  # computed once, shared
    assert sample_query(Tenant("rda"), 1) == {"tenant": "rda", "value": 1}
    assert calls == [("mep", 1), ("rda", 1)]  # the tenant is part of the key
    runtime.cache.clear()
    runtime.init(settings)
    sample_query(Tenant("mep"), 1)
    assert len(calls) == 3  # cleared for every worker


def test_disk_cache_is_shared_and_cleared(tmp_path, sqlite_url):
    run_as_two_workers(make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="disk",
                                     CACHE_DIR=str(tmp_path / "c")))


@pytest.mark.redis
def test_redis_cache_is_shared_and_cleared(tmp_path, sqlite_url):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the Redis test needs a server")
    run_as_two_workers(make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_REDIS_URL=url, CACHE_TYPE="redis"))
    assert runtime.cache.stats()["backend"] == "RedisCache"


def test_none_results_are_cached_too(tmp_path, sqlite_url):
    runtime.init(make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="simple"))
    seen = []

    @cache.memoized
    def nothing(tenant):
        seen.append(1)

    nothing(Tenant("mep"))
    nothing(Tenant("mep"))
    assert seen == [1]


@pytest.fixture
def shared_cache(tmp_path, tmp_path_factory, sqlite_url, monkeypatch):
    """A file cache that outlives "restarts" (new code versions), on a copy of the seed."""
    path = tmp_path_factory.mktemp("versioned") / "hub.db"
    shutil.copy(sqlite_url.removeprefix("sqlite:///"), path)
    settings = make_settings(tmp_path, DATABASE_URL=f"sqlite:///{path}", CACHE_TYPE="disk",
                             CACHE_DIR=str(tmp_path / "cache"))
    runtime.init(settings)
    yield settings
    catalog.catalog.cache_clear()
    cache.code_version.cache_clear()


def restart(settings) -> None:
    """What a new process would do: load the catalog and work out the code version afresh."""
    catalog.catalog.cache_clear()
    cache.code_version.cache_clear()
    runtime.init(settings)


def gdp_growth_status(tenant: Tenant) -> str:
    snapshot = queries.indicator_snapshot(tenant, Period(2025, 4)).set_index("indicator_id")
    return snapshot.loc["gdp_growth", "status"]


def test_a_changed_catalog_shows_after_a_restart_without_clearing_the_cache(shared_cache, tmp_path, monkeypatch):
    mep = Tenant("mep")
    value = queries.indicator_snapshot(mep, Period(2025, 4)).set_index("indicator_id").loc["gdp_growth", "value"]
    before = gdp_growth_status(mep)
    entries = runtime.cache.entry_count()
    # Thresholds moved so that the same value is now poor ("red"), as a steward's edit would.
    edited = tmp_path / "indicators.toml"
    text = catalog.CATALOG_FILE.read_text()
    old = 'id = "gdp_growth"'
    block = text[text.index(old):text.index("[[indicator]]", text.index(old))]
    new_block = block.replace("green = 3.0", f"green = {value + 2:.3f}").replace(
        "amber = 1.0", f"amber = {value + 1:.3f}")
    assert new_block != block
    edited.write_text(text.replace(block, new_block))
    monkeypatch.setattr(catalog, "CATALOG_FILE", edited)
    restart(shared_cache)
    assert runtime.cache.entry_count() >= entries  # nothing was cleared
    assert before != "red" and gdp_growth_status(mep) == "red"


def test_a_new_version_does_not_read_the_old_versions_entries(shared_cache, monkeypatch):
    mep = Tenant("mep")
    calls.clear()
    sample_query(mep, 7)
    sample_query(mep, 7)
    assert calls == [("mep", 7)]
    monkeypatch.setattr("settings.app_version", lambda: "99.0.0")
    restart(shared_cache)
    sample_query(mep, 7)
    assert calls == [("mep", 7), ("mep", 7)]


def test_a_data_change_shows_at_once_for_that_tenant_only(shared_cache):
    mep, rda = Tenant("mep"), Tenant("rda")
    calls.clear()
    for tenant in (mep, rda):
        sample_query(tenant, 1)
    with runtime.engine.begin() as conn:
        bump_data_version(conn, "mep")
    sample_query(mep, 1)
    sample_query(rda, 1)
    assert calls == [("mep", 1), ("rda", 1), ("mep", 1)]  # rda's entry is still good


def insight_jobs_of_two_instances(settings, monkeypatch) -> list[list[str]]:
    """The insight job's refresh in two instances sharing `settings`' cache, one after the other
    while the first is still computing (its result not stored yet): the tenants each computed."""
    from data import insight

    computing = []
    monkeypatch.setattr(insight, "tenants", lambda: [Tenant("mep")])
    monkeypatch.setattr(insight, "compute", lambda tenant: computing.append(tenant.id) or insight.Insight(
        None, None, None, 0.0))  # never stored: as if still computing
    runtime.init(settings).cache.clear()
    first = insight.refresh("host-a:100")
    runtime.init(settings)  # the other instance
    return [first, insight.refresh("host-b:200")]


def test_only_one_instance_computes_a_tenants_insight(tmp_path, sqlite_url, monkeypatch):
    settings = make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="disk", CACHE_DIR=str(tmp_path / "c"))
    assert insight_jobs_of_two_instances(settings, monkeypatch) == [["mep"], []]


@pytest.mark.redis
def test_only_one_instance_computes_a_tenants_insight_on_redis(tmp_path, sqlite_url, monkeypatch):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the Redis test needs a server")
    settings = make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_REDIS_URL=url, CACHE_TYPE="redis")
    assert insight_jobs_of_two_instances(settings, monkeypatch) == [["mep"], []]


def test_a_job_started_again_takes_over_its_predecessors_claim(tmp_path, sqlite_url, monkeypatch):
    settings = make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="disk", CACHE_DIR=str(tmp_path / "c"))
    insight_jobs_of_two_instances(settings, monkeypatch)  # host-a:100 claimed mep and died computing it
    from data import insight

    assert insight.refresh("host-a:100") == ["mep"]


def test_without_a_shared_cache_each_instance_computes_its_own(tmp_path, sqlite_url, monkeypatch):
    settings = make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="simple")
    assert insight_jobs_of_two_instances(settings, monkeypatch) == [["mep"], ["mep"]]
