"""Rebuild the fonts shipped in minicex_pdf/fontdata/ from Debian's fonts-dejavu-core.

    apt-get install fonts-dejavu-core && pip install fonttools
    python scripts/build_fonts.py

DejaVu Sans (Bitstream Vera licence, DejaVu changes public domain) is cut down to the
scripts a Swedish trainee roster holds: Latin with Latin Extended A/B and Additional
(Polish, Czech, Romanian, Turkish, Baltic, Vietnamese), Greek, Cyrillic, typographic
punctuation, currency signs and U+FFFD (the visible replacement). Hinting and layout
tables are dropped: the form embeds the regular face whole as its field font, so its
size is the blank's size. fontTools is needed here only, not at run time.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "minicex_pdf" / "fontdata"
SOURCE = Path("/usr/share/fonts/truetype/dejavu")
LICENCE = Path("/usr/share/doc/fonts-dejavu-core/copyright")
FACES = ("DejaVuSans", "DejaVuSans-Bold")
#: Code point ranges kept (inclusive).
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B (Ș ș Ț ț included)
    (0x02B0, 0x02FF),  # spacing modifier letters (ˇ ˘ ˙ ˛ ˝)
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # general punctuation (– — ‘ ’ “ ” … • ‰)
    (0x20A0, 0x20CF),  # currency (€)
    (0x2100, 0x214F),  # letterlike symbols (№ ™)
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus
    (0xFFFD, 0xFFFD),  # the replacement character shown for what no font has
)


def main() -> int:
    from fontTools import subset

    OUT.mkdir(exist_ok=True)
    unicodes = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    for face in FACES:
        options = subset.Options()
        options.hinting = False
        options.layout_features = []
        options.drop_tables += ["GDEF", "GPOS", "GSUB", "MATH", "FFTM"]
        options.notdef_outline = True
        options.glyph_names = False
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        font = subset.load_font(str(SOURCE / f"{face}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        target = OUT / f"{face}.ttf"
        subset.save_font(font, str(target), options)
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs")
    shutil.copyfile(LICENCE, OUT / "LICENSE-DejaVu.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
