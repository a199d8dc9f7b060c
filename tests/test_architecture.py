"""The layers import downwards only: data below layouts, services, exports and callbacks;
no page module, export or service reaches up into callbacks/."""

import ast

import pytest

from tests.conftest import ROOT

# package -> the project packages it may not import
FORBIDDEN = {
    "data": {"layouts", "services", "callbacks", "exports", "security", "ops"},
    "layouts": {"services", "callbacks", "exports"},
    "services": {"callbacks", "exports"},
    "exports": {"callbacks"},
    "security": {"callbacks", "exports", "services"},
}


def imported_packages(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_runs_upwards(package):
    for path in sorted((ROOT / package).glob("*.py")):
        wrong = imported_packages(path) & FORBIDDEN[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {', '.join(sorted(wrong))}"
