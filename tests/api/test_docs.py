"""The OpenAPI document at /api/v1/openapi.json and its rendering at /api/docs, offline."""

import json
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from werkzeug.serving import WSGIRequestHandler, make_server

from app.api.docs import SWAGGER_UI

OPENAPI = "/api/v1/openapi.json"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The calls of API.md's tables that this app implements, as "METHOD path" with `{}` for
# any path parameter.
CONTRACT = [
    "POST /api/v1/auth/token",
    "DELETE /api/v1/auth/token",
    "GET /api/v1/me",
    "GET /api/v1/sops",
    "GET /api/v1/sops/{}",
    "POST /api/v1/instances",
    "GET /api/v1/instances",
    "GET /api/v1/instances/{}",
    "GET /api/v1/instances/{}/timeline",
    "GET /api/v1/instances/{}/documents",
    "GET /api/v1/tasks",
    "GET /api/v1/tasks/{}",
    "POST /api/v1/tasks/{}/complete",
    "POST /api/v1/tasks/{}/decision",
    "POST /api/v1/tasks/{}/documents",
    "GET /api/v1/documents/{}",
    "GET /api/v1/documents/{}/content",
]


class AssetLinks(HTMLParser):
    """Collect the `src` and `href` of every element, and the `data-*` attributes."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.data: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href"):
                self.links.append((tag, name, value or ""))
            elif name.startswith("data-"):
                self.data[name] = value or ""


@pytest.fixture
def client(sqlite_app):
    return sqlite_app.test_client()


@pytest.fixture
def document(client) -> dict:
    response = client.get(OPENAPI)
    assert response.status_code == 200
    return response.get_json()


def operations(document: dict):
    """Yield (method, path, operation) for every operation of the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def follow(document: dict, ref: str):
    """Return the node a local `$ref` (the only kind the app writes) names."""
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(document: dict, node: dict) -> dict:
    """Follow `$ref`s until a node that is not one."""
    while "$ref" in node:
        node = follow(document, node["$ref"])
    return node


# --- the page -------------------------------------------------------------------------


def test_docs_page_is_html_built_from_local_assets(client):
    """Is /api/docs an HTML page, open without signing in, whose every asset is ours?"""
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    parser = AssetLinks()
    parser.feed(page)
    assets = [value for tag, _, value in parser.links if tag in ("script", "link")]
    assert assets, "the page should load Swagger UI"
    for value in assets:
        # The vendored Swagger UI, and the page's own script and style sheet (the CSP
        # allows no inline ones).
        assert value.startswith((f"/static/{SWAGGER_UI}/", "/static/js/", "/static/css/")), value
    assert "/static/js/api-docs.js" in assets
    for _, _, value in parser.links:
        assert value.startswith("/") and not value.startswith("//"), value
    assert parser.data["data-openapi-url"] == OPENAPI


def test_docs_assets_are_served(client):
    """Are the script, style sheet and icons the page names served, with their types?"""
    parser = AssetLinks()
    parser.feed(client.get("/api/docs").get_data(as_text=True))
    served = {}
    for tag, _, value in parser.links:
        if tag in ("script", "link"):
            response = client.get(value)
            assert response.status_code == 200, value
            assert response.get_data(), value
            served[value.rsplit("/", 1)[-1]] = response.mimetype
            response.close()
    assert served["swagger-ui-bundle.js"] in ("text/javascript", "application/javascript")
    assert served["swagger-ui.css"] == "text/css"


def test_vendored_release_is_recorded():
    """Is the vendored Swagger UI release in the manifest, with its license beside it?"""
    static = Path(__file__).resolve().parents[2] / "static"
    folder = static / SWAGGER_UI
    assert (folder / "LICENSE").read_text().lstrip().startswith("Apache License")
    version = re.search(r"swagger-ui-(\d+\.\d+\.\d+)$", SWAGGER_UI)[1]
    manifest = (static / "vendor" / "MANIFEST.md").read_text()
    assert f"swagger-ui-dist {version}" in manifest
    assert f"swagger-ui-dist-{version}.tgz" in manifest
    assert re.search(r"sha512-[A-Za-z0-9+/=]{80,}", manifest)


def test_flask_smorest_cdn_uis_are_off(sqlite_app):
    """Does the app serve no UI of flask-smorest's, which would fetch theirs from a CDN?"""
    endpoints = {rule.endpoint for rule in sqlite_app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith("api-docs.")} == {"api-docs.openapi_json"}
    for name in ("SWAGGER_UI", "REDOC", "RAPIDOC"):
        assert not sqlite_app.config.get(f"OPENAPI_{name}_PATH")


# --- the document ---------------------------------------------------------------------


def test_document_is_valid_openapi_3(document):
    """Does the document validate against the OpenAPI 3.0 schema, with every `$ref` found?"""
    assert document["openapi"].startswith("3.0.")
    # The official OpenAPI 3.0 JSON Schema, as Schemathesis ships it.
    definitions = pytest.importorskip("schemathesis.specs.openapi.definitions")
    errors = [
        f"{'/'.join(map(str, error.instance_path))}: {error.message[:300]}"
        for error in jsonschema_rs.Draft4Validator(definitions.OPENAPI_30).iter_errors(document)
    ]
    assert errors == []
    for ref in re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)):
        assert isinstance(follow(document, ref), dict), ref


def test_document_loads_in_schemathesis(document):
    """Can every operation be read by a consumer of the document (Schemathesis)?"""
    results = list(schemathesis.openapi.from_dict(document).get_all_operations())
    assert [str(r.err()) for r in results if hasattr(r, "err")] == []
    assert len(results) == len(list(operations(document)))


def test_document_has_every_call_of_the_contract(document):
    """Does the document describe every call of API.md that the app implements?"""
    documented = {
        f"{method.upper()} {re.sub(r'{[^}]+}', '{}', path)}"
        for method, path, _ in operations(document)
    }
    assert sorted(set(CONTRACT) - documented) == []


def test_documented_errors_use_the_envelope(document):
    """Is every documented error response (4xx, 5xx, default) the one error envelope?"""
    envelope = follow(document, "#/components/schemas/Error")
    assert envelope["required"] == ["error"]
    body = resolve(document, envelope["properties"]["error"])
    assert set(body["required"]) == {"status", "code", "message"}
    assert body["properties"]["status"]["type"] == "integer"
    assert body["properties"]["code"]["type"] == body["properties"]["message"]["type"] == "string"
    assert body["properties"]["details"]["type"] == "object"

    for method, path, operation in operations(document):
        errors = {s: r for s, r in operation["responses"].items() if s == "default" or s >= "4"}
        assert "default" in errors, f"{method} {path}"
        for status, response in errors.items():
            response = resolve(document, response)
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_upload_is_one_multipart_body(document):
    """Is the upload documented as one multipart body holding both `kind` and `file`?"""
    operation = document["paths"]["/api/v1/tasks/{task_id}/documents"]["post"]
    assert [p["in"] for p in operation.get("parameters", [])] == []
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = resolve(document, content["multipart/form-data"]["schema"])
    assert set(schema["required"]) == {"kind", "file"}
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}


# --- in a real browser, with the network cut off ------------------------------------------


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        pass


@pytest.mark.browser
def test_docs_render_offline_in_chromium(sqlite_app, document):
    """Does headless Chromium render every operation at /api/docs without one request
    leaving this server?"""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    server = make_server(
        "127.0.0.1", 0, sqlite_app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_port}"
    outside, failed = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1366, "height": 900})

            def only_this_server(route):
                if route.request.url.startswith(origin + "/"):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_this_server)
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(f"{origin}/api/docs")
            expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
            assert page.locator(".opblock").count() == len(list(operations(document)))
            expect(page.locator(".info .title")).to_contain_text("SAKIP")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=True)
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert outside == [] and failed == []
