"""The organizer checks the qualification documents of the region's professionals (same blueprint).

A queue of what waits for a check, oldest first; a page per professional with each document, to approve with
the dates read from it or to reject with a reason the professional reads.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.documents import RECENT_DAYS
from swarm.domain.errors import ValidationError
from swarm.services.people import qualifications
from swarm.webapp.clock import clock, today
from swarm.webapp.db import db
from swarm.webapp.forms.errors import attach_error, has_errors
from swarm.webapp.forms.organizer import ApproveForm, RejectForm
from swarm.webapp.forms.professional import DOCUMENT_LABELS
from swarm.webapp.uploads import document_store
from swarm.webapp.views.organizer import bp


@bp.get("/documents")
def documents_to_check():
    return render_template(
        "organizer/documents.html",
        queue=qualifications.documents_to_check(db(), current_user.region_id, actor=current_user.actor),
        document_labels=DOCUMENT_LABELS,
    )


def _check_page(professional_id: int, forms: dict | None = None):
    professional, documents = qualifications.documents_for_check(
        db(), professional_id, actor=current_user.actor
    )
    forms = forms or {}
    approve_forms = {
        d.id: forms.get(("approve", d.id)) or ApproveForm(formdata=None, prefix=f"approve{d.id}")
        for d in documents
    }
    reject_forms = {
        d.id: forms.get(("reject", d.id)) or RejectForm(formdata=None, prefix=f"reject{d.id}")
        for d in documents
    }
    refused = any(has_errors(form) for form in forms.values())
    return render_template(
        "organizer/check.html",
        professional=professional,
        documents=documents,
        approve_forms=approve_forms,
        reject_forms=reject_forms,
        checkers=qualifications.checker_names(db(), documents),
        qualification=qualifications.qualification_of(db(), professional.id, today()),
        document_labels=DOCUMENT_LABELS,
        recent_months=RECENT_DAYS // 30,
        system_reasons=qualifications.SYSTEM_REASONS,
    ), (400 if refused else 200)


@bp.get("/professionals/<id:professional_id>/documents")
def check_documents(professional_id: int):
    return _check_page(professional_id)


@bp.post("/documents/<id:document_id>/approve")
def approve_document(document_id: int):
    professional_id = qualifications.professional_of_document(db(), document_id, actor=current_user.actor)
    form = ApproveForm(prefix=f"approve{document_id}")
    if form.validate_on_submit():
        approval = qualifications.Approval(
            expires_on=form.expires_on.data,
            issued_on=form.issued_on.data,
            reference=form.reference.data or "",
        )
        try:
            qualifications.approve_document(
                db(), document_id, approval, store=document_store(), actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            attach_error(form, error, {"document": ""})
        else:
            flash(_("The document is approved."), "success")
            return redirect(url_for("organizer.check_documents", professional_id=professional_id))
    return _check_page(professional_id, {("approve", document_id): form})


@bp.post("/documents/<id:document_id>/reject")
def reject_document(document_id: int):
    professional_id = qualifications.professional_of_document(db(), document_id, actor=current_user.actor)
    form = RejectForm(prefix=f"reject{document_id}")
    if form.validate_on_submit():
        try:
            qualifications.reject_document(
                db(), document_id, form.reason.data, actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            attach_error(form, error, {"document": ""})
        else:
            flash(_("The document is rejected; the professional sees your reason."), "success")
            return redirect(url_for("organizer.check_documents", professional_id=professional_id))
    return _check_page(professional_id, {("reject", document_id): form})
