"""The owner's "your seal was shown on these sites" and the staff console's list of hosts over the threshold."""
from flask import Blueprint, abort, current_app, render_template

from ..accounts.auth import current_account, login_required
from ..conformity.service import owned_seal
from ..staff.auth import console_blueprint, current_staff, staff_required
from . import rules, service

# private pages, owner's and staff's alike: no-store (console_blueprint)
bp = console_blueprint(Blueprint("copies", __name__))


@bp.get("/panel/seals/<public_id>/copies")
@login_required
def panel(public_id):
    seal = owned_seal(current_account(), public_id)  # only the signed-in owner's own seal; 404 for any other
    if seal is None:
        abort(404)
    return render_template("copies/panel.html", seal=seal, items=service.sightings_of(seal),
                           shown_host=rules.shown_host, threshold=current_app.config["SEAL_COPY_REPORT_THRESHOLD"])


@bp.get("/staff/copies")
@staff_required("seal.view")
def staff_list():
    threshold = current_app.config["SEAL_COPY_REPORT_THRESHOLD"]
    return render_template("copies/staff.html", staff=current_staff(), items=service.over_threshold(threshold),
                           shown_host=rules.shown_host, threshold=threshold)
