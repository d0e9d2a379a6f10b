#!/usr/bin/env python3
"""Build a corpus of realistic returned mini-CEX forms, for the import benchmark and by-hand trials.

Every good file is a real form: generated with its own instance id and filled
in PDFium (clicks and typing, saved as an incremental update, as Chrome saves),
with varied values drawn from the definition (some incomplete, some awaiting the
trainee's action plan, a few odd dates). A chosen share is rewritten with
``qpdf --object-streams=generate`` as Acrobat and Preview save (object streams
and a cross-reference stream), some are filled again later (a newer revision of
the same form), and a chosen share is broken: not a PDF, truncated, flattened
(no fields) or password-protected. Folders are nested and names use ``.pdf``,
``.PDF`` and ``.Pdf``; modification times increase in build order, so a refilled
copy is newer than its first version.

    python scripts/build_corpus.py corpus -n 1000 --objstm-share 0.4 --broken-share 0.03

A ``manifest.csv`` beside the files says what each file is. Nothing outside
OUT is written. Needs pypdfium2 (the test extra) and qpdf.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.definition import Field, FormDefinition, load_definition
from minicex_pdf.form.generator import build_form

FIRST = ["Anna", "Erik", "Åsa", "Björn", "Maria", "Jonas", "Sara", "Örjan", "Elin", "Mohammed", "Li", "Karin"]
LAST = ["Berg", "Öberg", "Lindqvist", "Ek", "Sandström", "Nilsson", "Åkesson", "Haddad", "Wang", "Jönsson"]
SPECIALTIES = ["Allmänmedicin", "Internmedicin", "Psykiatri", "Ortopedi", "Barn- och ungdomsmedicin", "Kirurgi"]
WORDS = [
    "Vårdcentralen Åby", "Akutmottagningen", "Medicinkliniken avd 12", "Överläkare, internmedicin",
    "tolk via telefon", "patient med hörselnedsättning", "ST-läkare i allmänmedicin", "Kardiologen",
]  # fmt: skip
SENTENCES = [
    "Strukturerad anamnes med öppna frågor.",
    "Bra sammanfattning för patienten; tydlig plan.",
    "Tänk på att stämma av patientens förväntningar tidigare.",
    "Status utfördes noggrant och förklarades väl.",
    "Öva på att prioritera när tiden är knapp.",
    "Läsa på om riktlinjerna för hjärtsvikt; ta upp med handledaren.",
    "Patienten kände sig lyssnad på. Empatiskt bemötande.",
]
SUBGOALS = ["STa1", "STa3", "STa6", "STb1", "STb2", "STc1", "STc4", "STc12", "a2", "b1", "c7"]
BROKEN_KINDS = ("not_pdf", "truncated", "flattened", "encrypted")
NAME_STYLES = ("minicex_{i:05d}.pdf", "Mini-CEX {i:05d}.PDF", "bedomning-{i:05d}.Pdf")
FOLDERS = ("", "inkorg", "inkorg/2026-03", "Avdelning ÅÄÖ/vecka 12", "arkiv/gamla")


@dataclass(frozen=True)
class Plan:
    """What one corpus entry becomes."""

    index: int
    kind: str  # "good" or one of BROKEN_KINDS
    objstm: bool
    refill: bool
    seed: int


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def value_for(fld: Field, rng: random.Random, trainee: str) -> object:
    """A plausible value for ``fld``, chosen by its type and role in the definition."""
    t = fld.type
    if t == "text":
        if fld.prefill == "name":
            return trainee
        if fld.prefill == "specialty":
            return rng.choice(SPECIALTIES)
        if fld.prefill == "sub_goals":
            return ", ".join(rng.sample(SUBGOALS, rng.randint(1, 4)))
        if fld.signature or fld.prefill == "supervisor":
            return person(rng)
        return rng.choice(WORDS)
    if t == "multiline":
        return "\n".join(rng.sample(SENTENCES, rng.randint(1, min(fld.lines, 3))))
    if t == "date":
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        return day.isoformat() if rng.random() > 0.02 else day.strftime("%d/%m %Y")  # now and then an odd date
    if t == "integer":
        low, high = fld.norm or fld.limit or (1, 30)
        return rng.randint(low, high) if rng.random() > 0.1 else rng.randint(high, high * 3)
    if t == "checkbox":
        return rng.random() < 0.5
    if t == "multichoice":
        return tuple(o.code for o in fld.options if rng.random() < 0.4) or (fld.options[0].code,)
    return rng.choice(fld.options).code  # choice, level


def form_values(definition: FormDefinition, rng: random.Random) -> tuple[dict[str, object], dict[str, object]]:
    """Values for a first fill, and what a second fill adds (the fields left empty the first time)."""
    trainee = f"{FIRST[rng.randrange(len(FIRST))]} {LAST[rng.randrange(len(LAST))]}"
    first: dict[str, object] = {}
    later: dict[str, object] = {}
    # The trainee writes the last sections (own action plan, signature) after the assessment: half the
    # forms come back before that, and some come back again with them filled.
    trainee_part = {s.code for s in definition.sections[-2:]}
    defer_trainee_part = rng.random() < 0.5
    for fld in definition.fields:
        value = value_for(fld, rng, trainee)
        left_out = rng.random() < (0.05 if fld.required else 0.15)  # some forms come back incomplete
        if (defer_trainee_part and fld.section in trainee_part) or left_out:
            later[fld.name] = value
        else:
            first[fld.name] = value
    return first, later


def qpdf(*args: str) -> None:
    subprocess.run(["qpdf", *args], check=True, capture_output=True)


def make(plan: Plan, out: str, definition: FormDefinition, start: float) -> list[tuple[str, str, bool, str]]:
    """Write one entry's file(s); the manifest rows (path, kind, object streams, instance id)."""
    rng = random.Random(plan.seed)
    folder = Path(out) / FOLDERS[plan.index % len(FOLDERS)]
    folder.mkdir(parents=True, exist_ok=True)
    name = NAME_STYLES[plan.index % len(NAME_STYLES)].format(i=plan.index)
    path = folder / name
    lang = ("sv+en", "sv", "en")[plan.index % 3]
    instance = f"corpus-{plan.seed:08x}-{plan.index:05d}"
    rows: list[tuple[str, str, bool, str]] = []
    if plan.kind == "not_pdf":
        path.write_bytes(rng.choice([b"<html><body>Sidan kunde inte visas</body></html>", b"PK\x03\x04" * 64]))
        rows.append((str(path), plan.kind, False, ""))
    else:
        first, later = form_values(definition, rng)
        data = fill_pdfium(build_form(definition, lang=lang, instance_id=instance), first, definition)
        if plan.kind == "truncated":
            data = data[: int(len(data) * rng.uniform(0.3, 0.8))]
        path.write_bytes(data)
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            work = Path(tmp) / "x.pdf"
            if plan.kind == "flattened":
                qpdf("--flatten-annotations=all", "--generate-appearances", str(path), str(work))
                shutil.move(work, path)
            elif plan.kind == "encrypted":
                qpdf("--encrypt", "hemligt", "owner", "256", "--", str(path), str(work))
                shutil.move(work, path)
            elif plan.objstm:
                qpdf("--object-streams=generate", str(path), str(work))
                shutil.move(work, path)
        rows.append((str(path), plan.kind, plan.objstm, instance))
        if plan.refill and plan.kind == "good" and later:
            again = fill_pdfium(data if not plan.objstm else path.read_bytes(), later, definition)
            path2 = path.with_name(path.stem + " (2)" + path.suffix)
            path2.write_bytes(again)  # PDFium appends to whatever it opened: an incremental update
            rows.append((str(path2), "refilled", plan.objstm, instance))
    for i, (p, *_rest) in enumerate(rows):
        stamp = start + plan.index * 10 + i
        os.utime(p, (stamp, stamp))
    return rows


def _make(args: tuple[Plan, str]) -> list[tuple[str, str, bool, str]]:
    plan, out = args
    return make(plan, out, _DEF, _START)


_DEF: FormDefinition
_START = 0.0


def _init(start: float) -> None:
    global _DEF, _START
    _DEF = load_definition()
    _START = start


def plans(n: int, *, objstm_share: float, broken_share: float, refill_share: float, seed: int) -> list[Plan]:
    """Entries for about ``n`` files (a refilled entry makes two)."""
    rng = random.Random(seed)
    out: list[Plan] = []
    files = 0
    while files < n:
        i = len(out)
        kind = rng.choice(BROKEN_KINDS) if rng.random() < broken_share else "good"
        refill = kind == "good" and rng.random() < refill_share and files + 2 <= n
        objstm = rng.random() < objstm_share and kind == "good"  # only whole files are rewritten by qpdf
        out.append(Plan(i, kind, objstm, refill, rng.randrange(1 << 32)))
        files += 2 if refill else 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to create (must be empty or missing)")
    ap.add_argument("-n", type=int, default=1000, help="number of files (default 1000)")
    ap.add_argument("--objstm-share", type=float, default=0.4, help="share rewritten with object streams")
    ap.add_argument("--broken-share", type=float, default=0.03, help="share of broken files")
    ap.add_argument("--refill-share", type=float, default=0.05, help="share of forms also returned filled again")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if shutil.which("qpdf") is None:
        ap.error("qpdf is needed (apt-get install qpdf)")
    if args.out.exists() and any(args.out.iterdir()):
        ap.error(f"{args.out} is not empty")
    args.out.mkdir(parents=True, exist_ok=True)
    todo = plans(
        args.n,
        objstm_share=args.objstm_share,
        broken_share=args.broken_share,
        refill_share=args.refill_share,
        seed=args.seed,
    )
    start = time.time() - 86400
    t0 = time.perf_counter()
    with multiprocessing.Pool(args.jobs, initializer=_init, initargs=(start,)) as pool:
        rows = [r for rs in pool.imap(_make, [(p, str(args.out)) for p in todo], chunksize=4) for r in rs]
    with open(args.out / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "kind", "object_streams", "instance_id"])
        w.writerows((os.path.relpath(p, args.out), k, int(o), i) for p, k, o, i in rows)
    good = [r for r in rows if r[1] in ("good", "refilled")]
    objstm = sum(1 for r in good if r[2])
    print(
        f"{len(rows)} files in {args.out} ({time.perf_counter() - t0:.0f} s): {len(good)} filled forms "
        f"({objstm} = {objstm / max(1, len(good)):.0%} with object streams, "
        f"{sum(1 for r in rows if r[1] == 'refilled')} refilled copies), "
        f"{len(rows) - len(good)} broken"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
