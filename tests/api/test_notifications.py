"""Tests for the notifications API (app/api/notifications.py) and the reminders a move makes:
returned to whoever redoes the step, a review waiting for its reviewer."""

import sqlalchemy as sa

from app.extensions import db

NOTE = "Lengkapi capaian Seksi Pemerintahan"


def return_at_review(runner, api) -> dict:
    """Walk a measurement to the Sekcam's review (step 10) and return it with the arahan."""
    task = runner.walk_to(runner.start()["id"], 10)
    response = api.post(
        f"/api/v1/tasks/{task['id']}/decision",
        json={"decision": "return", "note": NOTE},
        as_="sekcam",
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def notifications(api, as_: str, **query) -> list[dict]:
    response = api.get("/api/v1/notifications", as_=as_, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_return_tells_who_did_the_step_and_a_review_tells_the_reviewer(app, runner, api):
    """After step 9 is done the Sekcam is told a review waits; after his return, is only the
    member who did step 9 told it came back, with the arahan?"""
    result = return_at_review(runner, api)
    (redo,) = result["next_tasks"]
    (waiting,) = notifications(api, "sekcam")
    assert waiting["kind"] == "review_waiting"
    assert waiting["message"].startswith("Langkah 10 pada ")
    assert "menunggu pemeriksaan dan keputusan Anda" in waiting["message"]
    (returned,) = notifications(api, "anggota")
    assert returned["kind"] == "returned"
    assert returned["task_id"] == redo["id"]
    assert returned["message"].endswith(
        f"dikembalikan kepada Anda untuk diperbaiki. Arahan: {NOTE}"
    )
    assert returned["read_at"] is None
    assert set(returned) == {"id", "kind", "task_id", "message", "created_at", "read_at"}
    # The other holders of step 9's roles did not do it: nothing for them.
    for other in ("anggota2", "kasi", "kasi2", "camat"):
        assert notifications(api, other) == []


def test_a_move_writes_its_notifications_with_one_statement(app, runner, api):
    """Does the return move insert its notification with a single INSERT … SELECT?"""
    task = runner.walk_to(runner.start()["id"], 10)
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        response = api.post(
            f"/api/v1/tasks/{task['id']}/decision",
            json={"decision": "return", "note": NOTE},
            as_="sekcam",
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO NOTIFICATION")]
    assert len(inserts) == 1


def test_only_the_recipient_reads_and_marks_his_own(app, runner, api):
    """Is another user's notification a 404 to read, and one's own a 204 that sets read_at?"""
    return_at_review(runner, api)
    (mine,) = notifications(api, "anggota")
    refused = api.post(f"/api/v1/notifications/{mine['id']}/read", as_="sekcam")
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "not_found"
    assert notifications(api, "anggota")[0]["read_at"] is None
    assert api.post(f"/api/v1/notifications/{mine['id']}/read", as_="anggota").status_code == 204
    (read,) = notifications(api, "anggota")
    assert read["read_at"] is not None
    # Reading again changes nothing.
    assert api.post(f"/api/v1/notifications/{mine['id']}/read", as_="anggota").status_code == 204
    assert notifications(api, "anggota")[0]["read_at"] == read["read_at"]
    assert notifications(api, "anggota", unread="true") == []
    assert api.post("/api/v1/notifications/999999/read", as_="anggota").status_code == 404


def test_notifications_need_a_user_and_sane_paging(app, api, users):
    """Is the list refused without credentials and with nonsense paging, in the API's shape?"""
    assert api.get("/api/v1/notifications", as_=None).status_code == 401
    response = api.get("/api/v1/notifications", as_="camat", query_string={"per_page": 0})
    assert response.status_code == 422
    response = api.get("/api/v1/notifications", as_="camat", query_string={"unread": "kadang"})
    assert response.status_code == 422
    body = api.get("/api/v1/notifications", as_="camat").get_json()
    assert body == {"items": [], "page": 1, "per_page": 50, "total": 0}


def test_the_openapi_document_describes_notifications(app, api, users):
    """Does the OpenAPI document list both notification endpoints?"""
    spec = api.get("/api/v1/openapi.json", as_=None).get_json()
    assert "get" in spec["paths"]["/api/v1/notifications"]
    assert (
        "204" in spec["paths"]["/api/v1/notifications/{notification_id}/read"]["post"]["responses"]
    )
