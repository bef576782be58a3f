"""Every user-facing text of the web app has a Dutch translation (the build compiles them: tests/package)."""

import ast
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from swarm.webapp.i18n import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }


def test_every_text_in_the_code_and_templates_has_a_dutch_translation():
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="nl")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and "fuzzy" not in m.flags and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_extracted() - translated)
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing[:10]}"


# The services speak English; the web looks their refusals up in the catalogue (forms.errors.attach_error), so
# every one a planning, team or availability page can show must be marked in swarm/webapp/domain_messages.py.
REFUSING_SERVICES = ("swarm/services/plan", "swarm/services/team", "swarm/services/people/professionals.py")


def _refusals(path: Path) -> set[str]:
    """The literal messages of ``ValidationError(field, message)`` in a module (also through a module constant)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {
        target.id: node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "ValidationError"
            and len(node.args) == 2
        ):
            message = node.args[1]
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                found.add(message.value)
            elif isinstance(message, ast.Name) and message.id in constants:
                found.add(constants[message.id])
    return found


def test_every_refusal_of_the_planning_services_is_marked_for_translation():
    marked = _extracted()
    paths = [ROOT / "swarm" / "domain"] + [ROOT / part for part in REFUSING_SERVICES]
    modules = [p for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*.py")))]
    refusals = set().union(*(_refusals(module) for module in modules))
    assert len(refusals) > 40  # the scan finds them
    assert sorted(refusals - marked) == []
