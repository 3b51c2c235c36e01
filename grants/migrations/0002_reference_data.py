"""The rare-earth elements and the ministry's two R&D schemes."""

from django.db import migrations

ELEMENTS = [
    # symbol, name, atomic number, series, magnet-critical
    ("Sc", "Scandium", 21, "scandium", False),
    ("Y", "Yttrium", 39, "heavy", False),
    ("La", "Lanthanum", 57, "light", False),
    ("Ce", "Cerium", 58, "light", False),
    ("Pr", "Praseodymium", 59, "light", True),
    ("Nd", "Neodymium", 60, "light", True),
    ("Pm", "Promethium", 61, "light", False),
    ("Sm", "Samarium", 62, "light", True),
    ("Eu", "Europium", 63, "light", False),
    ("Gd", "Gadolinium", 64, "light", False),
    ("Tb", "Terbium", 65, "heavy", True),
    ("Dy", "Dysprosium", 66, "heavy", True),
    ("Ho", "Holmium", 67, "heavy", False),
    ("Er", "Erbium", 68, "heavy", False),
    ("Tm", "Thulium", 69, "heavy", False),
    ("Yb", "Ytterbium", 70, "heavy", False),
    ("Lu", "Lutetium", 71, "heavy", False),
]

SCHEMES = [
    (
        "st-programme",
        "S&T Programme (R&D component)",
        "Ministry of Mines Science & Technology Programme, R&D component: grants to "
        "academic institutions, national institutes and DSIR-recognised R&D "
        "institutions, up to 3 years.",
        36,
    ),
    (
        "st-prism",
        "S&T-PRISM (Ministry of Mines)",
        "Promotion of Research and Innovation in Start-ups and MSMEs in Mining, "
        "Mineral Processing, Metallurgy and Recycling; implemented by JNARDDC, "
        "funds released on milestones, up to 2 years.",
        24,
    ),
]


def create(apps, schema_editor):
    Element = apps.get_model("grants", "Element")
    Scheme = apps.get_model("grants", "Scheme")
    for symbol, name, number, series, magnet in ELEMENTS:
        Element.objects.update_or_create(
            symbol=symbol,
            defaults={
                "name": name,
                "atomic_number": number,
                "series": series,
                "is_magnet_critical": magnet,
            },
        )
    for code, name, description, months in SCHEMES:
        Scheme.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "max_duration_months": months,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
