"""Workbooks for the import's tests: written with openpyxl, as a user's would be."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from grants.imports import schema

SANCTIONED_ON = datetime.date(2024, 4, 15)


def xlsx_bytes(sheets: dict, *, header_rows: int = 0) -> bytes:
    """A workbook of ``{title: [row, ...]}``; rows are lists of cell values."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_for(sheet: schema.Sheet, records: list[dict]) -> list[list]:
    """The header row (English) and one row per record, by column name."""
    names = [column.name for column in sheet.columns]
    header = [str(sheet.column(name).header) for name in names]
    return [header] + [[record.get(name) for name in names] for record in records]


def upload(
    records_by_sheet: dict, *, name: str = "portfolio.xlsx"
) -> SimpleUploadedFile:
    """An uploaded workbook of ``{schema sheet: [record dict, ...]}``."""
    sheets = {
        str(sheet.title): rows_for(sheet, records)
        for sheet, records in records_by_sheet.items()
    }
    return SimpleUploadedFile(name, xlsx_bytes(sheets))


def one_project(reference="REE-2425-01", *, released_twice=True, scheme="st-programme"):
    """A small portfolio: one project, its people, budget, money, UC and milestones.

    Sanctioned Rs 30 lakh on 15 Apr 2024 for 24 months; instalment 1 (Rs 20 lakh)
    released on 1 May 2024; the 2024-25 UC accepted on 20 Jun 2025; instalment 2
    (Rs 10 lakh) released on 1 Jul 2025 against it.
    """
    return {
        schema.ORGANISATIONS: [
            {
                "code": "konkan-ust",
                "name": "Konkan University of Science and Technology",
                "kind": "academic institution",
                "state": "Maharashtra",
                "city": "Ratnagiri",
            }
        ],
        schema.PEOPLE: [
            {
                "email": "pi@konkan.example",
                "name": "Dr Asha Rane",
                "organisation": "konkan-ust",
                "role": "principal investigator",
            },
            {
                "email": "fo@konkan.example",
                "name": "Finance Officer, KUST",
                "organisation": "konkan-ust",
                "role": "finance officer",
            },
        ],
        schema.PROJECTS: [
            {
                "reference": reference,
                "title": "Recovery of neodymium from magnet scrap",
                "scheme": scheme,
                "organisation": "konkan-ust",
                "principal_investigator": "pi@konkan.example",
                "stage": "recycling",
                "elements": "Nd, Pr",
                "trl_start": 3,
                "trl_target": 5,
                "trl_now": 4,
                "sanction_order_number": f"MoM/RD/{reference}",
                "sanctioned_on": "15.04.2024",
                "fiscal_year": "2024-25",
                "start_on": "01.05.2024",
                "duration_months": 24,
                "sanctioned_amount": "30 lakh",
                "status": "ongoing",
            }
        ],
        schema.BUDGET_LINES: [
            {
                "project": reference,
                "head": "equipment",
                "project_year": 1,
                "amount": "15,00,000",
            },
            {
                "project": reference,
                "head": "manpower",
                "project_year": 1,
                "amount": 500000,
            },
            {
                "project": reference,
                "head": "manpower",
                "project_year": 2,
                "amount": "Rs. 10,00,000/-",
            },
        ],
        schema.INSTALMENTS: [
            {
                "project": reference,
                "sequence": 1,
                "planned_on": "01.05.2024",
                "amount": "20,00,000",
                "released_on": "01.05.2024",
                "release_order_number": f"RO/{reference}/1",
            },
            {
                "project": reference,
                "sequence": 2,
                "planned_on": "01.07.2025",
                "amount": "10,00,000",
                "released_on": "01.07.2025" if released_twice else None,
                "release_order_number": f"RO/{reference}/2" if released_twice else None,
            },
        ],
        schema.MILESTONES: [
            {
                "project": reference,
                "kind": "utilisation certificate",
                "title": "UC 2024-25",
                "due_on": "30.06.2025",
                "status": "accepted",
            },
            {
                "project": reference,
                "kind": "progress report",
                "title": "Half-yearly report, Oct 2024",
                "due_on": "30.10.2024",
                "status": "accepted",
                "submitted_on": "25.10.2024",
                "decided_on": "10.11.2024",
            },
            {
                "project": reference,
                "kind": "final report",
                "title": "Final report",
                "due_on": "31.07.2026",
                "months_after_end": 3,
                "status": "pending",
            },
        ],
        schema.CERTIFICATES: [
            {
                "project": reference,
                "kind": "annual",
                "period_start": "01.05.2024",
                "period_end": "31.03.2025",
                "opening_balance": 0,
                "interest_earned": 0,
                "interest_remitted": 0,
                "grant_received": "20,00,000",
                "expenditure": "18,00,000",
                "closing_balance": "2,00,000",
                "status": "accepted",
                "submitted_on": "10.06.2025",
                "decided_on": "20.06.2025",
                "milestone": "UC 2024-25",
                "exception_reason": "Signed copy in file MoM/RD/12/2025",
            }
        ],
    }
