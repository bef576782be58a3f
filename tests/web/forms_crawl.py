"""Find the forms a logged-in user is shown: every GET page of their role, parsed for <form method="post">.

The hostile-input tests post these forms as the page would send them, with one field (or all) replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tests.web.test_authorization import _actor_routes, _id_params, _url

# Forms that end the session they are posted with (the tests post them separately, or not at all).
SESSION_ENDING = re.compile(r"/logout$|/logout-everywhere$|/professional/delete$")
PLAUSIBLE = {
    "text": "Proef 1",
    "textarea": "Een regel.\r\nNog een regel.",
    "email": "proef@example.nl",
    "url": "https://proef.example.nl/in",
    "number": "3",
    "date": "2027-02-01",
    "time": "10:00",
    "datetime-local": "2027-02-01T10:00",
}
TEXT_INPUTS = {
    "text",
    "email",
    "password",
    "search",
    "url",
    "tel",
    "number",
    "date",
    "time",
    "datetime-local",
}


@dataclass
class FormField:
    name: str
    kind: str  # an input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class PageForm:
    page: str  # the page it was found on
    action: str
    fields: list[FormField] = field(default_factory=list)
    multipart: bool = False

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.action, tuple(sorted(f.name for f in self.fields))

    def data(self, **replaced) -> dict[str, list[str]]:
        """What a browser sends: the shown values, ticked boxes, each select's chosen option; then ``replaced``."""
        sent: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    sent.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "select":
                if f.value or f.options:
                    sent.setdefault(f.name, []).append(f.value or f.options[0])
            elif f.kind not in ("submit", "button", "file", "reset", "image"):
                sent.setdefault(f.name, []).append(f.value)
        for name, value in replaced.items():
            sent[name] = value if isinstance(value, list) else [value]
        return sent

    def filled(self, **replaced) -> dict[str, list[str]]:
        """As :meth:`data`, with every empty typed field filled with a plausible value of its kind (so that a
        form is accepted but for what ``replaced`` puts in)."""
        plausible = {
            f.name: PLAUSIBLE.get(f.kind, "") for f in self.fields if not f.value and f.kind in PLAUSIBLE
        }
        return self.data(**{**plausible, **replaced})

    def text_fields(self) -> list[str]:
        return sorted({f.name for f in self.fields if f.kind in TEXT_INPUTS or f.kind == "textarea"})

    def id_fields(self) -> list[str]:
        """Fields that carry a choice or a hidden value: ids of rows, kinds, levels."""
        return sorted(
            {
                f.name
                for f in self.fields
                if f.kind in ("hidden", "select", "checkbox", "radio") and f.name != "csrf_token"
            }
        )


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = PageForm(
                    self.page,
                    a.get("action") or self.page,
                    multipart="multipart" in a.get("enctype", ""),
                )
            return
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            self._form.fields.append(
                FormField(
                    a["name"], a.get("type", "text").lower(), a.get("value", ""), checked="checked" in a
                )
            )
        elif tag == "textarea" and a.get("name"):
            self._textarea = FormField(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = FormField(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            if self._option_value is not None:
                self._select.options.append(self._option_value)
                if "selected" in a:
                    self._select.value = self._option_value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_on(page_url: str, html: str) -> list[PageForm]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


def pages_of(app, world, role: str) -> list[str]:
    """Every GET page of the role's blueprint with the role's own ids, plus the account pages."""
    urls = [
        _url(rule, _id_params(world, "home"), world, "home")
        for owner, method, rule in _actor_routes(app)
        if owner == role and method == "GET"
    ]
    return [*urls, "/account"]


def role_forms(app, world, client, role: str) -> list[PageForm]:
    """The distinct post forms of every page the role sees (the language and logout forms once)."""
    found: dict[tuple, PageForm] = {}
    for url in pages_of(app, world, role):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for form in forms_on(url, response.get_data(as_text=True)):
            found.setdefault(form.key, form)
    return list(found.values())
