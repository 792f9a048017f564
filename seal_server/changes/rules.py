"""What each kind of registered change is and how it is verified. Pure: no Flask, no database."""
from ..marks import N_

ADDRESS, LANDLINE, EMAIL, MOBILE = "address", "landline", "email", "mobile"
NAMES, CATEGORY, SALES_METHOD, MICRO, DOMAIN = "names", "category", "sales_method", "micro", "domain"
KINDS = (ADDRESS, LANDLINE, EMAIL, MOBILE, NAMES, CATEGORY, SALES_METHOD, MICRO, DOMAIN)
TITLES = {
    ADDRESS: N_("Postal address"), LANDLINE: N_("Landline"), EMAIL: N_("Email address"),
    MOBILE: N_("Mobile number"), NAMES: N_("Business names"), CATEGORY: N_("Category"),
    SALES_METHOD: N_("Sales method"), MICRO: N_("Leaving micro business status"), DOMAIN: N_("Domain"),
}
# the form fields of each kind (what the owner types; the value stored in the change row)
FIELDS = {
    ADDRESS: ("postal_code", "address", "province", "city"), LANDLINE: ("landline",), EMAIL: ("email",),
    MOBILE: ("mobile",), NAMES: ("name_fa", "name_en"), CATEGORY: ("category",), SALES_METHOD: ("sales_method",),
    MICRO: (), DOMAIN: ("domain",),
}
# how each kind is verified: a code by email, SMS or voice call, a postal letter (paid), a payment, a domain
# proof, or a staff review. Names, category and sales method say what the business is: a person decides.
EMAIL_CODE, SMS_CODE, VOICE_CODE, LETTER, PAYMENT, PROOF, REVIEW = (
    "email_code", "sms_code", "voice_code", "letter", "payment", "proof", "review")
CHECK_OF = {
    ADDRESS: LETTER, LANDLINE: VOICE_CODE, EMAIL: EMAIL_CODE, MOBILE: SMS_CODE, NAMES: REVIEW, CATEGORY: REVIEW,
    SALES_METHOD: REVIEW, MICRO: PAYMENT, DOMAIN: PROOF,
}
REVIEWED = frozenset(kind for kind, check in CHECK_OF.items() if check == REVIEW)
CODE_CHECKS = frozenset((EMAIL_CODE, SMS_CODE, VOICE_CODE, LETTER))
CODE_DIGITS, LETTER_CODE_LENGTH = 6, 10
MAX_CODE_TRIES = 5
MAX_CODES = 3  # codes (or letters) sent for one change; then the owner starts again or asks the authority


def changeable(status):
    """None when a seal in `status` may register changes, else the msgid that says why not."""
    if status == "revoked":
        return N_("This seal has been revoked; its details can no longer be changed.")
    if status == "expired":
        return N_("This seal has expired; renew it before registering changes.")
    return None


def open_key(seal_id, kind):
    return f"{seal_id}:{kind}"


def code_problem(*, expires_at, attempts, now):
    """None when the change's code may still be tried, else the msgid that says why not."""
    if expires_at is None:
        return N_("No code has been sent yet.")
    if now >= expires_at:
        return N_("This code has expired; ask for a new one.")
    if attempts >= MAX_CODE_TRIES:
        return N_("Too many wrong tries; ask for a new code.")
    return None


def unchanged(old, new):
    """True when the asked-for value is what the seal already has (letters' case and spaces aside)."""
    def norm(value):
        return {key: " ".join(str(item or "").split()).casefold() for key, item in value.items()}
    return norm(old) == norm(new)
