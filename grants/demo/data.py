"""The demo portfolio's data: the YAML data set and the events it states in words.

``grants/data/demo_portfolio.yaml`` holds the figures; what the data set says in
words (extensions, return reasons, notes, milestones whose state differs from
"accepted if past") is written here, keyed by project reference.
"""

import datetime
from pathlib import Path

import yaml

from grants.models import Organisation

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_portfolio.yaml"
DEMO_DATE = datetime.date(2026, 11, 22)
REFERENCE_PREFIX = "DEMO-"
STAFF_GROUPS = {
    "officer": "Programme officer",
    "finance": "Finance officer",
    "admin": "Ministry admin",
    # The division head reads the portfolio as an officer does, and receives the
    # 90-day escalations.
    "divhead": "Programme officer",
}
STAFF_PASSWORDS = {
    "officer": "demo-officer-pass",
    "finance": "demo-finance-pass",
    "admin": "demo-admin-pass",
    "divhead": "demo-divhead-pass",
}
GRANTEE_PASSWORD = "demo-grantee-pass"
EMAIL_DOMAIN = "demo.example"

SCHEME_CODES = {"S&T Programme": "st-programme", "S&T-PRISM": "st-prism"}
ORGANISATION_KINDS = {
    "academic institution": Organisation.Kind.ACADEMIC,
    "government R&D laboratory": Organisation.Kind.GOVERNMENT_LAB,
    "start-up": Organisation.Kind.STARTUP,
    "MSME": Organisation.Kind.MSME,
}
STATES = {label: code for code, label in Organisation.State.choices}

PRISM_CONDITIONS = [
    "On signing of the grant agreement (milestone 0).",
    "On acceptance of the milestone-1 report and a UC for tranche 1.",
    "On technical completion, with the final report and an audited SoE.",
]
# The same conditions as rows, per instalment: (kind, the milestone's title or,
# for a free-text condition, its words).
PRISM_RELEASE_CONDITIONS = [
    [("other", "Grant agreement signed (milestone 0)")],
    [("milestone", "Milestone-1 report (month 9)")],
    [
        ("milestone", "Technical completion"),
        ("milestone", "Final technical report"),
        ("audited_soe", ""),
    ],
]
# Why finance released an instalment whose condition did not yet hold.
OVERRIDES = {
    "DEMO-REE-2324-04": "Final tranche released against the accepted provisional UC "
    "to pay for the field trials; the audited statement follows with the final UC "
    "(Secretary's approval on file).",
}
PROGRAMME_CONDITION = "Project year {year} budget (year 1 includes all equipment)."

# Events of the demo that the data set states in words rather than figures.
EXTENSIONS = {
    "DEMO-REE-2324-01": {
        "months": 9,
        "reason": "Commissioning of the pilot reduction furnace slipped by two "
        "quarters after the vendor's delivery was delayed; no additional funds "
        "sought.",
        "requested_on": datetime.date(2026, 1, 28),
        "decided_on": datetime.date(2026, 2, 20),
        "approved": True,
    },
    "DEMO-REE-2425-03": {
        "months": 6,
        "reason": "Hydrogen-decrepitation furnace certification took longer than "
        "planned; six more months are needed for the end-of-life magnet trials.",
        "requested_on": datetime.date(2026, 10, 5),
        "approved": False,
    },
}
RETURN_REASONS = {
    ("DEMO-REE-2324-03", "2025-26"): (
        "(a) Equipment expenditure does not reconcile with the fixed-asset register "
        "(Form GFR-22); please attach the register and reconcile. (b) Interest earned "
        "(Rs 61,200) is shown as available instead of remitted to the Consolidated "
        "Fund of India (GFR 230(8)); remit it and resubmit."
    ),
}
LOW_UTILISATION_NOTES = {
    "DEMO-REE-2425-01": "Equipment delivered Jan 2026; payment made; year-2 salaries "
    "due.",
}
# Where each demo organisation is, for its address fields (all fictional).
CITIES = {
    "calcinova-metals": "Vadodara",
    "vindhyachal-it": "Jabalpur",
    "eastern-mprc": "Bhubaneswar",
    "lanthanide-lens": "Bengaluru",
    "konkan-ust": "Ratnagiri",
    "iast": "Hyderabad",
    "magnova-sinter": "Hosur",
    "swarfloop": "Gurugram",
    "chotanagpur-ie": "Ranchi",
    "phosphoreclaim": "Bharuch",
    "sirmr": "Thiruvananthapuram",
}
# Hindi titles, as a bilingual sanction order carries them. Most demo projects have
# one; two are left without, as real ones often are, so pages show both cases.
TITLES_HI = {
    "DEMO-REE-2324-01": "एनडीएफ़ईबी फ़ीडस्टॉक हेतु एनडी-पीआर ऑक्साइड का एनडी-पीआर (डिडिमियम) "
    "धातु में पायलट-स्तरीय धातु-ऊष्मीय अपचयन",
    "DEMO-REE-2324-02": "हाइपरस्पेक्ट्रल, भू-रासायनिक और मशीन-लर्निंग आँकड़ों से "
    "कार्बोनेटाइट-क्षारीय संकुलों का आरईई संभावना मानचित्रण",
    "DEMO-REE-2324-03": "गुरुत्व, चुंबकीय और स्थिरवैद्युत पृथक्करण द्वारा निम्न-श्रेणी के "
    "मोनाज़ाइट-युक्त प्लेसर अवशेषों का उन्नयन",
    "DEMO-REE-2324-04": "आरईई श्रेणी के क्षेत्रीय आकलन हेतु मशीन-लर्निंग अंशांकन सहित "
    "हस्तचालित एक्सआरएफ़ विश्लेषक",
    "DEMO-REE-2324-05": "चयनात्मक निक्षालन और विलायक निष्कर्षण द्वारा बॉक्साइट अवशेष "
    "(लाल कीचड़) से स्कैंडियम, इट्रियम और हल्के आरईई की पुनर्प्राप्ति",
    "DEMO-REE-2425-01": "स्वदेशी निष्कर्षक से एनडी/पीआर पृथक्करण हेतु सतत मिक्सर-सेटलर "
    "विलायक-निष्कर्षण सोपान",
    "DEMO-REE-2425-02": "डीवाई/टीबी के ग्रेन-बाउंड्री विसरण सहित सिंटर्ड एनडीएफ़ईबी चुंबकों "
    "की पायलट लाइन",
    "DEMO-REE-2425-03": "एनडीएफ़ईबी स्वार्फ़ और अनुपयोगी हार्ड-डिस्क चुंबकों का "
    "हाइड्रोजन-विखंडन द्वारा पुनः सिंटर योग्य चूर्ण में पुनर्चक्रण",
    "DEMO-REE-2425-05": "प्रयुक्त फ़्लोरोसेंट-लैंप फ़ॉस्फ़र चूर्ण से इट्रियम, यूरोपियम और "
    "टर्बियम ऑक्साइड की पुनर्प्राप्ति",
}

ABSTRACTS = {
    "DEMO-REE-2324-03": "Monazite is a prescribed substance under the Atomic Energy "
    "Act: the laboratory holds the atomic-energy permissions for handling "
    "monazite-bearing tailings, and the work stays at laboratory and bench scale.",
}
# Milestones whose state on the demo date differs from "accepted if past".
MILESTONE_STATES = {
    ("DEMO-REE-2324-05", "Half-yearly progress report, Apr–Sep 2026"): "pending",
    ("DEMO-REE-2425-04", "Half-yearly progress report, Apr–Sep 2026"): "submitted",
}
SUBMITTED_ON = {
    ("DEMO-REE-2425-04", "Half-yearly progress report, Apr–Sep 2026"): datetime.date(
        2026, 10, 28
    ),
}
DECIDED_ON = {
    ("DEMO-REE-2324-04", "Final technical report"): datetime.date(2026, 6, 30),
}
# P08's milestone-1 report was returned, then accepted on resubmission.
RESUBMISSIONS = {
    ("DEMO-REE-2425-03", "Milestone-1 report (month 9)"): {
        "returned_on": datetime.date(2025, 10, 20),
        "reason": "The report gives no recovery yield for the decrepitated powder "
        "and no oxygen-content analysis; add both with the test certificates.",
        "resubmitted_on": datetime.date(2025, 12, 22),
        "accepted_on": datetime.date(2026, 1, 15),
    },
}

# The demo's reminder history is what the daily sweep would have sent before the
# demo date (docs/reminders.md, "The demo"), with one exception: P05 is the demo's
# reminder-and-escalation example, so for its milestones still open on the demo
# date the history stops at the notices before and on the due date, and the demo
# date's sweep catches up the overdue notice and the escalation, once.
LADDER_LEFT_FOR_THE_SWEEP = {"DEMO-REE-2324-05"}
# The sweep runs at 09:00: the history says so.
SWEEP_TIME = datetime.time(9, 0)


def load_data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as data:
        return yaml.safe_load(data)


# The registers the data set leaves out: assets bought from the grants (Form GFR-22),
# a disposal waiting for the ministry, and two re-appropriations waiting for a
# decision (one within the officer's 10%, one above it, for finance).
ASSETS = {
    "DEMO-REE-2324-01": [
        {
            "particulars": "Vacuum induction reduction furnace, 25 kg a batch",
            "supplier": "Thermal Process Systems (demo), GIDC Makarpura, Vadodara",
            "bill": ("TPS/2024-25/118", datetime.date(2024, 6, 20)),
            "cost": 5840000,
            "location": "Pilot bay 2, Calcinova plant, Vadodara",
        },
        {
            "particulars": "Glove box with argon purifier, two ports",
            "supplier": "Inert Atmospheres India (demo), Peenya, Bengaluru",
            "bill": ("IAI/0712/24", datetime.date(2024, 7, 12)),
            "cost": 1260000,
            "location": "Pilot bay 2, Calcinova plant, Vadodara",
        },
    ],
    "DEMO-REE-2324-02": [
        {
            "particulars": "Portable XRF analyser with REE calibration",
            "supplier": "Geo Instruments (demo), Andheri East, Mumbai",
            "bill": ("GI/24/0561", datetime.date(2024, 7, 30)),
            "cost": 1480000,
            "location": "Remote sensing laboratory, Dept of Geology",
        },
        {
            "particulars": "Field spectroradiometer, 350-2500 nm",
            "supplier": "Spectra Field Systems (demo), Hauz Khas, New Delhi",
            "bill": ("SFS-2024-233", datetime.date(2024, 8, 22)),
            "cost": 560000,
            "location": "Remote sensing laboratory, Dept of Geology",
        },
    ],
    "DEMO-REE-2324-04": [
        {
            "particulars": "Precision lens grinding and polishing station",
            "supplier": "Optomech Tools (demo), Electronic City, Bengaluru",
            "bill": ("OT/INV/2024/0419", datetime.date(2024, 5, 9)),
            "cost": 1720000,
            "location": "Optics shop, Lanthanide Lens, Bengaluru",
        },
    ],
    "DEMO-REE-2425-02": [
        {
            "particulars": "Uniaxial magnetic-field press for NdFeB powder",
            "supplier": "Magpress Engineering (demo), Ambattur, Chennai",
            "bill": ("MPE/25/0087", datetime.date(2025, 2, 14)),
            "cost": 4450000,
            "location": "Sintering line, Magnova works, Hosur",
        },
    ],
}
DISPOSALS = {
    # (project, asset particulars): the request waiting for the ministry.
    ("DEMO-REE-2324-02", "Field spectroradiometer, 350-2500 nm"): {
        "kind": "transfer",
        "reason": "The survey seasons are over; transfer the spectroradiometer to "
        "the institute's Department of Earth Sciences for its M.Tech field course.",
        "requested_on": datetime.date(2026, 11, 12),
    },
}
REAPPROPRIATIONS = {
    "DEMO-REE-2324-02": {
        "from": ("consumables", 3),
        "to": ("travel", 3),
        "amount": 30000,
        "reason": "Two more field visits to the Amba Dongar complex are needed to "
        "ground-truth the new prospectivity map before the final report.",
        "requested_on": datetime.date(2026, 11, 10),
    },
    "DEMO-REE-2425-02": {
        "from": ("equipment", 1),
        "to": ("consumables", 2),
        "amount": 600000,
        "reason": "The magnetic-field press came in under its quotation; the saving "
        "is needed for NdFeB alloy powder and argon for the sintering trials.",
        "requested_on": datetime.date(2026, 11, 15),
    },
}
