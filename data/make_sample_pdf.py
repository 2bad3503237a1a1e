"""Generate meridian_s_brochure.pdf, the PDF in specrag's sample corpus.

The sample corpus in this directory (ingested by `make run`, used by the blog demo and
the grounding checks) is original, fictional spec text for one car line-up:

  aurora_x5.md             Aurora X5 compact SUV (1.5T, 2.0T AWD, Hybrid), English Markdown
                           with YAML front matter, headings, pipe tables and lists.
  aurora_x5_hybrid_zh.txt  Aurora X5 Hybrid (极光X5插电混动版), Chinese plain text, GBK-encoded.
  lumen_e2.txt             Lumen E2 city EV, English plain text with `Key: value` lines, UTF-8.
  meridian_s_zh.md         Meridian S sedan (子午线S), Chinese Markdown, UTF-8.
  meridian_s_brochure.pdf  Meridian S sedan, 3-page English PDF made by this script.

Figures for the same model agree across files (the grounding feature relies on it): if
you change a Meridian S number here, change meridian_s_zh.md too, and vice versa.

Run from the repo root with a Python that has fpdf2 (>= 2.7):

    python data/samples/make_pdf.py

The output is deterministic: fixed creation date and metadata, so rerunning with the
same fpdf2 version reproduces the same bytes. Core fonts only, so ASCII text only.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

try:
    from fpdf import FPDF
except ImportError:  # pragma: no cover - helper script
    sys.exit("make_pdf.py needs fpdf2: pip install fpdf2")

OUT = Path(__file__).resolve().parent / "samples" / "meridian_s_brochure.pdf"
FIXED_DATE = datetime(2025, 1, 15, 9, 0, 0, tzinfo=UTC)

# Keep in sync with meridian_s_zh.md.
SPECS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Engine and performance",
        [
            ("Engine", "1.5T turbocharged inline-4 petrol"),
            ("Displacement", "1,498 cc (1.5 L)"),
            ("Maximum power", "124 kW (169 PS) at 5,500 rpm"),
            ("Maximum torque", "275 Nm at 1,750-4,000 rpm"),
            ("Transmission", "7-speed dual-clutch (DCT)"),
            ("Drive", "Front-wheel drive"),
            ("0-100 km/h", "8.6 s"),
            ("Top speed", "205 km/h"),
            ("Fuel economy (WLTP combined)", "5.9 L/100km"),
            ("CO2 emissions", "134 g/km"),
            ("Fuel tank", "52 L"),
        ],
    ),
    (
        "Dimensions and weights",
        [
            ("Length", "4,850 mm"),
            ("Width (excluding mirrors)", "1,845 mm"),
            ("Height", "1,460 mm"),
            ("Wheelbase", "2,830 mm"),
            ("Track front / rear", "1,580 / 1,590 mm"),
            ("Ground clearance", "145 mm"),
            ("Kerb weight", "1,465 kg"),
            ("Boot volume", "510 L"),
        ],
    ),
    (
        "Warranty",
        [
            ("Vehicle warranty", "5 years / 150,000 km"),
            ("Roadside assistance", "5 years"),
            ("Service interval", "12 months / 15,000 km"),
        ],
    ),
]

FEATURES: list[tuple[str, list[str]]] = [
    (
        "Safety",
        [
            "6 airbags: front, front side and full-length curtain airbags",
            "Autonomous emergency braking with pedestrian and cyclist detection",
            "Adaptive cruise control with stop-and-go",
            "Lane keeping assist",
            "Driver fatigue monitor",
            "Premium: blind-spot monitoring, rear cross-traffic alert, 360-degree camera",
        ],
    ),
    (
        "Cabin and infotainment",
        [
            "12.3-inch central touchscreen and 10.25-inch digital instrument cluster",
            "Wireless Apple CarPlay and Android Auto",
            "Dual-zone automatic climate control with rear air vents",
            "8-speaker audio (Comfort), 10-speaker audio (Premium)",
            "Over-the-air (OTA) software updates",
        ],
    ),
    (
        "Premium trim adds",
        [
            "Panoramic sunroof",
            "Heated and ventilated front seats",
            "18-inch alloy wheels (Comfort: 17-inch)",
        ],
    ),
]


class Brochure(FPDF):
    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.set_text_color(120)
        self.cell(0, 10, f"Meridian S brochure - page {self.page_no()}", align="C")
        self.set_text_color(0)


def heading(pdf: FPDF, text: str, size: int = 14) -> None:
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)


def paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def title_page(pdf: FPDF) -> None:
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font("Helvetica", "B", 32)
    pdf.cell(0, 16, "Meridian S", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 10, "The family sedan, refined", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    paragraph(
        pdf,
        "The Meridian S is a mid-size family sedan with a 2,830 mm wheelbase and seating "
        "for five adults. A 1.5-litre turbocharged engine delivers 124 kW (169 PS) and "
        "275 Nm through a 7-speed dual-clutch gearbox, while returning 5.9 L/100km on the "
        "WLTP combined cycle.",
    )
    paragraph(
        pdf,
        "Two trims are offered, Comfort and Premium. Both share the same engine, safety "
        "systems and 510-litre boot; the Premium trim adds comfort and convenience "
        "equipment.",
    )
    pdf.set_y(-40)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 6, "Meridian S brochure, 2025 model year", align="C")


def specs_page(pdf: FPDF) -> None:
    pdf.add_page()
    heading(pdf, "Meridian S specifications", 18)
    pdf.ln(2)
    label_w = 75
    for group, rows in SPECS:
        heading(pdf, group, 13)
        for label, value in rows:
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(label_w, 7, label)
            pdf.set_font("Helvetica", size=11)
            pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)


def features_page(pdf: FPDF) -> None:
    pdf.add_page()
    heading(pdf, "Meridian S features", 18)
    pdf.ln(2)
    for group, items in FEATURES:
        heading(pdf, group, 13)
        for item in items:
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 6, "- " + item, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    paragraph(
        pdf,
        "Every Meridian S is covered by a 5-year / 150,000 km vehicle warranty with 5 years "
        "of roadside assistance. The 52-litre fuel tank and 5.9 L/100km economy give a "
        "range of about 880 km between fill-ups.",
    )


def build() -> bytes:
    pdf = Brochure(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title("Meridian S Brochure")
    pdf.set_subject("Meridian S family sedan specifications and features")
    pdf.set_author("specrag sample corpus")
    pdf.set_creator("specrag data/samples/make_pdf.py")
    pdf.set_keywords("Meridian S, sedan, specifications")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    title_page(pdf)
    specs_page(pdf)
    features_page(pdf)
    return bytes(pdf.output())


def main() -> None:
    data = build()
    OUT.write_bytes(data)
    sys.stdout.write(f"wrote {OUT} ({len(data)} bytes)\n")


if __name__ == "__main__":
    main()
