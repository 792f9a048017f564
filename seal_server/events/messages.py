"""Message texts: one Jinja template per event kind and language, Persian first with an English part.

`templates/messages/<lang>/<kind>.txt` defines the blocks `subject`, `body` and `sms`.
Emails carry both languages (Persian first) as plain text and as right-to-left HTML;
an SMS is short and in the recipient's language.
"""
from flask import current_app

from ..billing.fees import format_toman
from ..i18n import LANGUAGES, current_language, language


def _step_title(step):
    from ..i18n import gettext
    from ..onboarding.views import STEP_TITLES

    return gettext(STEP_TITLES[step]) if step in STEP_TITLES else step


def _context(event):
    payload = event.payload or {}
    application = None
    if event.subject_type == "application":
        from ..extensions import db
        from ..onboarding.models import Application

        application = db.session.get(Application, event.subject_id)
    return {"event": event, "data": payload, "seal": payload.get("seal") or {}, "application": application,
            "step_title": _step_title,
            "secrets": event.secrets or {}, "base_url": current_app.config["SEAL_BASE_URL"],
            "toman": lambda rials: format_toman(int(rials or 0), current_language())}


def _block(kind, lang, block, context):
    template = current_app.jinja_env.get_template(f"messages/{lang}/{kind}.txt")
    with language(lang):
        text = "".join(template.blocks[block](template.new_context(context)))
    return text.strip()


def parts(event, lang):
    """{"subject", "body", "sms"} of an event in one language."""
    context = _context(event)
    return {block: _block(event.kind, lang, block, context) for block in ("subject", "body", "sms")}


def email(event, lang="fa"):
    """(subject, plain text, html): the recipient's language first, then the other."""
    order = [lang] + [other for other in LANGUAGES if other != lang]
    texts = {code: parts(event, code) for code in order}
    subject = f"{texts[order[0]]['subject']} | {texts[order[1]]['subject']}"
    plain = f"\n\n{'-' * 24}\n\n".join(texts[code]["body"] for code in order)
    plain += f"\n\n{event.uid}"
    with language(lang):
        html = current_app.jinja_env.get_template("messages/email.html").render(texts=texts, order=order, event=event)
    return subject, plain, html


def sms(event, lang="fa"):
    return parts(event, lang)["sms"]
