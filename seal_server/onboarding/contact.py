"""The contact step: how buyers reach the business, where it is, and proof that the email reaches the owner."""
import re
from datetime import timedelta

from flask import current_app

from ..extensions import db
from ..iran import places
from ..iran.digits import to_latin_digits
from ..iran.identifiers import IdentifierError, clean_landline, clean_postal_code
from ..marks import N_
from ..events import Actor, emit
from ..integrations import voice
from . import codes
from .service import CONTACT_FIELDS as FIELDS
from .service import _clean_text, changed, editable, email_verified, landline_verified

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+$")
# Iran's mainland and islands, with a margin: a point outside is a typo or a slip of the map
IRAN_BOUNDS = {"latitude": (24.0, 40.5), "longitude": (43.5, 63.5)}
WORLD_BOUNDS = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


def contact_form(application):
    """The saved contact details, else what the identity step already holds."""
    owner = application.owner
    values = {name: getattr(application, name) for name in FIELDS}
    if owner is not None:
        for name in ("landline", "postal_code", "address"):
            values[name] = values[name] or getattr(owner, name)
    return {name: "" if value is None else str(value) for name, value in values.items()}


def clean_email(text):
    email = (text or "").strip()
    if not email:
        raise ValueError(N_("Enter the email address buyers can write to."))
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValueError(N_("This is not an email address, such as info@shop.ir."))
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_coordinate(text, name):
    """A float in range from any digits ('۳۵٫۶۹۹'); ValueError with a msgid."""
    raw = to_latin_digits(str(text or "")).strip().replace("٫", ".").replace("/", ".")
    if not raw:
        raise ValueError(N_("Pick the location on the map, or type its latitude and longitude."))
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(N_("Write a decimal number, such as 35.6997.")) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(N_("Write a decimal number, such as 35.6997."))
    low, high = WORLD_BOUNDS[name]
    if not low <= value <= high:
        raise ValueError(N_("A latitude is between -90 and 90.") if name == "latitude"
                         else N_("A longitude is between -180 and 180."))
    low, high = IRAN_BOUNDS[name]
    if not low <= value <= high:
        raise ValueError(N_("This point is outside Iran; check the latitude and longitude."))
    return round(value, 6)


def save_contact(application, form, now):
    """Validate and save the contact details; returns {field: (msgid, vars)} errors (empty when saved)."""
    editable(application, ("contact",))
    errors, values = {}, {}
    for name, clean in (("landline", clean_landline), ("postal_code", clean_postal_code)):
        try:
            values[name] = clean(form.get(name))
        except IdentifierError as error:
            errors[name] = (str(error), {})
    try:
        values["email"] = clean_email(form.get("email"))
    except ValueError as error:
        errors["email"] = (str(error), {})
    values["address"] = _clean_text(form.get("address"), 500)
    if len(values["address"]) < 10:
        errors["address"] = (N_("Enter the full postal address: province, city, street and number."), {})
    province = places.province_by_code(form.get("province") or "")
    city = _clean_text(form.get("city"), 60)
    if province is None:
        errors["province"] = (N_("Choose the province."), {})
    elif not city:
        errors["city"] = (N_("Choose the city."), {})
    elif not places.city_in_province(province[0], city):
        errors["city"] = (N_("%(city)s is not a city of %(province)s; choose a city of that province."),
                          {"city": city, "province": province[1]})
    values["province"], values["city"] = (province[0] if province else None), city
    values["response_hours"] = _clean_text(form.get("response_hours"), 120)
    if len(values["response_hours"]) < 3:
        errors["response_hours"] = (N_("Say when buyers get an answer, such as Saturday to Wednesday, 9 to 17."),
                                    {})
    for name in ("latitude", "longitude"):
        try:
            values[name] = clean_coordinate(form.get(name), name)
        except ValueError as error:
            errors[name] = (str(error), {})
    if errors:
        return errors
    for name, value in values.items():
        setattr(application, name, value)
    changed(application, ("contact",), now)
    return {}


def send_email_code(application, now):
    """Email a 6-digit code to the saved address; raises codes.CodeError when that cannot be done."""
    editable(application, ("contact",))
    if not application.email:
        raise codes.CodeError(N_("Save the contact details with an email address first."))
    if email_verified(application):
        raise codes.CodeError(N_("This email address is already verified."))
    code, _ = codes.issue(application, "email", application.email, now,
                          ttl=timedelta(seconds=current_app.config["SEAL_CONTACT_CODE_SECONDS"]))
    emit("contact.email_code", application, {"domain": application.domain or ""},
         Actor.owner(application.account_id), now=now, to={"email": application.email}, secrets={"code": code},
         audit=False)
    db.session.commit()


def check_email_code(application, typed, now):
    """Mark the email verified when `typed` is the code sent to it; raises codes.CodeError otherwise."""
    editable(application, ("contact",))
    if email_verified(application):
        return
    codes.use(application, "email", typed, now, target=application.email or "")
    application.email_verified = application.email
    changed(application, ("contact",), now)


def call_landline(application, now):
    """Read a 6-digit code to the saved landline by a voice call; raises codes.CodeError when it cannot."""
    editable(application, ("contact",))
    if not application.landline:
        raise codes.CodeError(N_("Save the contact details with a landline number first."))
    if landline_verified(application):
        raise codes.CodeError(N_("This landline number is already verified."))
    code, _ = codes.issue(application, "landline", application.landline, now,
                          ttl=timedelta(seconds=current_app.config["SEAL_CONTACT_CODE_SECONDS"]))
    # the worker places the call (and retries it); the script reads the digits one by one
    emit("contact.landline_code", application, {"authority": current_app.config["SEAL_AUTHORITY_NAME_FA"]},
         Actor.owner(application.account_id), now=now, to={"voice": application.landline},
         secrets={"code": code, "spoken": voice.spoken_code(code)}, audit=False)
    db.session.commit()


def check_landline_code(application, typed, now):
    """Mark the landline verified when `typed` is the code read to it; raises codes.CodeError otherwise."""
    editable(application, ("contact",))
    if landline_verified(application):
        return
    codes.use(application, "landline", typed, now, target=application.landline or "")
    application.landline_verified = application.landline
    changed(application, ("contact",), now)
