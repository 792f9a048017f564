"""Files about a complaint: the buyer's attachments at filing and arbitration evidence.

Checked by their content with the onboarding documents' checks, stored like cancellation documents
(random keys in the upload storage, outside the web root), and served only to the two sides and staff.
"""
from flask import current_app, make_response

from ..marks import N_
from ..onboarding.documents import UploadError, check_upload, safe_display_name
from ..onboarding.storage import storage_from_config
from .models import ComplaintFile

AT_MOST = 3  # files at filing, and with one piece of evidence


def checked(uploads, field, at_most=AT_MOST):
    """[(data, content type, extension, sha256, name)] of (data, filename) pairs, empty ones skipped;
    errors {field: (msgid, variables)} when one is refused (nothing is stored then)."""
    uploads = [(data, name) for data, name in uploads if data or name]
    if len(uploads) > at_most:
        return [], {field: (N_("Attach at most %(count)s files."), {"count": at_most})}
    good = []
    for data, name in uploads:
        try:
            content_type, extension, digest = check_upload(data, current_app.config["SEAL_UPLOAD_MAX_BYTES"])
        except UploadError as error:
            return [], {field: (error.message, error.variables)}
        good.append((data, content_type, extension, digest, safe_display_name(name)))
    return good, {}


def store(complaint, side, good, *, now, evidence=None):
    """Save checked files and add their rows to the session (the caller commits)."""
    from ..extensions import db

    storage = storage_from_config(current_app.config)
    rows = []
    for data, content_type, extension, digest, name in good:
        rows.append(ComplaintFile(complaint_id=complaint.id, evidence_id=evidence.id if evidence else None,
                                  side=side, key=storage.save(data, extension), content_type=content_type,
                                  name=name, sha256=digest, size=len(data), created_at=now))
    db.session.add_all(rows)
    return rows


def uploads_from(request, field):
    """(data, filename) pairs of a multipart field."""
    return [(upload.read(), upload.filename or "") for upload in request.files.getlist(field)]


def download(row):
    """A stored file, inert: downloaded, sandboxed, never rendered in our origin."""
    return inert(storage_from_config(current_app.config).read(row.key), row.content_type,
                 f"complaint-file-{row.id}.{row.key[-3:]}")


def inert(data, content_type, filename):
    """`data` as a download that is never rendered in our origin (a file holding what a buyer typed too)."""
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
