"""The Dockerfile and docker-compose.yml, checked against the code they run (Docker does not
run here): the image's settings are valid and match its ports, volumes and health check, it
installs what `make` installs, copies what the package needs, and compose passes only real
settings under the names the runbook uses."""

import fnmatch
import json
import re
import shlex
import tomllib

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from settings import Settings
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


def image_environment() -> dict[str, str]:
    return dict(pair.split("=", 1) for args in arguments("ENV") for pair in shlex.split(args))


@pytest.fixture(scope="module")
def image_settings() -> Settings:
    return Settings.from_env({**image_environment(), "SECRET_KEY": "k" * 40})


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_base_image_python_satisfies_the_project():
    version = re.fullmatch(r"python:(\d+\.\d+)-slim-\w+", arguments("FROM")[-1]).group(1)
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f"{version}.0" in SpecifierSet(required)


def test_the_image_runs_as_the_user_it_creates():
    user = arguments("USER")[-1]
    assert user not in ("root", "0")
    assert any(re.search(rf"useradd\b.*\b{user}\b", args) for args in arguments("RUN"))


def test_the_image_installs_the_debian_packages_make_installs():
    makefile = (ROOT / "Makefile").read_text()
    needed = set(re.findall(r'missing="(?:\$\$missing )?([a-z0-9-]+)"', makefile))
    installs = set(" ".join(args for args in arguments("RUN") if "apt-get install" in args).split())
    assert needed and needed <= installs


def test_the_image_serves_as_make_run_does():
    make_run = re.search(r"^run:.*\n\t\$\(BIN\)/(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    assert json.loads(arguments("CMD")[-1]) == make_run.split()


def test_the_image_settings_are_valid_and_match_its_port_volumes_and_health_check(image_settings):
    assert image_settings.env == "production" and image_settings.host == "0.0.0.0"
    assert arguments("EXPOSE") == [str(image_settings.port)]
    assert "http://127.0.0.1:${PORT}/healthz" in arguments("HEALTHCHECK")[-1]
    volumes = set(json.loads(arguments("VOLUME")[-1]))
    assert {str(image_settings.data_dir), str(image_settings.log_dir)} <= volumes


def test_every_copied_path_exists_and_is_not_ignored():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for source in copied_sources():
        assert (ROOT / source).exists(), f"COPY {source}: no such path"
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), f"{source} is in .dockerignore"


def test_the_image_copies_everything_the_package_installs_and_the_runbook_scripts():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    needed = {"pyproject.toml", "README.md", "gunicorn.conf.py", "scripts", "assets"}
    needed |= {package.split(".")[0] for package in setuptools["packages"]}  # data.migrations is in data
    needed |= {f"{module}.py" for module in setuptools["py-modules"]}
    assert needed <= set(copied_sources())


def test_compose_publishes_the_image_port_and_mounts_its_volumes(compose, image_settings):
    app = compose["services"]["app"]
    assert app["build"] == "." and "profiles" not in app
    assert f"{image_settings.port}:{image_settings.port}" in app["ports"]
    mounted = {volume.split(":")[1] for volume in app["volumes"]}
    assert set(json.loads(arguments("VOLUME")[-1])) <= mounted
    assert app["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without it


def test_compose_names_the_container_the_runbook_uses(compose):
    runbook = (ROOT / "docs" / "RUNBOOK.md").read_text()
    for name in set(re.findall(r"docker (?:logs|exec) (?:-\w+ )*([\w-]+)", runbook)):
        assert name in {service.get("container_name") for service in compose["services"].values()}, name


def test_compose_passes_only_settings_the_app_reads(compose):
    settings_source = (ROOT / "settings.py").read_text()
    for name in compose["services"]["app"]["environment"]:
        assert f'"{name}"' in settings_source, f"{name} is not a setting"


def test_postgres_and_redis_are_optional_services_of_the_scale_profile(compose):
    for name, image in (("postgres", "postgres:"), ("redis", "redis:")):
        service = compose["services"][name]
        assert service["profiles"] == ["scale"] and service["image"].startswith(image)
        assert "healthcheck" in service
