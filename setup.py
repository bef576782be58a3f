"""The one build step pyproject.toml cannot declare: the files beside the code go into the package.

In the repository the web app's templates and static files live in ``web/`` and the reference data in
``fixtures/`` (top-level folders); a wheel carries them inside the package, as ``swarm/web`` and
``swarm/fixtures``, where ``swarm/shipped.py`` looks first. The translations are compiled here, ``.po`` to
``.mo`` with Babel, so swarm never compiles (or writes into its installation) at start-up. An sdist carries the
sources (``get_source_files``), and a wheel built from it runs this step again.

Editable installs (``pip install -e .``) run this command too, with ``editable_mode`` set (PEP 660 and
setuptools' protocol for build sub-commands, ``setuptools.command.build.SubCommand``): it then compiles the
catalogues in place, beside their ``.po`` files, and copies nothing, since code in a checkout reads ``web/``
and ``fixtures/`` where they are. After editing a ``.po`` file, compile again with this same step:
``pip install --no-deps -e .`` (the test session refuses to start on a stale catalogue).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import Command, setup
from setuptools.command.build import build

ROOT = Path(__file__).resolve().parent
SHIPPED = {  # repository folder: (patterns of the files the wheel carries, place in the package)
    "web": (("templates/**/*", "static/**/*"), "swarm/web"),
    "fixtures": (("**/*.json", "**/*.csv"), "swarm/fixtures"),  # import/*.csv: the example import files
}
TRANSLATIONS = "swarm/translations"


def _shipped_sources() -> dict[str, str]:
    """Each shipped file's place in the package -> its place in the repository (both relative, POSIX)."""
    files = {}
    for folder, (patterns, package_place) in SHIPPED.items():
        for pattern in patterns:
            for path in sorted((ROOT / folder).glob(pattern)):
                relative = path.relative_to(ROOT / folder)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    files[f"{package_place}/{relative.as_posix()}"] = f"{folder}/{relative.as_posix()}"
    return files


def _catalogues() -> dict[str, str]:
    """Each compiled catalogue (.mo) -> the .po it comes from (both relative, POSIX)."""
    return {
        po.relative_to(ROOT).with_suffix(".mo").as_posix(): po.relative_to(ROOT).as_posix()
        for po in sorted((ROOT / TRANSLATIONS).glob("*/LC_MESSAGES/*.po"))
    }


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile one .po into a .mo (untranslated and fuzzy entries left out, as ``pybabel compile`` does).

    Written to a temporary file and renamed, so a development server reading it never sees half a catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parents[1].name)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_name(mo.name + ".partial")
    with partial.open("wb") as target:
        write_mo(target, catalogue)
    os.replace(partial, mo)


class build_shipped_files(Command):
    """Copy web/ and fixtures/ into the package and compile the translations (in place when editable)."""

    description = "ship web/ and fixtures/ inside the package and compile the translations"
    user_options: list = []

    def initialize_options(self) -> None:
        self.build_lib = None
        self.editable_mode = False

    def finalize_options(self) -> None:
        self.set_undefined_options("build_py", ("build_lib", "build_lib"))

    def _compiled_place(self, mo: str) -> Path:
        return ROOT / mo if self.editable_mode else Path(self.build_lib, mo)

    def run(self) -> None:
        if not self.editable_mode:  # an editable install reads web/ and fixtures/ in the checkout
            for target, source in _shipped_sources().items():
                self.mkpath(str(Path(self.build_lib, target).parent))
                self.copy_file(str(ROOT / source), str(Path(self.build_lib, target)))
        for mo, po in _catalogues().items():
            compile_catalogue(ROOT / po, self._compiled_place(mo))

    def get_source_files(self) -> list[str]:
        return [*_shipped_sources().values(), *_catalogues().values()]

    def get_outputs(self) -> list[str]:
        return [str(Path(self.build_lib, place)) for place in [*_shipped_sources(), *_catalogues()]]

    def get_output_mapping(self) -> dict[str, str]:
        mapping = {str(Path(self.build_lib, target)): source for target, source in _shipped_sources().items()}
        if self.editable_mode:  # compiled in place: the build's catalogue is the one beside its .po
            mapping.update({str(Path(self.build_lib, mo)): mo for mo in _catalogues()})
        return mapping


class build_with_shipped_files(build):
    sub_commands = [*build.sub_commands, ("build_shipped_files", None)]


setup(cmdclass={"build": build_with_shipped_files, "build_shipped_files": build_shipped_files})
