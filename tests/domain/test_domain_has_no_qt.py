"""The domain must stay pure Python: no Qt import anywhere under commsdesk/domain."""

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "commsdesk" / "domain"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_domain_file_imports_qt():
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) >= 8  # the scan really looked at the domain
    offenders = {
        f.name: sorted(
            m for m in imported_modules(f) if m.split(".")[0] in {"PySide6", "shiboken6"}
        )
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_whole_domain_loads_no_qt():
    modules = [f"commsdesk.domain.{p.stem}" for p in DOMAIN.glob("*.py") if p.stem != "__init__"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
