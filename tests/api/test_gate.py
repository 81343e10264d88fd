"""Strict requests: authentication before the body is read, and JSON only as JSON."""

import pytest


def _first_task(runner) -> dict:
    """Start a measurement and answer its open step 1 (a move that needs no body)."""
    return runner.start()["open_tasks"][0]


def test_text_plain_body_does_not_move_the_task(api, runner):
    """Is `POST /tasks/{id}/complete` with Content-Type text/plain a 415 that moves nothing?"""
    task = _first_task(runner)
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        data="{}",
        headers=api.headers("camat", {"Content-Type": "text/plain"}),
    )
    assert response.status_code == 415
    error = response.get_json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["message"] and "text/plain" in error["message"]
    assert api.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "application/x-www-form-urlencoded"}, {}],
    ids=["form", "no-type"],
)
def test_body_not_declared_json_is_refused(api, headers):
    """Is a body sent as a form, or with no Content-Type at all, refused with 415?"""
    response = api.client.post(
        "/api/v1/instances",
        data=b'{"period": "2026-Q1"}',
        headers=api.headers("camat", headers),
    )
    assert response.status_code == 415, response.get_json()
    assert api.get("/api/v1/instances").get_json()["items"] == []


def test_json_suffix_media_type_is_json(api, runner):
    """Is an `application/…+json` body read as JSON (and an empty untyped body as none)?"""
    task = _first_task(runner)
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        data="{}",
        headers=api.headers("camat", {"Content-Type": "application/merge-patch+json"}),
    )
    assert response.status_code == 200, response.get_json()
    second = response.get_json()["next_tasks"][0]
    response = api.client.post(
        f"/api/v1/tasks/{second['id']}/complete", headers=api.headers("sekcam")
    )
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/instances"),
        ("post", "/api/v1/tasks/1/complete"),
        ("post", "/api/v1/tasks/1/decision"),
        ("put", "/api/v1/indicators/X/values/2026"),
        ("post", "/api/v1/tasks/1/documents"),
    ],
)
def test_anonymous_malformed_body_is_401(client, method, path):
    """Does an unauthenticated request with a malformed or ill-typed body get 401, not 422,
    400 or 415 (nothing about the body is told to a stranger)?"""
    for kwargs in (
        {"json": {"period": 12, "decision": []}},
        {"data": "{not json", "content_type": "application/json"},
        {"data": "x", "content_type": "text/plain"},
    ):
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 401, (kwargs, response.get_json())
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_bad_token_is_401_before_the_body(client):
    """Is an unknown bearer token refused (401 invalid_token) before a bad body is read?"""
    response = client.post(
        "/api/v1/instances", json={"period": []}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_public_endpoints_stay_public(client, users):
    """Do health, getting a token and the OpenAPI document need no credentials, and a
    malformed login body still get its own 4xx?"""
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": 1}).status_code == 422
    response = client.post("/api/v1/auth/token", json={"username": "camat", "password": "rahasia"})
    assert response.status_code == 201
    assert client.get("/api/v1/no-such-thing").status_code == 404
