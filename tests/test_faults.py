"""The bounded versions of bench/faults.py: each fault against the real gunicorn app under a
few simulated users, survived as the issue asks (the full versions and their figures:
docs/PERFORMANCE.md)."""

import pytest

from bench import faults


def test_a_killed_worker_loses_only_its_in_flight_requests_and_is_replaced_within_2_s():
    result = faults.run("worker_kill", short=True)
    assert result["failed"] <= result["users"], result  # one request in flight per user at most
    assert result["failed_after_replacement"] == 0, result
    assert result["replacement_serving_s"] <= 2.0, result  # the bound the issue sets


def test_a_backup_during_an_import_both_succeed_without_lock_errors():
    result = faults.run("backup_during_import", short=True)
    assert (result["import_exit"], result["backup_exit"], result["database_is_locked"]) == (0, 0, 0), result
    assert result["imported_rows"] == 12012 and result["failed"] == 0, result


def test_redis_down_serves_uncached_names_the_cache_and_recovers():
    result = faults.run("redis_down", short=True)
    assert result["failed"] == 0, result
    assert result["healthz_while_down"] == "degraded" and result["failing_while_down"] == ["Cache"], result
    assert "RedisCache fails, serving uncached" in result["cache_check_while_down"]
    assert result["recovered_s"] is not None, result


def test_a_postgresql_restart_fails_requests_at_most_while_it_restarts():
    result = faults.run("postgres_restart", short=True)
    if "skipped" in result:
        pytest.skip(result["skipped"])
    assert result["failed_outside_restart"] == 0 and not result["app_restarted"], result
    assert result["healthz_recovered_s"] is not None, result


def test_a_full_log_disk_keeps_serving_quietly_and_names_logging():
    result = faults.run("log_disk_full", short=True)
    assert result["failed"] == 0 and result["requests_while_full"] > 0, result
    assert result["tracebacks"] == 0 and 1 <= result["stderr_warnings"] <= 3, result  # one per process at most
    assert result["healthz_while_full"] == "degraded" and result["failing_while_full"] == ["Logging"], result
    assert result["recovered_s"] is not None, result


def test_a_damaged_database_at_start_serves_503_and_the_restore_notice():
    result = faults.run("corrupt_at_start", short=True)
    assert result["healthz"] == 503 and result["failing"] == ["Database Integrity"], result
    assert "PRAGMA quick_check found damage" in result["integrity_detail"]
    assert result["page_status"] == 503 and result["page_names_restore"] and result["alive"], result


def test_damage_while_running_is_noticed_by_the_scheduled_check():
    result = faults.run("corrupt_running", short=True)
    assert result["noticed_s"] is not None and result["healthz"] == 503, result
    assert "Database Integrity" in result["failing"] and result["alive"], result
    assert set(result["answers_after_notice"]) <= {"503"}, result
