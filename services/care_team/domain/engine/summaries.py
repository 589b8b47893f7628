"""Summary templates ("{a} with {b}: ..."), split once at load time.

Most templates only name the drugs at positions a/b/c ({a}, {b_dose}): they are split
into their literal pieces and, per placeholder, the position and which of the drug's
texts it shows (`Facts.texts`: display name or prescribed dose, as is or capitalised at
the start of the text), so rendering is one f-string. The few with list-wide values
({drugs}, {count}, {age}, {conditions}) use `str.format_map`. Either way the text is
what `template.format_map(values)` would give, its first letter upper-cased.
"""

import string
from collections.abc import Callable

from services.care_team.domain.engine.medlist import Med

POSITIONS = ("a", "b", "c")
Render = Callable[[tuple[Med, ...]], str]
Field = tuple[int, int]  # (position, index in Facts.texts)


class Template:
    __slots__ = ("listwide", "names", "render", "text")

    def __init__(self, text: str) -> None:
        """`text` must be a valid template (see rulebook's checks)."""
        self.text = text
        parts = list(string.Formatter().parse(text))
        self.names = tuple(name for _, name, _, _ in parts if name is not None)
        # {drugs}, {count}, ... or a format spec (not used by rules.yaml): str.format_map.
        self.listwide = any(
            _field(name) is None or spec or conversion
            for _, name, spec, conversion in parts
            if name is not None
        )
        #: The text for the drugs a clause matched (templates that are not `listwide`).
        self.render: Render = self._slow
        if not self.listwide:
            self.render = self._compile(parts)

    def render_with(self, meds: tuple[Med, ...], listwide: Callable[[str], object]) -> str:
        """The text, `listwide` giving the values of {drugs}, {count}, {age}, {conditions}."""
        values: dict[str, object] = {}
        for name in self.names:
            if name not in values:
                found = _field(name)
                values[name] = (
                    listwide(name) if found is None else meds[found[0]].facts.texts[found[1]]
                )
        text = self.text.format_map(values)
        return text[:1].upper() + text[1:]

    def _slow(self, meds: tuple[Med, ...]) -> str:
        return self.render_with(meds, lambda name: "")

    def _compile(self, parts: list[tuple[str, str | None, str | None, str | None]]) -> Render:
        literals = [""]  # around the placeholders: one more than them
        fields: list[Field] = []
        for literal, name, _, _ in parts:
            literals[-1] += literal
            if name is None:
                continue
            found = _field(name)
            assert found is not None
            fields.append(found)
            literals.append("")
        if literals[0] or not fields:
            first = literals[0]
            literals[0] = first[:1].upper() + first[1:]
            return _joined(fields, literals)
        # The text starts with the first placeholder: its value capitalised (`_CAP`).
        (i, k), rest = fields[0], fields[1:]
        k |= _CAP
        if len(rest) == 0:
            (l1,) = literals[1:]
            slow = self._slow

            def render(meds: tuple[Med, ...]) -> str:
                first = meds[i].facts.texts[k]
                return f"{first}{l1}" if first else slow(meds)

            return render
        if len(rest) == 1:
            ((j, m),) = rest
            _, l1, l2 = literals
            slow = self._slow

            def render_two(meds: tuple[Med, ...]) -> str:
                first = meds[i].facts.texts[k]
                return f"{first}{l1}{meds[j].facts.texts[m]}{l2}" if first else slow(meds)

            return render_two
        return _joined([(i, k), *rest], literals, self._slow)


_CAP = 1  # Facts.texts: (display, Display, prescribed, Prescribed)
_DOSE = 2


def _joined(fields: list[Field], literals: list[str], slow: Render | None = None) -> Render:
    """literal, value, literal, value, ..., literal (`slow` if the first value is empty)."""
    if not fields:
        text = literals[0]
        return lambda meds: text
    if len(fields) == 1:
        ((i, k),), (l0, l1) = fields, literals
        return lambda meds: f"{l0}{meds[i].facts.texts[k]}{l1}"
    if len(fields) == 2 and slow is None:
        ((i, k), (j, m)), (l0, l1, l2) = fields, literals
        return lambda meds: f"{l0}{meds[i].facts.texts[k]}{l1}{meds[j].facts.texts[m]}{l2}"
    pieces = tuple(zip(fields, literals[1:], strict=True))
    head = literals[0]

    def render(meds: tuple[Med, ...]) -> str:
        values = [meds[i].facts.texts[k] for (i, k), _ in pieces]
        if slow is not None and not values[0]:
            return slow(meds)
        return head + "".join([value + lit for value, (_, lit) in zip(values, pieces, strict=True)])

    return render


def _field(name: str) -> Field | None:
    """(position, index in Facts.texts) of {a}, {a_dose}, ...; None if list-wide."""
    position, _, dose = name.partition("_")
    if position not in POSITIONS or dose not in ("", "dose"):
        return None
    return POSITIONS.index(position), _DOSE if dose else 0
