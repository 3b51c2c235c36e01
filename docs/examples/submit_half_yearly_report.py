"""Submit a project's half-yearly progress report from a project office's system.

    KHANIJ_SITE=https://khanij.example.gov.in KHANIJ_TOKEN=khanij_... \
        python submit_half_yearly_report.py DEMO-REE-2324-05 report.json

``report.json`` holds the report's fields, as the portal's form has them:

    {"period_start": "2026-04-01", "period_end": "2026-09-30",
     "narrative": "Work done, results, deviations and the plan ahead.",
     "trl_now": 5, "publications": 1, "patents_filed": 0, "prototypes": 1,
     "technologies_transferred": 0, "people_trained": 4}

Needs the principal investigator's (or a co-investigator's) API token. The API
checks the report as the portal does and says what is wrong in the same words.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

SITE = os.environ.get("KHANIJ_SITE", "http://127.0.0.1:8000").rstrip("/")
TOKEN = os.environ["KHANIJ_TOKEN"]


def call(method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{SITE}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Token {TOKEN}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.headers.get_content_type() != "application/problem+json":
            sys.exit(f"{error.code} {error.reason}")  # a proxy's page, say
        problem = json.load(error)
        print(f"{problem['status']} {problem['title']}", file=sys.stderr)
        for item in problem["errors"]:
            field = (item["pointer"] or "#/").removeprefix("#/") or "the report"
            print(f"  {field}: {item['detail']}", file=sys.stderr)
        sys.exit(1)


def main(reference: str, report_file: str) -> None:
    with open(report_file, encoding="utf-8") as handle:
        report = json.load(handle)
    query = urllib.parse.urlencode({"q": reference})
    projects = call("GET", f"/api/v1/projects/?{query}")["results"]
    project = next((p for p in projects if p["reference"] == reference), None)
    if project is None:
        sys.exit(f"No project {reference} among those your token may see.")
    # The progress report due (or returned for correction), earliest first.
    query = urllib.parse.urlencode(
        {"project_id": project["id"], "kind": "progress_report"}
    )
    milestones = call("GET", f"/api/v1/milestones/?{query}")["results"]
    waiting = sorted(
        (m for m in milestones if m["status"] in ("pending", "returned")),
        key=lambda m: m["due_on"],
    )
    if not waiting:
        sys.exit(f"{reference} has no progress report waiting to be submitted.")
    milestone = waiting[0]
    submitted = call("POST", f"/api/v1/milestones/{milestone['id']}/report/", report)
    print(
        f"Submitted version {submitted['version']} of the report for "
        f"“{milestone['title']}” (report {submitted['id']}): {submitted['status']}."
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: submit_half_yearly_report.py PROJECT-REFERENCE report.json")
    main(sys.argv[1], sys.argv[2])
