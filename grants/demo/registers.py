"""The demo's registers: assets bought from its grants, a disposal waiting for the
ministry, and re-appropriations waiting for a decision.

Written as rows, like the rest of the demo's history, with the dates moved like
every other date; the services are not asked, since they date what they write today.
"""

import datetime

from django.core.files.base import ContentFile

from grants.demo.data import ASSETS, DISPOSALS, REAPPROPRIATIONS
from grants.demo.paper import one_page_pdf
from grants.formatting import INDIA, format_inr
from grants.models import Asset, AssetDisposal, BudgetLine, Document, Reappropriation
from grants.services.reappropriations import is_above_threshold


def create_assets(project, *, shift, recorded_by):
    """The project's assets, each with its invoice, recorded a week after the bill."""
    equipment = BudgetLine.objects.filter(
        project=project, head=BudgetLine.Head.EQUIPMENT, project_year=1
    ).first()
    for entry in ASSETS.get(project.reference, []):
        bill_number, bill_date = entry["bill"]
        bill_date = shift(bill_date)
        recorded_on = bill_date + datetime.timedelta(days=7)
        invoice = _invoice(project, entry, bill_number, bill_date, recorded_by)
        asset = Asset(
            project=project,
            acquired_on=bill_date,
            particulars=entry["particulars"],
            supplier=entry["supplier"],
            bill_number=bill_number,
            bill_date=bill_date,
            cost=entry["cost"],
            location=entry["location"],
            budget_line=equipment,
            invoice=invoice,
            recorded_on=recorded_on,
            recorded_by=recorded_by,
        )
        asset.full_clean()
        asset.save()
        uploaded_at = datetime.datetime.combine(
            recorded_on, datetime.time(11), tzinfo=INDIA
        )
        Document.objects.filter(pk=invoice.pk).update(uploaded_at=uploaded_at)
        request = DISPOSALS.get((project.reference, entry["particulars"]))
        if request is not None:
            disposal = AssetDisposal(
                asset=asset,
                kind=request["kind"],
                reason=request["reason"],
                requested_on=shift(request["requested_on"]),
                requested_by=recorded_by,
            )
            disposal.full_clean()
            disposal.save()


def _invoice(project, entry, bill_number, bill_date, uploaded_by) -> Document:
    content = one_page_pdf(
        [
            "Illustrative demo data - not Ministry of Mines records.",
            "",
            f"Tax invoice {bill_number} of {bill_date:%d %b %Y}",
            entry["supplier"],
            f"To: {project.organisation.name}",
            f"{entry['particulars']}: Rs {format_inr(entry['cost'])}",
            f"Project {project.reference}",
        ]
    )
    name = f"invoice-{bill_number}.pdf".replace("/", "-").lower()
    document = Document(
        project=project,
        kind=Document.Kind.ASSET_INVOICE,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        description=f"Invoice: {entry['particulars']} (illustrative)",
        uploaded_by=uploaded_by,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def create_reappropriation(project, *, shift, requested_by):
    """The re-appropriation the project's grantee has asked for, if any."""
    entry = REAPPROPRIATIONS.get(project.reference)
    if entry is None:
        return
    (from_head, from_year), (to_head, to_year) = entry["from"], entry["to"]
    source = BudgetLine.objects.get(
        project=project, head=from_head, project_year=from_year
    )
    request = Reappropriation(
        project=project,
        from_head=from_head,
        from_year=from_year,
        to_head=to_head,
        to_year=to_year,
        amount=entry["amount"],
        reason=entry["reason"],
        needs_finance=is_above_threshold(
            entry["amount"],
            line_amount=source.amount,
            percent=project.scheme.reappropriation_threshold_percent,
        ),
        requested_on=shift(entry["requested_on"]),
        requested_by=requested_by,
    )
    request.full_clean()
    request.save()
