"""The domain layer does not import the API (architecture.md: ``api/`` imports
services and selectors, never the other way round).

Every module of every app outside its ``api`` package (and outside
migrations) is parsed, and each import, at module level or inside a
function, is resolved to an absolute module name. None may be an app's
``api`` package or a module in it. The API's own modules may import each
other, across apps too (e.g. the judges' serializers reuse the attachment
serializer).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["competition", "notifications", "nominations", "judging", "certificates", "exhibition"]
API_PACKAGES = tuple(f"{app}.api" for app in APPS)

# Modules allowed to import an api package, and why.
EXCEPTIONS = {
    # Start-up wiring, not domain code: importing the module registers the
    # token authentication's OpenAPI extension with drf-spectacular.
    "competition.apps": {"competition.api.schema"},
    # A page, not domain code: the judge's scoring page shows the rubric, the
    # saved scorecard and the attachments (with the download URLs the API
    # serves, neutral names in blind rounds) exactly as the API answers them.
    # What a judge may see is decided by judging.selectors.assignment_materials
    # and assignment_attachments, which page and serializer both call.
    "judging.views.judge": {"judging.api.serializers"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _domain_modules() -> list[Path]:
    out = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT / app).parts
            if relative[0] in ("api", "migrations"):
                continue
            out.append(path)
    return out


def _imports(path: Path) -> set[str]:
    """Absolute names of every module the file imports (``from x import y`` counts x and x.y)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_api(name: str) -> bool:
    return any(name == api or name.startswith(api + ".") for api in API_PACKAGES)


@pytest.mark.parametrize("path", _domain_modules(), ids=lambda p: _module_name(p))
def test_domain_module_does_not_import_an_api_package(path):
    module = _module_name(path)
    allowed = EXCEPTIONS.get(module, set())
    offending = {
        name
        for name in _imports(path)
        if _is_api(name) and not any(name == a or name.startswith(a + ".") for a in allowed)
        # ``from competition.api import schema`` also yields "competition.api": allowed
        # when the allowed module is inside it.
        and not any(a.startswith(name + ".") for a in allowed)
    }
    assert not offending, f"{module} imports {sorted(offending)}"


def test_the_check_resolves_relative_imports(monkeypatch):
    """The resolver sees ``from ..api.serializers import X`` inside a function."""
    package = ROOT / "nominations" / "spreadsheets"
    probe = package / "_probe_for_test.py"
    # Parse an in-memory module placed (by name only) inside the package.
    source = "def f():\n    from ..api.serializers import NominationSerializer\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert "nominations.api.serializers" in _imports(probe)
    assert _is_api("nominations.api.serializers")
