"""course_lib's layout: wings from the bottom up, no import from a lower wing to a higher one,
and a map in course_lib/__init__.py that names every module."""
import ast
import re
from pathlib import Path

import course_lib
from course_lib.machinery.authoring import ROOT

LIBRARY = ROOT / "course_lib"
# Each wing may import from itself and from the wings listed for it.
MAY_IMPORT = {
    "machinery": set(),
    "nets": {"machinery"},
    "lm": {"machinery", "nets"},
    "scale": {"machinery", "nets", "lm"},
    "serving": {"machinery", "nets", "lm", "scale"},
    "interpret": {"machinery", "nets", "lm"},
    "adapt": {"machinery", "nets", "lm", "scale"},
    "exercises": {"machinery", "nets", "lm", "scale", "serving", "interpret", "adapt"},
}


def wing_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "course_lib" and len(parts) > 1 and parts[1] in MAY_IMPORT else None


def imports(path: Path) -> set[str]:
    """Every course_lib module a file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {name for name in found if name.startswith("course_lib")}


def modules() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*.py") if p.name != "__init__.py" or p.parent != LIBRARY)


def test_every_module_sits_in_a_wing():
    loose = [p.name for p in LIBRARY.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"modules outside any wing: {loose}"
    assert {p.name for p in LIBRARY.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(MAY_IMPORT)


def test_no_import_runs_from_a_lower_wing_to_a_higher_one():
    upward = []
    for path in modules():
        wing = path.relative_to(LIBRARY).parts[0]
        for name in imports(path):
            target = wing_of(name)
            if target and target != wing and target not in MAY_IMPORT[wing]:
                upward.append(f"{path.relative_to(ROOT)} imports {name} ({wing} -> {target})")
    assert not upward, "\n".join(upward)


def test_the_map_names_every_module_in_its_wing():
    doc = course_lib.__doc__
    for wing in MAY_IMPORT:
        entry = re.search(rf"^  {wing}/(.*?)(?=^  \w+/|\n\n)", doc, re.M | re.S)
        entry = entry.group(1) if entry else ""
        assert entry, f"the map in course_lib/__init__.py has no entry for {wing}/"
        if wing == "exercises":
            continue
        names = {p.stem for p in (LIBRARY / wing).glob("*.py") if p.name != "__init__.py"}
        listed = set(entry.replace(",", " ").split())
        assert names <= listed, f"the map's {wing}/ entry misses {sorted(names - listed)}"
