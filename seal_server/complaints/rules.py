"""Pure rules for a buyer's complaint form: normalise every field, say what is wrong. No Flask, no database."""
import re
from datetime import timedelta

import jdatetime

from ..iran.digits import to_latin_digits
from ..iran.identifiers import IdentifierError, clean_mobile, digits_only
from ..marks import N_

# Amounts are typed in toman and stored in rials. Beyond this no single online payment is plausible.
MAX_AMOUNT_TOMAN = 10_000_000_000
RIALS_PER_TOMAN = 10
OLDEST_DAYS = 365  # a transaction older than a year is for the courts, not this form
MIN_DESCRIPTION, MAX_DESCRIPTION = 20, 2000
PAYMENT_REF = re.compile(r"[0-9]{6,20}")
CARD_LAST4 = re.compile(r"[0-9]{4}")
TRACKING_CODE = re.compile(r"[A-Z2-9]{10}")
PAYMENT_REF_MESSAGE = N_("The payment tracking or reference number has 6 to 20 digits.")
FIELDS = ("paid_on", "amount", "payment_ref", "card_last4", "order_number", "description", "mobile")


def parse_paid_on(text, today):
    """The Gregorian date of a payment typed as a Jalali 'YYYY/MM/DD' (any digits)."""
    parts = re.split(r"[/\-.\s]+", to_latin_digits(text or "").strip())
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(N_("Enter the payment date as year/month/day in the Jalali calendar, such as 1405/08/20."))
    year, month, day = (int(part) for part in parts)
    try:
        paid_on = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise ValueError(N_("This date does not exist in the Jalali calendar.")) from None
    if paid_on > today:
        raise ValueError(N_("The payment date cannot be in the future."))
    if paid_on < today - timedelta(days=OLDEST_DAYS):
        raise ValueError(N_("Complaints are taken for payments of the last twelve months."))
    return paid_on


def parse_amount(text):
    """Rials from an amount in toman (separators and any digits accepted)."""
    if str(text or "").strip().startswith(("-", "\u2212")):
        raise ValueError(N_("The amount must be more than zero."))
    raw = digits_only(text).replace(",", "").replace("٬", "").replace("،", "")
    if not raw:
        raise ValueError(N_("Enter the amount you paid, in toman."))
    if not raw.isascii() or not raw.isdigit():
        raise ValueError(N_("Write the amount in digits, in toman."))
    toman = int(raw)
    if toman <= 0:
        raise ValueError(N_("The amount must be more than zero."))
    if toman > MAX_AMOUNT_TOMAN:
        raise ValueError(N_("This amount is beyond any online payment; check the digits."))
    return toman * RIALS_PER_TOMAN


def clean_filing(form, today):
    """(values, errors) for a filing form; errors map a field to (msgid, variables)."""
    values, errors = {}, {}
    for field in FIELDS:
        values[field] = " ".join(str(form.get(field) or "").split()) if field != "description" \
            else str(form.get(field) or "").strip()
    try:
        values["paid_on"] = parse_paid_on(values["paid_on"], today)
    except ValueError as error:
        errors["paid_on"] = (str(error), {})
    try:
        values["amount"] = parse_amount(values["amount"])
    except ValueError as error:
        errors["amount"] = (str(error), {})
    ref = digits_only(values["payment_ref"])
    if not PAYMENT_REF.fullmatch(ref):
        errors["payment_ref"] = (PAYMENT_REF_MESSAGE, {})
    values["payment_ref"] = ref
    card = digits_only(values["card_last4"])
    if not CARD_LAST4.fullmatch(card):
        errors["card_last4"] = (N_("Enter the last four digits of the card you paid with."), {})
    values["card_last4"] = card
    if len(values["order_number"]) > 60:
        errors["order_number"] = (N_("The order number is at most %(count)s characters."), {"count": 60})
    values["order_number"] = values["order_number"] or None
    if not MIN_DESCRIPTION <= len(values["description"]) <= MAX_DESCRIPTION:
        errors["description"] = (N_("Describe the problem in %(low)s to %(high)s characters."),
                                 {"low": MIN_DESCRIPTION, "high": MAX_DESCRIPTION})
    try:
        values["mobile"] = clean_mobile(values["mobile"])
    except IdentifierError as error:
        errors["mobile"] = (str(error), {})
    return values, errors


def clean_tracking_code(text):
    """The tracking code as printed (upper case, no spaces), or None when it cannot be one."""
    code = re.sub(r"\s+", "", str(text or "")).upper()
    return code if TRACKING_CODE.fullmatch(code) else None


# --- online arbitration -----------------------------------------------------------------------------
# The seed: the buyer first pays an arbitration fee, "generally 2 to 20 % of the transaction's amount".
# The bands are this project's: like tax brackets, each band's rate applies to the part of the amount
# inside it, so the fee grows smoothly with the amount (no cliff at a band's edge) and its overall rate
# always lies between the lowest and the highest band's rate, which the seed bounds to 2 and 20 %.
FEE_RATE_LOW, FEE_RATE_HIGH = 200, 2000  # basis points (hundredths of a percent): the seed's 2 and 20 %
DEFAULT_FEE_BANDS = "1000000:20,10000000:10,100000000:5,*:2"  # toman up to which a rate applies : percent


def parse_fee_bands(text):
    """((upper bound in rials or None for the rest, basis points), ...) from "toman:percent,...,*:percent".

    ValueError says what is wrong (in English: it is an operator's setting)."""
    bands, previous = [], 0
    parts = [part.strip() for part in str(text or "").split(",") if part.strip()]
    if not parts:
        raise ValueError("give at least one band, such as *:5")
    for index, part in enumerate(parts):
        upto, colon, rate = part.partition(":")
        if not colon:
            raise ValueError(f"{part!r} is not toman:percent")
        last = index == len(parts) - 1
        if upto.strip() == "*":
            if not last:
                raise ValueError("only the last band may be * (everything above)")
            bound = None
        else:
            if not upto.strip().isdigit() or int(upto) <= previous:
                raise ValueError(f"band bounds must be whole toman, each above the one before; got {upto!r}")
            if last:
                raise ValueError("the last band must be * (everything above the bands before)")
            previous = int(upto)
            bound = previous * RIALS_PER_TOMAN
        try:
            points = round(float(rate) * 100)
        except ValueError:
            raise ValueError(f"{rate!r} is not a percentage") from None
        if not FEE_RATE_LOW <= points <= FEE_RATE_HIGH:
            raise ValueError(f"each rate must be from 2 to 20 percent (the seed's range); got {rate!r}")
        bands.append((bound, points))
    return tuple(bands)


def arbitration_fee(amount, bands):
    """The fee in rials, rounded to whole toman, for a transaction of `amount` rials."""
    total, lower = 0, 0
    for upper, points in bands:
        top = amount if upper is None else min(amount, upper)
        if top > lower:
            total += (top - lower) * points
        if upper is None or amount <= upper:
            break
        lower = upper
    unit = 10_000 * RIALS_PER_TOMAN  # basis points times rials per toman
    return (total + unit // 2) // unit * RIALS_PER_TOMAN


def fee_rate_text(bands):
    """'2 to 20' style range of the configured rates, for the buyer's page."""
    rates = sorted(points for _, points in bands)
    return f"{rates[0] / 100:g}", f"{rates[-1] / 100:g}"


OUTCOMES = ("buyer", "shop", "partial")
MIN_REASONS, MAX_REASONS = 20, 4000
MIN_EVIDENCE, MAX_EVIDENCE = 10, 4000
# pieces of evidence one side may add to one arbitration (each with up to files.AT_MOST files): the rate limit
# is per address, this bounds what one case can put in the upload storage
MAX_EVIDENCE_PIECES = 10


def parse_award(text, amount):
    """Rials of a partial award typed in toman (any digits); more than zero and at most `amount`."""
    raw = str(text or "").strip()
    if raw.startswith(("-", "\u2212")):
        raise ValueError(N_("The amount awarded must be more than zero."))
    raw = digits_only(raw).replace(",", "").replace("٬", "").replace("،", "")
    if not raw:
        raise ValueError(N_("Enter the amount awarded to the buyer, in toman."))
    if not raw.isascii() or not raw.isdigit():
        raise ValueError(N_("Write the amount awarded in digits, in toman."))
    award = int(raw) * RIALS_PER_TOMAN
    if award <= 0:
        raise ValueError(N_("The amount awarded must be more than zero."))
    if award > amount:
        raise ValueError(N_("The amount awarded cannot be more than the transaction's amount."))
    return award


def clean_ruling(outcome, award_text, reasons, amount):
    """(outcome, award in rials, reasons) or (None, None, errors): the buyer's side gets the whole amount."""
    errors = {}
    reasons = str(reasons or "").strip()
    award = None
    if outcome not in OUTCOMES:
        errors["outcome"] = (N_("Choose the ruling: for the buyer, for the shop, or partial."), {})
    elif outcome == "partial":
        try:
            award = parse_award(award_text, amount)
        except ValueError as error:
            errors["award"] = (str(error), {})
    else:
        award = amount if outcome == "buyer" else 0
    if not MIN_REASONS <= len(reasons) <= MAX_REASONS:
        errors["reasons"] = (N_("Write the reasons in %(low)s to %(high)s characters."),
                             {"low": MIN_REASONS, "high": MAX_REASONS})
    return (outcome, award, reasons) if not errors else (None, None, errors)
