"""Which documents an applicant uploads, and how an upload is checked: by its content, not its name."""
import hashlib
import re

from ..marks import N_

COURT_RULING = "court_ruling"
# what a legal person uploads, as the authority asks for it; "if any" ones are optional
LEGAL_DOCUMENTS = (
    ("gazette", N_("Official gazette notice of establishment"), True),
    ("articles", N_("Articles of association"), True),
    ("changes", N_("Latest changes of address, board or activity (if any)"), False),
    ("commitment", N_("Legal-entity commitment letter"), True),
    ("licence", N_("Business licence"), True),
)
KIND_LABELS = dict((kind, label) for kind, label, _ in LEGAL_DOCUMENTS)
KIND_LABELS[COURT_RULING] = N_("Court ruling of maturity (applicants under 18)")

# magic bytes -> (content type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class UploadError(ValueError):
    """The upload is refused; the message is a msgid, `variables` fill it."""

    def __init__(self, message, **variables):
        super().__init__(message)
        self.message, self.variables = message, variables


def sniff(data):
    """(content type, extension) from the first bytes, or None when not an allowed kind."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def check_upload(data, max_bytes):
    """(content type, extension, sha256) of an acceptable upload, or UploadError."""
    if not data:
        raise UploadError(N_("Choose a file to upload."))
    if len(data) > max_bytes:
        raise UploadError(N_("The file is too large: at most %(mb)s MB."), mb=max_bytes // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise UploadError(N_("Only PDF, JPEG and PNG files are accepted; this file is none of them, whatever its name."))
    return kind[0], kind[1], hashlib.sha256(data).hexdigest()


def safe_display_name(name):
    """The uploaded file's name, for showing only: no path, no control characters, at most 120 characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:120] or "document"


def required_kinds(owner, *, is_minor):
    """The document kinds this applicant must upload (optional ones are not listed)."""
    kinds = []
    if owner is not None and owner.kind == "legal":
        kinds += [kind for kind, _, required in LEGAL_DOCUMENTS if required]
    if is_minor:
        kinds.append(COURT_RULING)
    return kinds


def allowed_kinds(owner, *, is_minor):
    kinds = []
    if owner is not None and owner.kind == "legal":
        kinds += [kind for kind, _, _ in LEGAL_DOCUMENTS]
    if is_minor:
        kinds.append(COURT_RULING)
    return kinds
