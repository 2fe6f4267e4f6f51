"""The appointment receipt as a PDF (fpdf2), in the person's language: who (name and masked
document number), when and where, what for, the reference, what to bring, the rules, and a QR
code (segno) carrying the signed token that staff check at the door (`domain/receipt.py`).

Pure: facts in, bytes out (like the calendar invitation of `notices.py`); the only file it reads
is the font shipped with the code. One font covers every language of the service: DejaVu Sans
(chalicelib/fonts, with its licence) has the Turkish, Arabic, Persian and Cyrillic letters, and
HarfBuzz (uharfbuzz, through fpdf2's text shaping) joins Arabic and Persian letters and lays
right-to-left lines out in their order. Names and addresses are written as the registry and the
catalogue hold them (Latin script, Turkish letters)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.i18n import RIGHT_TO_LEFT, text

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
FONT = "dejavu"
_MARGIN = 18  # millimetres
_QR_SIZE = 48  # millimetres: a 262-character token is a version 11 code, ~0.8 mm a module


@dataclass(frozen=True)
class ReceiptFacts:
    language: str
    given_name: str
    family_name: str
    masked_document: str
    directorate_name: str
    directorate_address: str
    service_name: str
    start: datetime
    reference: str
    documents: tuple[str, ...]  # what to bring, one line each (domain/documents.py)
    grace_minutes: int
    token: str  # the QR code's content


def render(facts: ReceiptFacts) -> bytes:
    from fpdf import FPDF  # on first use: it is not needed by any other request

    language = facts.language
    rtl = language in RIGHT_TO_LEFT
    align = "R" if rtl else "L"
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=_MARGIN)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    pdf.set_title(text("receipt.title", language))
    pdf.set_lang(language)
    pdf.set_creator("Migration Directorate appointments")
    pdf.add_page()

    def line(value: str, size: float = 11, style: str = "", gap: float = 1.5, latin: bool = False) -> None:
        # Names, numbers, codes and addresses are Latin script: laid out left to right even on a
        # right-to-left page ("***8764" must not read "8764***"), aligned with the page's side.
        if latin and rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(0, size * 0.5, value, align=align, new_x="LMARGIN", new_y="NEXT")
        if latin and rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
        pdf.ln(gap)

    def field(label_key: str, value: str, style: str = "") -> None:
        line(text(label_key, language), size=9, gap=0.5)
        line(value, size=12, style=style, gap=2.5, latin=True)

    line(text("receipt.title", language), size=20, style="B", gap=1)
    line(facts.directorate_name, size=10, gap=5, latin=True)
    top = pdf.get_y()
    qr_x = _MARGIN if rtl else pdf.w - _MARGIN - _QR_SIZE
    pdf.image(_qr_png(facts.token), x=qr_x, y=top, w=_QR_SIZE, h=_QR_SIZE, alt_text=text("receipt.qr", language))
    # The details beside the code: the column leaves the code's side of the page free.
    pdf.set_left_margin(_MARGIN + (_QR_SIZE + 6 if rtl else 0))
    pdf.set_right_margin(_MARGIN + (0 if rtl else _QR_SIZE + 6))
    pdf.set_xy(pdf.l_margin, top)
    field("receipt.name", f"{facts.given_name} {facts.family_name}", style="B")
    field("receipt.document", facts.masked_document)
    field("receipt.when", f"{facts.start.astimezone(ISTANBUL):%d.%m.%Y %H:%M}", style="B")
    field("receipt.reference", facts.reference, style="B")
    pdf.set_left_margin(_MARGIN)
    pdf.set_right_margin(_MARGIN)
    pdf.set_xy(_MARGIN, max(pdf.get_y(), top + _QR_SIZE + 3))
    line(text("receipt.qr", language), size=8, gap=5)
    field("receipt.place", facts.directorate_name)
    field("receipt.address", facts.directorate_address)
    line(text("receipt.service", language), size=9, gap=0.5)
    line(facts.service_name, size=12, gap=2.5)  # in the person's language
    line(text("receipt.bring", language), size=12, style="B", gap=1.5)
    for document in facts.documents:
        line(f"• {document}", size=11, gap=1)
    pdf.ln(4)
    line(f'{text("start.rule.final", language)} {text("start.rule.thirty", language)}', size=10)
    line(text("appointment.late", language, grace=facts.grace_minutes), size=10)
    return bytes(pdf.output())


def _qr_png(token: str) -> io.BytesIO:
    """The token as a QR code (error correction M: survives a crease or a smudge)."""
    import segno

    uri = segno.make_qr(token, error="m").png_data_uri(scale=8, border=4)  # "data:image/png;base64,…"
    return io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))

