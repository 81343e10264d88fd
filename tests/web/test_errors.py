"""Errors on the pages are pages in Indonesian; errors of the API stay JSON."""


def test_unknown_page_is_an_html_page(app):
    """Does a mistyped address show a page that says it was not found, not JSON?"""
    response = app.test_client().get("/tidak-ada")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert "Halaman tidak ditemukan." in response.text


def test_unknown_api_path_is_json(app):
    """Does a mistyped API path still answer in the API's error shape?"""
    response = app.test_client().get("/api/v1/tidak-ada")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_expired_form_token_tells_the_user_to_reload(app, users):
    """Does a form posted with a stale CSRF token explain what to do, in Indonesian?"""
    response = app.test_client().post(
        "/login", data={"username": "camat", "password": "rahasia", "csrf_token": "basi"}
    )
    assert response.status_code == 400
    assert "Muat ulang halaman" in response.text


def test_htmx_request_with_stale_token_reloads_the_page(pages, runner):
    """Does an HTMX move with a stale token ask the browser to reload rather than swap an
    error page into the board?"""
    instance = runner.start("2026-Q1")
    task = runner.open_task(instance["id"])
    client = pages("camat")
    client.token = "basi"
    response = client.post(f"/tasks/{task['id']}/move", {})
    assert response.status_code == 204
    assert response.headers["HX-Refresh"] == "true"
    assert runner.open_task(instance["id"])["id"] == task["id"]
