"""Every text a user can see has a Dutch translation (the build compiles them: tests/package).

The catalogue is extracted afresh from the same babel.cfg that ``pybabel extract`` reads, so a message that the
command would miss is missed here too; the services and the domain mark theirs with ``N_``
(``swarm.domain.errors``), and a scan of their code fails on a message that is not marked."""

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
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS
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
    extracted = _extracted()
    # the services' refusals, the solver's stages and the score terms are among what a user reads
    assert {"The deadline must lie in the future.", "first schedule", "hours filled"} <= extracted
    missing = sorted(extracted - translated)
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing[:10]}"


# The calls whose message a user reads, and where the message sits: ValidationError(field, message),
# FileProblem(message), CellProblem(message), RowError(line, column, message), context.error(row, key, message).
_MESSAGE_ARGUMENT = {"ValidationError": 1, "FileProblem": 0, "CellProblem": 0, "RowError": 2, "error": 2}
SPEAKING_CODE = ("swarm/services", "swarm/domain")


def _is_marked(node: ast.expr, marked_names: set[str]) -> bool:
    """``N_("...")``, a module constant bound to one, or another error's ``.message`` passed on."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
        return True
    if isinstance(node, ast.Name):
        return node.id in marked_names or node.id == "message"  # a helper's parameter, marked by its callers
    return isinstance(node, ast.Attribute) and node.attr == "message"


def _unmarked_messages(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    marked_names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "N_"
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _MESSAGE_ARGUMENT or (name == "error" and not isinstance(node.func, ast.Attribute)):
            continue
        position = _MESSAGE_ARGUMENT[name]
        message = node.args[position] if len(node.args) > position else None
        if message is None or (isinstance(message, ast.Constant) and message.value == ""):
            continue
        if not _is_marked(message, marked_names):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(message)[:70]}")
    return found


def test_every_message_of_the_services_and_the_domain_is_marked_for_translation():
    modules = [module for part in SPEAKING_CODE for module in sorted((ROOT / part).rglob("*.py"))]
    checked = [_unmarked_messages(module) for module in modules]
    assert (
        sum(1 for module in modules if "N_(" in module.read_text(encoding="utf-8")) > 30
    )  # the scan sees them
    assert [line for lines in checked for line in lines] == []


def test_the_scan_catches_a_bare_or_formatted_message(tmp_path):
    module = tmp_path / "refusing.py"
    module.write_text(
        'OK = N_("Marked.")\n'
        "def check(x, context, row):\n"
        '    raise ValidationError("a", N_("Marked."))\n'
        '    raise ValidationError("a", OK)\n'
        '    raise ValidationError("b", "Bare.")\n'
        '    raise ValidationError("c", f"At most {x} characters.")\n'
        '    context.error(row, "d", "Bare too.")\n',
        encoding="utf-8",
    )
    found = _unmarked_messages(module, root=tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == [
        "'Bare.'",
        "f'At most {x} characters.'",
        "'Bare too.'",
    ]


def test_the_catalogue_has_no_fuzzy_entries_and_no_duplicate_of_an_obsolete_one():
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="nl")
    fuzzy = [m.id for m in catalogue if m.id and "fuzzy" in m.flags]
    assert fuzzy == []
    assert sorted(set(catalogue.obsolete) & {m.id for m in catalogue if m.id}) == []  # msgfmt refuses those
