"""The demo office: Kecamatan Purbalingga with one user per role and live measurements.

Every demo account has the password `DEMO_PASSWORD`; it is printed by `flask demo` and
written in the README. Never load the demo into a real office's database.
"""

import io
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from flask import current_app

from app.extensions import db
from app.models import ADMIN, VIEWER, OrgUnit, User, utcnow
from app.services import indicators, office, routing, signing
from app.services.accounts import create_user
from app.services.documents import BlobStore, configured_store, upload_document
from app.services.office_calendar import office_calendar
from app.services.sop_definitions import definition_of, latest_version

DEMO_PASSWORD = "purbalingga2026"
# The SOP the demo's measurements run (the walks below know its steps).
DEMO_SOP = "pengukuran-kinerja"
DEMO_INDICATORS = Path(__file__).parent / "data" / "demo-indicators.yaml"

UNITS = [
    ("pimpinan", "Pimpinan Kecamatan", False),
    ("sekretariat", "Sekretariat Kecamatan", False),
    ("pemerintahan", "Seksi Pemerintahan", True),
    ("trantib", "Seksi Ketentraman dan Ketertiban Umum", True),
    ("pmd", "Seksi Pemberdayaan Masyarakat dan Desa", True),
    ("kesos", "Seksi Kesejahteraan Sosial", True),
    ("pelayanan", "Seksi Pelayanan Umum", True),
]

# username, full name, NIP, roles, unit
USERS = [
    ("camat", "Drs. Bambang Widodo, M.Si.", "197003121990031005", ["camat"], "pimpinan"),
    ("sekcam", "Sri Rahayu, S.Sos., M.M.", "197505172000032003", ["sekcam"], "sekretariat"),
    ("kasi", "Agus Setiawan, S.IP.", "198001242005011004", ["kasi"], "pemerintahan"),
    ("kasi.pmd", "Dewi Lestari, S.E.", "198206112006042012", ["kasi"], "pmd"),
    ("anggota", "Rina Kusumawati, S.Kom.", "199003082015032006", ["anggota"], "sekretariat"),
    ("anggota2", "Yoga Pratama, A.Md.", "199407222019031002", ["anggota"], "sekretariat"),
    ("admin", "Admin Sistem Kecamatan", None, [ADMIN], "sekretariat"),
    ("viewer", "Inspektorat (pemantau)", None, [VIEWER], None),
]


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """Make a small, valid one-page PDF with a title and a few lines of text."""

    def escape(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = ["BT /F1 16 Tf 56 780 Td (" + escape(title) + ") Tj ET"]
    for i, line in enumerate(lines):
        rows.append(f"BT /F1 11 Tf 56 {750 - 18 * i} Td ({escape(line)}) Tj ET")
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _attach_outputs(task, user, store: BlobStore, limit: int) -> None:
    step = routing.step_of(task)
    for kind in step.required_outputs:
        if kind in step.signed_outputs:
            continue  # made by signing
        pdf = demo_pdf(
            kind,
            [
                f"Periode {task.instance.period}",
                f"Langkah {step.no}",
                "Kecamatan Purbalingga — dokumen contoh",
            ],
        )
        upload_document(
            task,
            kind=kind,
            filename=f"{kind}.pdf",
            stream=io.BytesIO(pdf),
            actor=user,
            store=store,
            limit=limit,
        )


def _walk(instance, users, until_step, store, limit, start, returns_at=()):
    """Move an instance through its steps with back-dated times, up to `until_step` open."""
    calendar = office_calendar()
    at = start
    pending_returns = list(returns_at)
    while True:
        task = next(t for t in instance.tasks if t.status.value == "open")
        if task.step_no == until_step:
            return
        step = routing.step_of(task)
        actor = next(u for u in users if u.has_role(*step.actors))
        at = calendar.add_working_minutes(at, _walk_minutes(step))
        if pending_returns and pending_returns[0] == step.no:
            pending_returns.pop(0)
            routing.decide(
                task,
                actor=actor,
                decision="return",
                occurred_at=at,
                note="Capaian Seksi Pemerintahan belum disertai data dukung; mohon dilengkapi.",
            )
            continue
        _attach_outputs(task, actor, store, limit)
        if step.signed_outputs:
            # The Camat signs with his password; the demo signs at the walk's time.
            result = signing.sign_report(
                task,
                actor=actor,
                password=DEMO_PASSWORD,
                store=store,
                limit=limit,
                base_url=office.base_url(),
                now=at,
            ).move
        elif step.is_decision:
            result = routing.decide(task, actor=actor, decision="approve", occurred_at=at)
        else:
            result = routing.complete_task(task, actor=actor, occurred_at=at)
        if not result.next_tasks:
            return


def _walk_minutes(step) -> int:
    """The working minutes `_walk` lets a step take."""
    return max(5, step.standard.value // 2) if step.standard.unit == "minute" else 600


def _start_for_walk(calendar, definition, until_step: int):
    """Pick a start about three days back whose walk to `until_step` ends before now, even
    just after a long holiday."""
    needed = sum(_walk_minutes(s) for s in definition.steps if s.no < until_step)
    now = utcnow()
    for days_back in range(3, 60):
        start = calendar.next_working_moment(now - timedelta(days=days_back))
        if calendar.add_working_minutes(start, needed) < now - timedelta(minutes=1):
            return start
    raise RuntimeError("no working time in the last 60 days to place the demo in")


def load_demo_indicators(admin, anggota, path: Path = DEMO_INDICATORS) -> int:
    """Create the demo sections' indicators (as the admin) and import their 2026 targets and
    realisations (as an anggota, the way an e-Kinerja export arrives); answer how many."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]
    rows = []
    for entry in entries:
        indicators.create_indicator(
            code=entry["code"],
            name=entry["name"],
            unit=entry["unit"],
            polarity=entry["polarity"],
            aggregation=entry["aggregation"],
            section=entry["section"],
            actor=admin,
        )
        by_period: dict[str, dict] = {}
        for name in ("target", "realization"):
            for period, value in (entry.get(name) or {}).items():
                by_period.setdefault(str(period), {})[name] = value
        for period, values in sorted(by_period.items()):
            rows.append({"indicator": entry["code"], "period": period, **values})
    imported = [indicators.ImportRow(row=n, fields=r) for n, r in enumerate(rows, start=1)]
    indicators.import_values(imported, actor=anggota, source="demo")
    return len(entries)


def load_demo() -> str:
    """Create the demo office if it is not there yet, and say what was loaded."""
    if db.session.scalar(sa.select(User).filter_by(username="camat")):
        return "Demo already loaded."
    units = {}
    for code, name, is_section in UNITS:
        units[code] = OrgUnit(code=code, name=name, is_section=is_section)
        db.session.add(units[code])
    users = [
        create_user(
            username=u,
            full_name=name,
            nip=nip,
            password=DEMO_PASSWORD,
            roles=roles,
            org_unit=units.get(unit),
            actor="demo",
            is_demo=True,
        )
        for u, name, nip, roles, unit in USERS
    ]
    # Each Kepala Seksi heads the section he belongs to.
    for user in users:
        if user.has_role("kasi") and user.org_unit is not None and user.org_unit.is_section:
            user.org_unit.head = user
    store = configured_store()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    calendar = office_calendar()
    definition = definition_of(latest_version(DEMO_SOP))
    starter = next(u for u in users if u.has_role(*definition.starters))
    admin = next(u for u in users if u.has_role(ADMIN))
    writer = next(u for u in users if u.has_role(*indicators.writer_roles()) and u is not admin)
    indicator_count = load_demo_indicators(admin, writer)

    # Q2 finished last quarter, with one return at the Sekcam's review.
    q2_start = calendar.next_working_moment(utcnow() - timedelta(days=120))
    q2 = routing.start_instance(
        sop_code=DEMO_SOP, period="2026-Q2", actor=starter, started_at=q2_start
    )
    _walk(q2, users, until_step=None, store=store, limit=limit, start=q2_start, returns_at=(10,))
    # Q3 is being measured now: the Tim SAKIP is at step 7.
    q3_start = _start_for_walk(calendar, definition, until_step=7)
    q3 = routing.start_instance(
        sop_code=DEMO_SOP, period="2026-Q3", actor=starter, started_at=q3_start
    )
    _walk(q3, users, until_step=7, store=store, limit=limit, start=q3_start)
    return (
        f"Demo loaded: {len(users)} users (password {DEMO_PASSWORD!r}: "
        + ", ".join(u.username for u in users)
        + f"); {indicator_count} indicators with 2026 targets and realisations;"
        + " measurements 2026-Q2 (completed) and 2026-Q3 (at step 7)."
    )
