"""The shipped blank forms mean what the generator makes today: same fields, flags, values, labels, text.

Compared by meaning, not bytes: a ReportLab upgrade that reorders objects passes,
a lost flag, a moved widget or a changed label fails, named field by field.
"""

from __future__ import annotations

import io

import pytest
from conftest import walk_fields
from pypdf import PdfReader

from minicex_pdf.form.definition import FORM_LANGS, forms_dir


def meaning(pdf: bytes) -> dict[str, object]:
    """What a viewer shows and a reader reads of a blank: every field's properties, each page's text, the metadata."""
    fields = walk_fields(pdf)
    for entry in fields.values():
        entry["rects"] = [(page, [round(v, 2) for v in rect]) for page, rect in entry["rects"]]  # type: ignore[union-attr]
    reader = PdfReader(io.BytesIO(pdf))
    info = {
        k: str(v) for k, v in (reader.metadata or {}).items() if k not in ("/CreationDate", "/ModDate", "/Producer")
    }
    return {
        "fields": fields,
        "pages": [" ".join(page.extract_text().split()) for page in reader.pages],
        "sizes": [[float(v) for v in page.mediabox] for page in reader.pages],
        "info": info,
    }


def differences(shipped: dict[str, object], made: dict[str, object]) -> list[str]:
    out = []
    a, b = shipped["fields"], made["fields"]
    assert isinstance(a, dict) and isinstance(b, dict)
    out += [f"field {n} is only in the shipped file" for n in sorted(a.keys() - b.keys())]
    out += [f"field {n} is missing from the shipped file" for n in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        out += [
            f"field {name}: {key} is {a[name][key]!r}, the generator makes {b[name][key]!r}"
            for key in a[name]
            if a[name][key] != b[name].get(key)
        ]
    for key in ("pages", "sizes", "info"):
        if shipped[key] != made[key]:
            out.append(f"{key} differ")
    return out


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_shipped_blanks_mean_what_the_generator_makes(newest_blanks, lang):
    shipped = forms_dir() / f"blank-{lang}.pdf"
    assert shipped.exists(), f"{shipped} is missing: build it with python scripts/build_blanks.py"
    found = differences(meaning(shipped.read_bytes()), meaning(newest_blanks[lang]))
    assert not found, (
        f"{shipped.name} no longer means what the generator makes:\n  " + "\n  ".join(found[:20]) + "\n"
        "Find out why before anything else: a released form version (forms/minicex-1.toml) never changes "
        "meaning, and forms already sent out must still read. Only when the change is intended and belongs "
        "in this version, rebuild with python scripts/build_blanks.py and say why in the CHANGELOG."
    )


def test_the_comparison_sees_a_lost_flag_and_a_changed_label(newest_blanks):
    made = meaning(newest_blanks["sv"])
    changed = meaning(newest_blanks["sv"])
    fields = changed["fields"]
    assert isinstance(fields, dict)
    fields["went_well"] = dict(fields["went_well"], Ff=0)
    fields["date"] = dict(fields["date"], TU="Datum")
    assert differences(changed, made) == [
        f"field date: TU is 'Datum', the generator makes {made['fields']['date']['TU']!r}",  # type: ignore[index]
        f"field went_well: Ff is 0, the generator makes {made['fields']['went_well']['Ff']!r}",  # type: ignore[index]
    ]
