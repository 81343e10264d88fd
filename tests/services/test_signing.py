"""Tests for signing the report (app/services/signing.py): the password, the one unit of work
that stamps, stores, records and finishes the step, the two hashes, and the frozen bytes."""

import hashlib
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import current_app

from app.config import BASE_DIR
from app.demo import demo_pdf
from app.errors import DomainError
from app.extensions import db
from app.models import (
    AuditEvent,
    Document,
    Indicator,
    IndicatorValue,
    InstanceStatus,
    OrgUnit,
    SignedReport,
    Task,
    TaskStatus,
    User,
)
from app.services import audit, indicators, office, reports, routing, signing
from app.services.documents import BlobStore, upload_document
from app.services.sop_definitions import load_definition_file
from tests.helpers import PASSWORD, pdf_text

SOP = "pengukuran-kinerja"
PERIOD = "2026-Q1"
SIGNED_KIND = "Laporan Hasil Pengukuran Kinerja yang Sudah Ditandatangani"
BASE_URL = "https://sakip.purbalinggakec.example"


@pytest.fixture
def people(app_ctx, users) -> dict[str, User]:
    """The test users by username, the Camat named as the demo office names him."""
    people = {name: db.session.get(User, user_id) for name, user_id in users.items()}
    people["camat"].full_name = "Drs. Bambang Widodo, M.Si."
    people["camat"].nip = "197003121990031005"
    db.session.commit()
    return people


@pytest.fixture
def measured(people):
    """Two indicators of the Seksi Pemerintahan with their 2026-Q1 figures (91,25 and 80)."""
    db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
    for code, polarity, target, realization in [
        ("PEM-01", "positive", 80, 73),
        ("PEM-02", "negative", 10, 12),
    ]:
        indicator = indicators.create_indicator(
            code=code,
            name=f"Indikator {code}",
            unit="%",
            polarity=polarity,
            aggregation="sum",
            section="pemerintahan",
            actor=people["admin"],
        )
        indicators.set_value(
            indicator, PERIOD, actor=people["anggota"], target=target, realization=realization
        )
    db.session.commit()


def store() -> BlobStore:
    return BlobStore(current_app.config["STORAGE_DIR"])


def open_task(instance) -> Task:
    (task,) = db.session.scalars(
        sa.select(Task).filter_by(instance_id=instance.id, status=TaskStatus.OPEN)
    ).all()
    return task


def walk_to_signing(people) -> Task:
    """Start a 2026-Q1 measurement and move it up to its open signing step."""
    instance = routing.start_instance(sop_code=SOP, period=PERIOD, actor=people["camat"])
    task = open_task(instance)
    while not routing.step_of(task).signed_outputs:
        step = routing.step_of(task)
        actor = next(u for u in people.values() if u.has_role(*step.actors))
        for kind in step.required_outputs:
            upload_document(
                task,
                kind=kind,
                filename="dokumen.pdf",
                stream=io.BytesIO(demo_pdf(kind, ["uji"])),
                actor=actor,
                store=store(),
                limit=current_app.config["MAX_CONTENT_LENGTH"],
            )
        if step.is_decision:
            result = routing.decide(task, actor=actor, decision="approve")
        else:
            result = routing.complete_task(task, actor=actor)
        (task,) = result.next_tasks
    db.session.commit()
    return task


@pytest.fixture
def signing_task(people, measured) -> Task:
    """The open step 12 of a measured 2026-Q1."""
    return walk_to_signing(people)


def sign(task: Task, actor: User, password: str = PASSWORD, **kwargs) -> signing.SignResult:
    return signing.sign_report(
        task,
        actor=actor,
        password=password,
        store=store(),
        limit=current_app.config["MAX_CONTENT_LENGTH"],
        base_url=BASE_URL,
        **kwargs,
    )


def stored_bytes(report: SignedReport) -> bytes:
    with store().open(report.document.sha256) as handle:
        return handle.read()


def counts() -> dict[str, int]:
    """How many rows the tables that signing writes hold."""
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (SignedReport, Document, Task, AuditEvent)
    }


# --- the signing step ------------------------------------------------------------------------


def test_shipped_step_12_is_signed_with_the_signed_report_generator():
    """Step 12's only output is made by the signing generator, which plain generating refuses."""
    definition, _ = load_definition_file(BASE_DIR / "app" / "sops" / f"{SOP}.yaml")
    step = definition.step(12)
    assert step.generated_outputs == ((SIGNED_KIND, "signed_report"),)
    assert step.signed_outputs == (SIGNED_KIND,)
    assert "signed_report" not in reports.GENERATORS
    assert all(not definition.step(no).signed_outputs for no in range(1, 12))


def test_signing_completes_the_measurement_in_one_move(people, signing_task):
    """Signing stores the stamped report as step 12's output, records it, finishes the step
    and the measurement, and audits the move and the signature."""
    result = sign(signing_task, people["camat"], ip="10.0.0.7")
    db.session.commit()
    report = result.report
    task = result.move.task
    assert (task.status, task.outcome.value, result.move.next_tasks) == (
        TaskStatus.DONE,
        "completed",
        [],
    )
    assert task.instance.status == InstanceStatus.COMPLETED
    assert task.instance.completed_at == report.signed_at == task.closed_at

    document = report.document
    assert (document.kind, document.step_no, document.task_id) == (SIGNED_KIND, 12, task.id)
    assert document.generated and document.media_type == "application/pdf"
    assert document.filename == "laporan-hasil-pengukuran-kinerja-ditandatangani-2026-Q1.pdf"
    content = stored_bytes(report)
    assert hashlib.sha256(content).hexdigest() == report.file_sha256 == document.sha256
    assert (report.signer_name, report.signer_nip) == (
        "Drs. Bambang Widodo, M.Si.",
        "197003121990031005",
    )
    assert (report.office, report.period, report.title) == (
        "Kecamatan Purbalingga",
        PERIOD,
        "Laporan Hasil Pengukuran Kinerja",
    )
    assert report.signed_by == people["camat"]
    assert signing.signed_report_of(task.instance) == report

    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events[-3:]] == [
        "document.uploaded",
        "task.completed",
        "report.signed",
    ]
    signed = events[-1]
    assert (signed.actor, signed.object_type, signed.object_id, signed.ip) == (
        "camat",
        "signed_report",
        str(report.id),
        "10.0.0.7",
    )
    assert signed.data["sha256"] == report.sha256
    assert signed.data["file_sha256"] == report.file_sha256
    assert events[-2].data["instance_completed"] is True
    assert audit.verify_chain().ok


def test_the_printed_hash_is_the_hash_of_the_recorded_content(people, signing_task):
    """The printed SHA-256 hashes the report's content as canonical JSON, which states the
    office, the period, every indicator's figures, the signer and the time; it differs from
    the file's SHA-256 (a file cannot hold its own)."""
    report = sign(signing_task, people["camat"]).report
    assert report.sha256 == hashlib.sha256(signing.canonical_json(report.content)).hexdigest()
    assert signing.content_is_intact(report)
    assert report.sha256 != report.file_sha256
    content = report.content
    assert content["office"]["name"] == "Kecamatan Purbalingga"
    assert content["instance"]["period"] == PERIOD
    assert content["signed_by"] == {
        "username": "camat",
        "full_name": "Drs. Bambang Widodo, M.Si.",
        "nip": "197003121990031005",
    }
    assert datetime.fromisoformat(content["signed_at"]) == report.signed_at
    (section,) = content["measurement"]["sections"]
    figures = [
        (i["code"], i["target"], i["realization"], i["achievement"]) for i in section["indicators"]
    ]
    assert figures == [("PEM-01", "80", "73", "91.25"), ("PEM-02", "10", "12", "80")]
    assert content["measurement"]["average"] == "85.63"
    report.content = {**content, "period": "2026-Q2"}
    assert not signing.content_is_intact(report)


def test_the_signed_pdf_carries_the_stamp_and_no_draft_mark(people, signing_task):
    """The signed PDF names the signer and his NIP, prints the hash and the verification link
    (and the hash on every page), and is not marked DRAFT."""
    report = sign(signing_task, people["camat"]).report
    pages = pdf_text(stored_bytes(report)).split("\f")
    text = " ".join(" ".join(pages).split())
    assert "DRAFT" not in text
    assert "DITANDATANGANI SECARA ELEKTRONIK" in text
    assert "Drs. Bambang Widodo, M.Si." in text
    assert "NIP. 19700312 199003 1 005" in text
    assert f"{BASE_URL}/verify/{report.sha256}" in text
    assert all(report.sha256 in page for page in pages)
    assert "WIB" in text
    assert "85,63" in text


def test_the_stamp_holds_a_qr_code_of_the_verification_link(people, signing_task, monkeypatch):
    """The QR code on the report is drawn from the printed verification link."""
    drawn = []
    real = signing.qr_data_uri
    monkeypatch.setattr(signing, "qr_data_uri", lambda text: drawn.append(text) or real(text))
    report = sign(signing_task, people["camat"]).report
    assert drawn == [f"{BASE_URL}/verify/{report.sha256}"]


def test_a_wrong_password_changes_nothing_but_the_audit_trail(people, signing_task):
    """A wrong password is refused (422 invalid_password) and leaves the task open, with no
    document or signed report; only a report.sign_failed event records the attempt."""
    before = counts()
    with pytest.raises(DomainError) as refused:
        sign(signing_task, people["camat"], password="salah")
    assert (refused.value.status, refused.value.code) == (422, "invalid_password")
    db.session.commit()  # as the edges do: the failed attempt stays on the trail
    after = counts()
    assert after == {**before, "audit_event": before["audit_event"] + 1}
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor, event.object_id) == (
        "report.sign_failed",
        "camat",
        str(signing_task.id),
    )
    db.session.refresh(signing_task)
    assert signing_task.status == TaskStatus.OPEN
    assert signing_task.instance.status == InstanceStatus.ACTIVE
    with pytest.raises(DomainError) as empty:
        sign(signing_task, people["camat"], password="")
    assert empty.value.code == "password_required"
    assert audit.verify_chain().ok


@pytest.mark.parametrize("username", ["admin", "sekcam", "anggota", "viewer"])
def test_only_the_steps_actor_may_sign(people, signing_task, username):
    """Anyone but the Camat is refused with 403 before the password is even checked."""
    before = counts()
    with pytest.raises(DomainError) as refused:
        sign(signing_task, people[username])
    assert (refused.value.status, refused.value.code) == (403, "forbidden_role")
    db.session.rollback()
    assert counts() == before


def test_a_step_that_is_not_a_signing_step_is_refused(people, measured):
    """Signing on step 11 (the Camat's review) is 422 not_a_signing_step."""
    instance = routing.start_instance(sop_code=SOP, period=PERIOD, actor=people["camat"])
    task = open_task(instance)
    with pytest.raises(DomainError) as refused:
        sign(task, people["camat"])
    assert (refused.value.status, refused.value.code) == (422, "not_a_signing_step")


def test_a_signed_task_cannot_be_signed_again(people, signing_task):
    """After signing, the task is closed: signing again is 409 task_not_open."""
    sign(signing_task, people["camat"])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        sign(signing_task, people["camat"])
    assert (refused.value.status, refused.value.code) == (409, "task_not_open")


def test_a_stale_version_is_refused(people, signing_task):
    """A version other than the task's is 409 stale_version, nothing signed."""
    with pytest.raises(DomainError) as refused:
        sign(signing_task, people["camat"], version=signing_task.version + 1)
    assert refused.value.code == "stale_version"


def test_the_signed_output_cannot_be_uploaded_or_generated(people, signing_task):
    """The signed report's kind is made only by signing: an upload of it and the plain
    generate are both 422 signature_required, so step 12 cannot finish unsigned."""
    camat = people["camat"]
    with pytest.raises(DomainError) as uploaded:
        upload_document(
            signing_task,
            kind=SIGNED_KIND,
            filename="ttd.pdf",
            stream=io.BytesIO(demo_pdf("ttd", ["uji"])),
            actor=camat,
            store=store(),
            limit=current_app.config["MAX_CONTENT_LENGTH"],
        )
    assert (uploaded.value.status, uploaded.value.code) == (422, "signature_required")
    with pytest.raises(DomainError) as generated:
        reports.generate_document(
            signing_task,
            kind=SIGNED_KIND,
            actor=camat,
            store=store(),
            limit=current_app.config["MAX_CONTENT_LENGTH"],
        )
    assert generated.value.code == "signature_required"
    with pytest.raises(DomainError) as completed:
        routing.complete_task(signing_task, actor=camat)
    assert completed.value.code == "missing_documents"
    assert routing.allowed_actions(signing_task, camat) == ("sign",)
    assert routing.allowed_actions(signing_task, people["admin"]) == ()


def test_the_signed_report_stays_when_the_figures_change(people, signing_task):
    """Changing an indicator afterwards changes neither the stored file nor its content."""
    report = sign(signing_task, people["camat"]).report
    db.session.commit()
    before = stored_bytes(report)
    indicator = indicators.get_indicator("PEM-01")
    indicators.set_value(indicator, PERIOD, actor=people["anggota"], realization=10)
    db.session.commit()
    db.session.expire_all()
    again = signing.signed_report_of(report.instance)
    assert stored_bytes(again) == before
    assert signing.content_is_intact(again)
    assert hashlib.sha256(before).hexdigest() == again.file_sha256


# --- what changed between the render and the lock ------------------------------------------


def _value(code: str, period: str = PERIOD) -> IndicatorValue:
    return db.session.scalar(
        sa.select(IndicatorValue)
        .join(Indicator)
        .where(Indicator.code == code, IndicatorValue.period == period)
    )


def _rename(row, field: str = "name") -> None:
    setattr(row, field, getattr(row, field) + " (diubah)")


# What another request may change while the report renders, each a fact the report states.
CHANGES = {
    "realization": lambda people: setattr(_value("PEM-01"), "realization", Decimal("75")),
    "indicator": lambda people: _rename(indicators.get_indicator("PEM-02")),
    "section": lambda people: _rename(
        db.session.scalar(sa.select(OrgUnit).filter_by(code="pemerintahan"))
    ),
    "category": lambda people: indicators.replace_category_scale(
        [
            {
                "code": band.code,
                "name": f"{band.label} (diubah)",
                "min_achievement": band.min_achievement,
            }
            for band in indicators.current_bands()
        ],
        actor=people["admin"],
    ),
    "office": lambda people: office.update_office_profile(
        {"city": "Purwokerto"}, actor=people["admin"]
    ),
    "signer": lambda people: _rename(people["camat"], "full_name"),
    "instance": lambda people: _rename(open_task_of_period().instance, "title"),
}


def open_task_of_period() -> Task:
    return db.session.scalar(sa.select(Task).filter_by(status=TaskStatus.OPEN))


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_between_the_render_and_the_lock_is_refused(people, signing_task, change):
    """A fact the report states, changed after the render and before the lock, is 409
    report_changed, and the content stated again would indeed differ."""
    camat = people["camat"]
    stated = {}

    def change_it():
        stated["before"] = signing.content_sha256(
            signing.report_content(signing_task.instance, camat, signed_at)
        )
        CHANGES[change](people)
        db.session.flush()
        stated["after"] = signing.content_sha256(
            signing.report_content(signing_task.instance, camat, signed_at)
        )

    signed_at = datetime(2026, 4, 6, 3, 0, tzinfo=UTC)
    with pytest.raises(DomainError) as refused:
        sign(signing_task, camat, now=signed_at, before_writing=change_it)
    assert (refused.value.status, refused.value.code) == (409, "report_changed")
    assert stated["before"] != stated["after"]


def test_a_change_the_report_does_not_state_lets_it_be_signed(people, signing_task):
    """Another period's figures and another measurement's move, after the render, change
    nothing the report states: the signing goes through."""

    def change_elsewhere():
        indicator = indicators.get_indicator("PEM-01")
        indicators.set_value(indicator, "2026-Q2", actor=people["anggota"], realization=50)
        routing.start_instance(sop_code=SOP, period="2026-Q2", actor=people["camat"])
        db.session.flush()

    result = sign(signing_task, people["camat"], before_writing=change_elsewhere)
    assert result.report.content["measurement"]["period"] == PERIOD


def test_the_fingerprint_moves_with_every_source_row(people, signing_task):
    """The fingerprint of the report's sources is the same read twice, and moves when any
    of their rows does, even in a column the report does not state."""
    first = signing.sources_fingerprint(PERIOD)
    assert signing.sources_fingerprint(PERIOD) == first
    _value("PEM-01").updated_by_id = people["admin"].id
    db.session.flush()
    assert signing.sources_fingerprint(PERIOD) != first


def test_the_fingerprint_tells_text_moved_between_columns(people, signing_task):
    """Text moved from one column into the next (an indicator's name taking the start of its
    unit) moves the fingerprint: the columns are told apart, not only strung together."""
    indicator = indicators.get_indicator("PEM-01")
    indicator.name, indicator.unit = "Indikator", "%x"
    db.session.flush()
    first = signing.sources_fingerprint(PERIOD)
    indicator.name, indicator.unit = "Indikator%", "x"
    db.session.flush()
    assert signing.sources_fingerprint(PERIOD) != first


# --- finding a report by its hash --------------------------------------------------------------


def test_a_report_is_found_by_either_hash_in_any_case(people, signing_task):
    """The printed hash and the file hash both find the report, upper case and spaced too."""
    report = sign(signing_task, people["camat"]).report
    db.session.commit()
    spaced = " ".join(report.sha256[i : i + 16] for i in range(0, 64, 16)).upper()
    for text in (report.sha256, report.file_sha256, report.sha256.upper(), spaced):
        assert signing.find_signed_report(text) == report, text


@pytest.mark.parametrize(
    "text",
    ["", "abc", "g" * 64, "a" * 63, "a" * 65, "../" + "a" * 64, None, "a" * 64 + "\x00"],
)
def test_malformed_hashes_find_nothing(app_ctx, text):
    """Anything but 64 hex digits is no hash at all."""
    assert signing.normalize_sha256(text) is None
    assert signing.find_signed_report(text) is None


def test_a_tampered_hash_finds_nothing(people, signing_task):
    """One hex digit changed is another hash: not found."""
    report = sign(signing_task, people["camat"]).report
    db.session.commit()
    last = report.sha256[-1]
    tampered = report.sha256[:-1] + ("0" if last != "0" else "1")
    assert signing.find_signed_report(tampered) is None


def test_content_hash_is_stable_across_key_order():
    """The canonical JSON ignores key order and keeps non-ASCII text as UTF-8."""
    one = {"b": 1, "a": {"y": "Capaian ≥ 91", "x": None}}
    two = {"a": {"x": None, "y": "Capaian ≥ 91"}, "b": 1}
    assert signing.content_sha256(one) == signing.content_sha256(two)
    assert signing.canonical_json(one) == '{"a":{"x":null,"y":"Capaian ≥ 91"},"b":1}'.encode()


def test_signed_at_may_be_given_for_the_demo(people, signing_task):
    """`now` fixes the signing time (the demo signs its past measurement in the past)."""
    at = datetime(2026, 3, 30, 3, 0, tzinfo=UTC)
    report = sign(signing_task, people["camat"], now=at).report
    assert report.signed_at == at
    assert report.content["signed_at"] == "2026-03-30T03:00:00.000000+00:00"
