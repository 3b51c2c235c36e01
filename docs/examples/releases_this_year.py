"""List this fiscal year's releases, to reconcile them with the accounts.

    KHANIJ_SITE=https://khanij.example.gov.in KHANIJ_TOKEN=khanij_... \
        python releases_this_year.py > releases.csv

Needs a finance officer's (or programme officer's) API token, made on the account
page (/accounts/api-tokens/). Plain Python: nothing to install.
"""

import csv
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo

SITE = os.environ.get("KHANIJ_SITE", "http://127.0.0.1:8000").rstrip("/")
TOKEN = os.environ["KHANIJ_TOKEN"]


def fiscal_year(day: datetime.date) -> str:
    """April to March, written as 2026-27."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def rupees(amount: int) -> str:
    """Rs 15,00,000: the last three digits, then pairs (Indian grouping)."""
    digits = str(amount)
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, end - 2) : end] for end in range(len(head), 0, -2)][::-1]
    return "Rs " + ",".join([*pairs, tail]) if head else f"Rs {tail}"


def same_site(url: str | None) -> str | None:
    """The next page on the site the token is for: never sent anywhere else, and
    never over plain HTTP because a proxy wrote the link so."""
    if url is None:
        return None
    parts = urllib.parse.urlsplit(url)
    return f"{SITE}{parts.path}?{parts.query}"


def get(url: str) -> dict:
    """GET a page of the API; wait and retry when told to (429)."""
    request = urllib.request.Request(
        url, headers={"Authorization": f"Token {TOKEN}", "Accept": "application/json"}
    )
    while True:
        try:
            with urllib.request.urlopen(request) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 429:
                time.sleep(int(error.headers.get("Retry-After", "60")))
                continue
            if error.headers.get_content_type() != "application/problem+json":
                sys.exit(f"{error.code} {error.reason}")  # a proxy's page, say
            problem = json.load(error)
            sys.exit(f"{problem['status']} {problem['title']} {problem['detail']}")


def main() -> None:
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Kolkata")).date()
    year = os.environ.get("FISCAL_YEAR") or fiscal_year(today)
    query = urllib.parse.urlencode({"released_in": year, "page_size": 200})
    url = f"{SITE}/api/v1/instalments/?{query}"
    releases = []
    while url:  # a cursor: each page names the next, until there is none
        page = get(url)
        releases += page["results"]
        url = same_site(page["next"])
    # The API pages newest record first; the accounts read by date of release.
    releases.sort(key=lambda row: (row["released_on"], row["release_order_number"]))
    writer = csv.writer(sys.stdout)
    writer.writerow(
        ["project", "instalment", "released on", "release order", "amount (Rs)"]
    )
    for row in releases:
        writer.writerow(
            [
                row["project_reference"],
                row["sequence"],
                row["released_on"],
                row["release_order_number"],
                row["amount"],
            ]
        )
    total = sum(row["amount"] for row in releases)
    print(
        f"{len(releases)} releases in {year}, {rupees(total)} in all", file=sys.stderr
    )


if __name__ == "__main__":
    main()
