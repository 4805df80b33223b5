"""The pure rule files stay pure: read statically (ast), none of them reaches the web
framework, the ORM, the database or the settings, directly or through the backend modules it
imports; and the work-order package never reaches back into dispatch."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"

FORBIDDEN_PACKAGES = frozenset({"fastapi", "starlette", "sqlmodel", "sqlalchemy"})
FORBIDDEN_MODULES = frozenset({"backend.db", "backend.config"})

PURE = sorted(
    {
        *(
            f"backend/workorders/{name}.py"
            for name in (
                "machine",
                "facts",
                "states",
                "violations",
                "timeline",
                "codes",
                "wording",
                "closure_rules",
                "search_terms",
                "actions",
                "warnings",
            )
        ),
        *(str(p.relative_to(ROOT)) for p in BACKEND.glob("workorders/*/rules.py")),
        "backend/sla/profiles.py",
        "backend/scoring/periods.py",
        "backend/sla/calendar.py",
        "backend/sla/calendar_data.py",
        "backend/sla/deadlines.py",
        "backend/dispatch/classifier.py",
        "backend/dispatch/classifier_model.py",
        "backend/dispatch/routing.py",
        "backend/dispatch/geo.py",
        "backend/geo.py",  # coordinates
        "backend/catalog/responsibility_list.py",
        "backend/scoring/schemes.py",
        "backend/scoring/scheme_data.py",
        "backend/quotas/rules.py",
        "backend/hotspots/rules.py",
        "backend/exports/periods.py",
        "backend/exports/workbook.py",
        "backend/quotas/quota_data.py",
        "backend/open311/rules.py",
        "backend/open311/formats.py",
        "backend/quotas/ledger.py",
        "backend/evidence/imaging.py",
        "backend/evidence/exif.py",
        "backend/evidence/watermark.py",
        "backend/evidence/audio.py",
    }
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def path_of(module: str) -> Path | None:
    """The file of a backend module, None for anything outside the repository."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every module ``module`` imports anywhere in its file: at the top, inside functions,
    under TYPE_CHECKING; ``from pkg import name`` counts ``pkg.name`` when that is a module."""
    path = path_of(module)
    assert path is not None, module
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            found.add(base)
            found.update(
                f"{base}.{alias.name}"
                for alias in node.names
                if path_of(f"{base}.{alias.name}") is not None
            )
    return frozenset(found)


def with_parents(module: str) -> list[str]:
    """Importing a.b.c runs a/__init__, a/b/__init__ and a/b/c."""
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def reached(start: str) -> dict[str, list[str]]:
    """Every module importing ``start`` loads, with the chain of imports that gets there."""
    chains: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        current = queue.pop()
        if path_of(current) is None:
            continue
        for imported in sorted(imports_of(current)):
            for module in with_parents(imported):
                if module not in chains:
                    chains[module] = [*chains[current], module]
                    if module.split(".")[0] == "backend":
                        queue.append(module)
    return chains


def is_forbidden(module: str) -> bool:
    return module.split(".")[0] in FORBIDDEN_PACKAGES or any(
        module == m or module.startswith(m + ".") for m in FORBIDDEN_MODULES
    )


def impure(path: str) -> list[str]:
    chains = reached(module_name(ROOT / path))
    return [" → ".join(chain) for module, chain in sorted(chains.items()) if is_forbidden(module)]


def test_the_pure_files_exist() -> None:
    missing = [p for p in PURE if not (ROOT / p).is_file()]
    assert not missing
    assert len([p for p in PURE if p.endswith("/rules.py") and "workorders" in p]) >= 5


def test_the_check_finds_an_impure_module() -> None:
    # The pipeline writes orders: it must show up, or the check reads nothing.
    found = impure("backend/workorders/pipeline.py")
    assert any(chain.endswith("→ sqlmodel") for chain in found)
    assert any(chain.endswith("→ backend.db") for chain in found)
    assert any("backend.config" in chain for chain in found)
    # Imports inside functions count too (the classifier loads jieba lazily).
    assert "jieba" in imports_of("backend.dispatch.classifier")


@pytest.mark.parametrize("path", PURE)
def test_pure_rule_files_import_no_web_orm_db_or_settings(path: str) -> None:
    assert impure(path) == []


def workorder_modules() -> list[str]:
    return sorted(module_name(p) for p in (BACKEND / "workorders").rglob("*.py"))


def test_workorders_never_import_dispatch() -> None:
    # Dispatch builds on work orders; the other way round would be a cycle. Through other
    # backend modules too, and inside functions, where a lazy import would hide one.
    offending = {
        module: " → ".join(chain)
        for module in workorder_modules()
        for name, chain in reached(module).items()
        if name == "backend.dispatch" or name.startswith("backend.dispatch.")
    }
    assert offending == {}
    assert "backend.dispatch" in reached("backend.main")  # the check does see dispatch
