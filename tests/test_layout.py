"""The layout's rules: Qt only in panels (a `ui` folder), the composition root and the slide
renderer; the core never imports a panel."""

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "commsdesk"
QT = {"PySide6", "shiboken6"}
# Qt outside a ui/ folder: the one place that wires the window, and the renderer that draws
# slides with Qt's text layout (the same pixels the panel previews).
QT_ALLOWED = {"app.py", "slides/render.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def is_ui(path: Path) -> bool:
    return "ui" in path.relative_to(PACKAGE).parts[:-1]


def core_files() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and not is_ui(p) and p.name != "__main__.py"
        and str(p.relative_to(PACKAGE)) not in QT_ALLOWED
    )


def test_no_core_module_imports_qt():
    files = core_files()
    assert len(files) >= 60  # the scan really looked at the package
    offenders = {
        str(f.relative_to(PACKAGE)): sorted(m for m in imported_modules(f) if m.split(".")[0] in QT)
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_core_module_imports_a_panel():
    panel = re.compile(r"^commsdesk(\.\w+)*\.ui(\.|$)")
    offenders = {
        str(f.relative_to(PACKAGE)): sorted(m for m in imported_modules(f) if panel.match(m))
        for f in core_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_loads_no_qt():
    modules = [module_name(p) for p in core_files()]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_each_capability_is_one_folder():
    for name in ("timeline", "incidents", "statements", "publishing", "scheduling",
                 "broadcast", "slides", "audience", "store", "cli", "ui"):
        assert (PACKAGE / name / "__init__.py").is_file(), name
    assert not (PACKAGE / "domain").exists() and not (PACKAGE / "services").exists()
