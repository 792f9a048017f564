"""Mailing a letter: the PostOffice protocol, the sandbox that keeps letters for the operator, and the PDF."""
import secrets
from dataclasses import dataclass
from typing import Protocol

from fpdf import FPDF
from fpdf.errors import FPDFException

from ..extensions import db
from ..iran.digits import to_persian_digits
from .models import PostLetter


class PostOfficeError(Exception):
    """The letter could not be produced or handed over; str() says why, for operators."""


@dataclass(frozen=True)
class Letter:
    recipient: str
    address: str
    postal_code: str
    title: str  # Persian
    lines: tuple  # Persian paragraphs
    code: str


class PostOffice(Protocol):
    name: str

    def send(self, letter: Letter, *, application_id, now) -> str:
        """Hand the letter over for mailing; returns the post office's reference. No commit."""


def render_pdf(letter, font_path):
    """The letter as an A5 PDF: Persian, right to left, with the code large enough to read."""
    try:
        pdf = FPDF(unit="mm", format=(148, 210))  # A5
        pdf.set_margins(14, 14, 14)
        pdf.add_page()
        pdf.add_font("letter", fname=font_path)
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="fas")
        pdf.set_font("letter", size=14)
        pdf.multi_cell(0, 9, letter.title, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("letter", size=11)
        pdf.multi_cell(0, 7, f"گیرنده: {letter.recipient}", align="R", new_x="LMARGIN", new_y="NEXT")
        if letter.address:  # a letter handed over rather than mailed (a complaint's referral) has none
            pdf.multi_cell(0, 7, f"نشانی: {letter.address}", align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.multi_cell(0, 7, f"کد پستی: {to_persian_digits(letter.postal_code)}", align="R",
                           new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        for line in letter.lines:
            pdf.multi_cell(0, 7, line, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.ln(4)
        pdf.set_text_shaping(False)
        pdf.set_font("letter", size=22)
        pdf.cell(0, 14, " ".join(letter.code[i:i + 5] for i in range(0, len(letter.code), 5)), align="C")
        return bytes(pdf.output())
    except (OSError, FPDFException, RuntimeError) as error:
        raise PostOfficeError(f"the letter could not be rendered with font {font_path}: {error}") from None


class SandboxPostOffice:
    """Mails nothing: each letter is kept with its PDF and listed on /operator/letters."""

    name = "sandbox"

    def __init__(self, font_path):
        self.font_path = font_path

    def send(self, letter, *, application_id, now):
        pdf = render_pdf(letter, self.font_path)
        reference = "SBX-" + secrets.token_hex(6).upper()
        db.session.add(PostLetter(reference=reference, application_id=application_id, recipient=letter.recipient,
                                  postal_code=letter.postal_code, address=letter.address,
                                  body="\n".join((letter.title, *letter.lines, letter.code)), pdf=pdf,
                                  created_at=now))
        return reference


def backend_from_config(config):
    """Only the sandbox exists: the national post's API is not public; an adapter implements PostOffice."""
    return SandboxPostOffice(config["SEAL_LETTER_FONT"])
