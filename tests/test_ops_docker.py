"""The Dockerfile and docker-compose.yml, checked with what runs here (Docker does not):
the instructions the runbook relies on, and every path the image copies exists."""

import fnmatch
import json
import re
import tomllib

import pytest
import yaml

from tests.conftest import ROOT


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def arguments(name: str) -> list[str]:
    return [args for instruction, args in instructions() if instruction == name]


def copied_sources() -> list[str]:
    return [source for args in arguments("COPY") for source in args.split()[:-1]]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_image_is_slim_python_run_by_a_non_root_user():
    assert arguments("FROM") == ["python:3.11-slim-bookworm"]
    users = arguments("USER")
    assert users and users[-1] not in ("root", "0")
    assert any("useradd" in args and users[-1] in args for args in arguments("RUN"))


def test_the_image_has_chromium_and_arabic_fonts_for_png_export():
    installs = " ".join(args for args in arguments("RUN") if "apt-get install" in args).split()
    assert {"chromium", "fonts-noto-core", "curl"} <= set(installs)


def test_the_image_serves_with_gunicorn_config_checks_healthz_and_keeps_data_in_volumes():
    assert json.loads(arguments("CMD")[-1]) == ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
    assert "/healthz" in arguments("HEALTHCHECK")[-1]
    volumes = json.loads(arguments("VOLUME")[-1])
    assert {"/data", "/logs"} <= set(volumes)
    env = " ".join(arguments("ENV"))
    assert "DATA_DIR=/data" in env and "LOG_DIR=/logs" in env and "HOST=0.0.0.0" in env
    assert arguments("EXPOSE") == ["8501"]


def test_every_copied_path_exists_and_is_not_ignored():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for source in copied_sources():
        assert (ROOT / source).exists(), f"COPY {source}: no such path"
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), f"{source} is in .dockerignore"


def test_the_image_copies_everything_the_package_installs_and_the_runbook_scripts():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    needed = {"pyproject.toml", "README.md", "gunicorn.conf.py", "scripts", "assets"}
    needed |= set(setuptools["packages"]) | {f"{module}.py" for module in setuptools["py-modules"]}
    assert needed <= set(copied_sources())


def test_compose_runs_the_app_as_the_runbook_names_it(compose):
    app = compose["services"]["app"]
    assert app["container_name"] == "analytics-hub-prod"
    assert app["build"] == "." and "profiles" not in app
    assert "8501:8501" in app["ports"]
    assert {"ANALYTICS_HUB_ENV", "SECRET_KEY", "AUTH_PASSWORD"} <= set(app["environment"])
    assert app["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without it
    assert {volume.split(":")[1] for volume in app["volumes"]} >= {"/data", "/logs", "/backups"}


def test_compose_passes_only_settings_the_app_reads(compose):
    settings_source = (ROOT / "settings.py").read_text()
    for name in compose["services"]["app"]["environment"]:
        if name == "AUTH_PASSWORD":  # for sign-in, which is not built yet; unused until then
            continue
        assert f'"{name}"' in settings_source, f"{name} is not a setting"


def test_postgres_and_redis_are_optional_services_of_the_scale_profile(compose):
    for name, image in (("postgres", "postgres:"), ("redis", "redis:")):
        service = compose["services"][name]
        assert service["profiles"] == ["scale"] and service["image"].startswith(image)
    assert set(compose["volumes"]) >= {"hub-data", "hub-logs"}
