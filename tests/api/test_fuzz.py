"""A fuzz of the whole JSON API: no input, however malformed, yields a 5xx.

Schemathesis draws requests for every operation of the app's own OpenAPI document, valid
(positive) and invalid (negative), with a bearer token of a user holding every SOP role and
with no valid credentials, against a measurement in progress. Hand-written Hypothesis tests
add what a schema cannot describe: arbitrary bytes, arbitrary JSON, huge numbers and deep
nesting in POST bodies; valid bodies with one field poisoned (NUL, lone surrogates, extreme
times); any path segment where an id belongs; multipart uploads of any file. Every refusal
must have the one error shape `{"error": {"status", "code", "message", "details"?}}`, and
every success its documented schema. The inputs that once got a 500 are pinned at the end.
"""

import io
import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app import create_app
from app.extensions import db
from app.models import ADMIN, OrgUnit, User
from app.services.accounts import create_user
from app.services.indicators import create_indicator, set_value
from tests.helpers import PASSWORD, ApiClient, SopRunner, make_users

OPENAPI = "/api/v1/openapi.json"
SOP_ROLES = ["camat", "sekcam", "kasi", "anggota"]
METHODS = ("get", "post", "put", "patch", "delete")
CREDENTIALS = ("token", "anonymous")

# Bounded so the whole file stays well under a minute on SQLite.
EXAMPLES = 12


def fuzz_settings(operations: int = 1) -> settings:
    """Hypothesis settings for `EXAMPLES` requests to each of `operations` operations."""
    return settings(
        max_examples=EXAMPLES * operations,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


FUZZ = fuzz_settings()


@cache
def _openapi_document() -> dict:
    """The OpenAPI document, read from an app without a database (for test collection)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_client().get(OPENAPI).get_json()


def _operations() -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in _openapi_document()["paths"].items()
        for method in item
        if method in METHODS
    ]


def _operations_with(method: str, *, templated: bool | None = None) -> list[str]:
    return [
        label
        for label in _operations()
        if label.startswith(f"{method} ") and templated in (None, "{" in label)
    ]


@dataclass
class FuzzTarget:
    """An app holding a measurement in progress, the ids that exist in it, and the document
    kinds its open step takes."""

    app: object
    token: str
    ids: dict[str, list]
    kinds: list[str]

    def client(self):
        return self.app.test_client()

    def headers(self, credentials: str) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if credentials == "token" else {}

    def concrete(self, path: str) -> str:
        """Fill a templated path with the first existing id of each parameter."""
        return re.sub(r"\{(\w+)\}", lambda m: str(self.ids[m.group(1)][0]), path)


@pytest.fixture
def target(sqlite_app) -> FuzzTarget:
    """A measurement at its first review, step 10 (steps 1-9 done, their documents uploaded),
    and a fuzzer user who holds every SOP role and the admin's, so any move and any change of
    a user may get through (his failed passwords never lock him out)."""
    sqlite_app.config.update(ACCOUNT_LOCK_FAILURES=10**6, ADDRESS_FAILURE_LIMIT=10**6)
    with sqlite_app.app_context():
        make_users()
        create_user(
            username="fuzzer",
            full_name="Penguji Fuzz",
            password=PASSWORD,
            roles=[*SOP_ROLES, ADMIN],
            actor="test",
        )
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        db.session.add(OrgUnit(code="pemerintahan", name="Seksi Pemerintahan", is_section=True))
        iku = create_indicator(
            code="IKU-1",
            name="Persentase desa yang menyampaikan LPPD tepat waktu",
            unit="%",
            polarity="positive",
            aggregation="last",
            section="pemerintahan",
            actor=admin,
        )
        set_value(iku, "2026-Q1", target=100, realization=90, actor=admin)
        db.session.commit()
    api = ApiClient(sqlite_app.test_client())
    runner = SopRunner(api)
    instance = runner.start("2026-Q1")
    open_task = runner.walk_to(instance["id"], 10)
    detail = api.get(f"/api/v1/instances/{instance['id']}").get_json()
    documents = api.get(f"/api/v1/instances/{instance['id']}/documents").get_json()
    notices = api.get("/api/v1/notifications", as_="fuzzer").get_json()
    ids = {
        "instance_id": [instance["id"]],
        # The open task first: the moves on it get furthest into the routing.
        "task_id": [open_task["id"]] + [t["id"] for t in detail["tasks"] if t["status"] == "done"],
        "document_id": [d["id"] for d in documents],
        # An SOP's code and an indicator's (each 404s where the other belongs).
        "code": ["pengukuran-kinerja", "IKU-1", "pemerintahan"],
        "period": ["2026-Q1", "2026"],
        "section": ["pemerintahan"],
        # A year with a list and one without.
        "year": [2027, 2031],
        # A user, and a name nobody has (the fuzzer himself stays out of reach).
        "username": ["kasi", "tidak-ada"],
        # The fuzzer's own notification (step 10 waits for his review as a Sekcam), and none.
        "notification_id": [n["id"] for n in notices["items"]] + [2_000_000_000],
    }
    assert ids["document_id"], "the fixture should have uploaded the steps' outputs"
    kinds = runner.definition()[open_task["step_no"]]["outputs"]
    return FuzzTarget(sqlite_app, api.token("fuzzer"), ids, kinds)


# --- the checks ------------------------------------------------------------------------


ERROR_KEYS = {"status", "code", "message"}


def assert_error_envelope(status: int, content_type: str, body: bytes) -> None:
    """Assert that a refusal has the one error shape, with `status` equal to the HTTP status."""
    if status < 400:
        return
    assert content_type.startswith("application/json"), content_type
    payload = json.loads(body)
    assert isinstance(payload, dict) and set(payload) == {"error"}, payload
    error = payload["error"]
    assert ERROR_KEYS <= set(error) <= ERROR_KEYS | {"details"}, error
    assert error["status"] == status, error
    assert isinstance(error["code"], str) and re.fullmatch(r"[a-z_]+", error["code"]), error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error.get("details", {}), dict), error


def error_envelope(ctx, response, case) -> None:
    """Schemathesis check: every error response has the one envelope."""
    content_type = (response.headers.get("content-type") or [""])[0]
    assert_error_envelope(response.status_code, content_type, response.content)


def assert_no_server_error(response) -> None:
    """Assert a test-client response is no 5xx, and a refusal has the one envelope."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert_error_envelope(response.status_code, response.content_type, response.get_data())


# --- schema-driven: every operation, positive and negative ------------------------------


def _without_authorization(case) -> None:
    """Drop the Authorization header Schemathesis drew for the case, if any."""
    for name in [n for n in (case.headers or {}) if n.lower() == "authorization"]:
        del case.headers[name]


@pytest.mark.slow
@pytest.mark.parametrize("label", _operations())
def test_operation_never_fails_on_the_server(target, label):
    """Does any generated request, valid or not, with or without credentials, get a 5xx, an
    error outside the envelope, or a success outside its documented schema?"""
    method, path = label.split(" ", 1)
    operation = schemathesis.openapi.from_wsgi(OPENAPI, target.app)[path][method]
    for credentials, mode in itertools.product(CREDENTIALS, GenerationMode):
        try:
            _fuzz_operation(target, operation, credentials, mode)
        except Unsatisfiable:
            # Nothing of the operation can be made invalid: no parameter, body or credentials.
            assert mode is GenerationMode.NEGATIVE
            assert not operation.body and not list(operation.iter_parameters())


def _fuzz_operation(target: FuzzTarget, operation, credentials: str, mode) -> None:
    strategy = operation.as_strategy(mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if names:
        # Random ids almost never exist; half the cases use ids that do.
        existing = st.fixed_dictionaries({n: st.sampled_from(target.ids[n]) for n in names})
        strategy = st.one_of(
            strategy,
            existing.flatmap(lambda ids: operation.as_strategy(mode, path_parameters=ids)),
        )
    checks = [not_a_server_error, error_envelope, response_schema_conformance]
    headers = target.headers(credentials)

    @FUZZ
    @given(case=strategy, keep_made_up_credentials=st.booleans())
    def fuzz(case, keep_made_up_credentials):
        note(f"credentials: {credentials}, mode: {mode.value}")
        # Anonymous is no valid credentials: none at all, or the made-up Authorization header
        # Schemathesis draws for the bearer scheme. With a token, `headers` replaces it.
        if not keep_made_up_credentials:
            _without_authorization(case)
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks)

    fuzz()


# --- hand-written: what the schema cannot describe ---------------------------------------

# JSON's \u escapes carry what no database keeps: NUL, control characters, lone surrogates.
JSON_TEXT = st.text(max_size=40) | st.text(
    alphabet=st.characters(categories=["Cs", "Cc"]), min_size=1, max_size=5
)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | JSON_TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(JSON_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)
HUGE_NUMBERS = st.sampled_from(
    [
        "99999999999999999999",
        "-99999999999999999999",
        str(2**31),
        str(2**63),
        str(2**64 + 1),
        "1" + "0" * 400,
        "1" + "0" * 5000,  # past Python's 4300-digit limit on int()
        "1e999",
        "-1e999",
        "1e-999",
        "NaN",
        "Infinity",
        "-0",
        "0.5",
    ]
) | st.integers(min_value=-(10**60), max_value=10**60).map(str)
BODY_FIELDS = [
    "username",
    "password",
    "sop",
    "period",
    "title",
    "started_at",
    "note",
    "occurred_at",
    "version",
    "decision",
    "kind",
    "file",
]


@st.composite
def huge_number_bodies(draw) -> str:
    """A JSON object whose fields (known and unknown) hold numbers no column can keep."""
    names = draw(st.lists(st.sampled_from([*BODY_FIELDS, "id", "x"]), min_size=1, max_size=4))
    pairs = [f"{json.dumps(name)}: {draw(HUGE_NUMBERS)}" for name in names]
    return "{" + ", ".join(pairs) + "}"


@st.composite
def deeply_nested(draw) -> str:
    """JSON nested far deeper than any parser's recursion limit, bare or under a field."""
    depth = draw(st.sampled_from([50, 999, 1001, 5000, 100_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    inner = opener * depth + "1" + closer * depth
    field = draw(st.sampled_from([None, *BODY_FIELDS]))
    return inner if field is None else "{" + json.dumps(field) + ": " + inner + "}"


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-16",
        "application/json; charset=bogus",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
        "application/octet-stream",
        "",
    ]
)
POST_BODIES = st.one_of(
    st.tuples(st.binary(max_size=300), CONTENT_TYPES),
    st.tuples(JSON_VALUES.map(lambda v: json.dumps(v).encode()), st.just("application/json")),
    st.tuples(huge_number_bodies().map(str.encode), st.just("application/json")),
    st.tuples(deeply_nested().map(str.encode), st.just("application/json")),
    st.tuples(st.text(max_size=200).map(str.encode), CONTENT_TYPES),
)


@pytest.mark.slow
def test_post_survives_any_body(target):
    """Do arbitrary bytes, JSON values, huge numbers and deep nesting, sent to each POST
    operation (on existing ids), get a 4xx, never a 5xx?"""
    paths = [target.concrete(label.split(" ", 1)[1]) for label in _operations_with("POST")]
    client = target.client()

    @fuzz_settings(len(paths))
    @given(
        path=st.sampled_from(paths),
        body=POST_BODIES,
        credentials=st.sampled_from(CREDENTIALS),
    )
    def fuzz(path, body, credentials):
        data, content_type = body
        headers = target.headers(credentials)
        if content_type:
            headers["Content-Type"] = content_type
        assert_no_server_error(client.post(path, data=data, headers=headers))

    fuzz()


EXTREME_TIMES = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",  # year 0 in UTC
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59+07:00",
        "2100-01-01T00:00:00+07:00",
        "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
        "2026-02-29T00:00:00+07:00",
        "2026-13-01T00:00:00+07:00",
        "2026-01-01T24:00:00+07:00",
        "2026-01-01T00:00:00+99:00",
        "2026-01-01T00:00:00",
        "2026-01-01",
        "now",
    ]
)


# A body each JSON operation accepts in the fixture's state; the test poisons a field or two.
VALID_BODIES = {
    "/api/v1/auth/token": st.fixed_dictionaries(
        {"username": st.just("fuzzer"), "password": st.just(PASSWORD)}
    ),
    "/api/v1/instances": st.fixed_dictionaries(
        {
            "sop": st.just("pengukuran-kinerja"),
            # A fresh period each time, so the request gets past the duplicate check.
            "period": st.builds(
                "{}{}".format, st.integers(2000, 2100), st.sampled_from(["", "-Q1", "-Q4"])
            ),
            "title": st.just("Uji"),
        }
    ),
    # The right current password with a weak new one (refused: the fuzzer keeps his), or a
    # wrong current password.
    "/api/v1/me/password": st.fixed_dictionaries(
        {
            "current_password": st.sampled_from([PASSWORD, "salah"]),
            "new_password": st.sampled_from([PASSWORD, "fuzzer", "password123"]),
        }
    ),
    "/api/v1/users": st.fixed_dictionaries(
        {
            # A fresh username and NIP each time, so the request gets past the duplicate check.
            "username": st.from_regex(r"\Afz[0-9]{1,9}\Z"),
            "full_name": st.just("Pengguna Uji"),
            "nip": st.from_regex(r"\A[0-9]{18}\Z"),
            "roles": st.just(["anggota"]),
            "password": st.sampled_from(["kopi-tubruk-senja-7", PASSWORD]),
        }
    ),
    "/api/v1/tasks/{task_id}/complete": st.fixed_dictionaries({"note": st.just("Selesai")}),
    "/api/v1/tasks/{task_id}/decision": st.fixed_dictionaries(
        {"decision": st.sampled_from(["approve", "return"]), "note": st.just("Arahan")}
    ),
    "/api/v1/tasks/{task_id}/sign": st.fixed_dictionaries(
        {"password": st.sampled_from([PASSWORD, "salah"])}
    ),
    "/api/v1/tasks/{task_id}/documents/generate": st.fixed_dictionaries(
        {"kind": st.sampled_from(["Draft Laporan Hasil Pengukuran Data Kinerja", "Nota Dinas"])}
    ),
    "/api/v1/indicators": st.fixed_dictionaries(
        {
            # A fresh code each time, so the request gets past the duplicate check.
            "code": st.from_regex(r"\AFZ-[0-9]{1,9}\Z"),
            "name": st.just("Indikator uji"),
            "unit": st.just("%"),
            "polarity": st.sampled_from(["positive", "negative"]),
            "aggregation": st.sampled_from(["sum", "average", "last"]),
            "section": st.just("pemerintahan"),
        }
    ),
    "/api/v1/sections": st.fixed_dictionaries(
        {
            # A fresh code each time, so the request gets past the duplicate check.
            "code": st.from_regex(r"\Afz-[0-9]{1,9}\Z"),
            "name": st.just("Seksi Uji"),
            "head": st.sampled_from([None, "kasi", "fuzzer"]),
        }
    ),
    "/api/v1/indicators/import": st.fixed_dictionaries(
        {
            "rows": st.lists(
                st.fixed_dictionaries(
                    {
                        "indicator": st.just("IKU-1"),
                        "period": st.sampled_from(["2026", "2026-Q2", "2026-Q4"]),
                        "realization": st.integers(0, 10**6) | st.floats(0, 1e6),
                    }
                ),
                min_size=1,
                max_size=1,
            )
        }
    ),
}
POISON = st.one_of(JSON_VALUES, JSON_TEXT, st.integers(-(2**70), 2**70))


def _json_body_fields(path: str) -> dict[str, st.SearchStrategy] | None:
    """The fields of a POST operation's JSON body, each with the poison that suits its type;
    None when the operation takes no JSON."""
    document = _openapi_document()
    content = document["paths"][path]["post"].get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = document["components"]["schemas"][name]["properties"]
    return {
        field: EXTREME_TIMES | POISON if spec.get("format") == "date-time" else POISON
        for field, spec in properties.items()
    }


def test_every_json_operation_has_a_valid_body():
    """Is there a valid body to poison for every POST operation that takes JSON?"""
    paths = [label.split(" ", 1)[1] for label in _operations_with("POST")]
    assert sorted(p for p in paths if _json_body_fields(p) is not None) == sorted(VALID_BODIES)


@pytest.mark.slow
def test_post_survives_poisoned_fields(target):
    """Does a valid body with one or two of its documented fields replaced by any JSON value,
    NUL or lone surrogates, an extreme time or a huge number get a 2xx or a 4xx, never a 5xx?
    The moves go to the instance's open task, so they reach the routing and the database."""
    paths = list(VALID_BODIES)
    fields = {path: _json_body_fields(path) for path in paths}
    client = target.client()
    instance = f"/api/v1/instances/{target.ids['instance_id'][0]}"
    headers = target.headers("token")

    @fuzz_settings(2 * len(paths))
    @given(path=st.sampled_from(paths), data=st.data())
    def fuzz(path, data):
        body = data.draw(VALID_BODIES[path])
        names = data.draw(st.lists(st.sampled_from(list(fields[path])), min_size=1, max_size=2))
        for name in names:
            body[name] = data.draw(fields[path][name], label=name)
        if "{task_id}" in path:
            open_tasks = client.get(instance, headers=headers).get_json()["open_tasks"]
            task_id = open_tasks[0]["id"] if open_tasks else target.ids["task_id"][0]
            path = path.replace("{task_id}", str(task_id))
        assert_no_server_error(client.post(path, json=body, headers=headers))

    fuzz()


ID_SEGMENTS = st.sampled_from(
    [
        "99999999999999999999",
        "-1",
        "0",
        "2147483647",
        "2147483648",
        "1.5",
        "1e3",
        "0x1",
        " 1",
        "1 ",
        "+1",
        "١",  # an Arabic-Indic digit one
        "１",  # a full-width digit one
        "\x00",
        "..",
        "%",
        "a" * 5000,
        "pengukuran-kinerja",
    ]
) | st.text(min_size=1, max_size=50)


@pytest.mark.slow
def test_get_survives_any_id_segment(target):
    """Does any path segment where an id belongs, in each GET operation, get a 200 or a 4xx,
    never a 5xx?"""
    paths = [label.split(" ", 1)[1] for label in _operations_with("GET", templated=True)]
    client = target.client()

    @fuzz_settings(len(paths))
    @given(
        path=st.sampled_from(paths),
        segment=ID_SEGMENTS,
        credentials=st.sampled_from(CREDENTIALS),
    )
    def fuzz(path, segment, credentials):
        url = re.sub(r"\{\w+\}", quote(segment, safe=""), path)
        assert_no_server_error(client.get(url, headers=target.headers(credentials)))

    fuzz()


MAGIC = st.sampled_from([b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"])
FILENAMES = st.sampled_from(
    [
        "laporan.pdf",
        "../../etc/passwd.pdf",
        "C:\\Windows\\system.ini.pdf",
        "",
        ".pdf",
        "a" * 1000 + ".pdf",
        "nota\x00.pdf",
        'nota"; filename=x.pdf',
        "ñota dinas ✓.PDF",
        "scan.png",
        "rekap.xlsx",
        "script.exe",
    ]
) | st.text(max_size=60)


@pytest.mark.slow
def test_upload_survives_any_file(target):
    """Does a multipart upload of any file, name or kind get a 201 or a 4xx, never a 5xx,
    and is a stored file's name always reduced to a safe one?"""
    client = target.client()
    open_task = target.ids["task_id"][0]

    @fuzz_settings(4)
    @given(
        task_id=st.sampled_from([*target.ids["task_id"], 999_999]),
        kind=st.sampled_from([*target.kinds, "Nota Dinas"]) | st.text(max_size=300),
        content=st.tuples(MAGIC, st.binary(max_size=200)).map(b"".join),
        filename=FILENAMES,
        file_as_text=st.booleans(),
        credentials=st.sampled_from(CREDENTIALS),
    )
    def fuzz(task_id, kind, content, filename, file_as_text, credentials):
        file_part = content.decode("latin-1") if file_as_text else (io.BytesIO(content), filename)
        response = client.post(
            f"/api/v1/tasks/{task_id}/documents",
            data={"kind": kind, "file": file_part},
            headers=target.headers(credentials),
            content_type="multipart/form-data",
        )
        assert_no_server_error(response)
        if response.status_code == 201:
            assert task_id == open_task and credentials == "token"
            assert re.fullmatch(r"[A-Za-z0-9._-]+", response.get_json()["filename"])

    fuzz()


# --- what the fuzz found, pinned ----------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
FOUND = [
    # (what, method, path, JSON body or raw text, status, code)
    ("JSON nested past the recursion limit", "POST", "/api/v1/instances", DEEP, 400, "bad_request"),
    (
        "an integer of 5000 digits",
        "POST",
        "/api/v1/tasks/{task_id}/complete",
        '{"version": 1' + "0" * 5000 + "}",
        400,
        "bad_request",
    ),
    (
        "a lone surrogate in a name",
        "POST",
        "/api/v1/auth/token",
        {"username": "\ud800", "password": "x"},
        422,
        "validation_error",
    ),
    (
        "a NUL in a title (PostgreSQL refuses it)",
        "POST",
        "/api/v1/instances",
        {"period": "2027", "title": "a\x00b"},
        422,
        "validation_error",
    ),
    (
        "a start in year 1 at +14:00, year 0 in UTC",
        "POST",
        "/api/v1/instances",
        {"period": "2027", "started_at": "0001-01-01T00:00:00+14:00"},
        422,
        "invalid_started_at",
    ),
    (
        "a start in year 1, which made every read of the instance take seconds",
        "POST",
        "/api/v1/instances",
        {"period": "2027", "started_at": "0001-01-01T00:00:00Z"},
        422,
        "invalid_started_at",
    ),
    ("a NUL in an SOP code (PostgreSQL)", "GET", "/api/v1/sops/a%00b", None, 404, "unknown_sop"),
]


def test_what_the_fuzz_found_stays_fixed(target):
    """Do the inputs that once got a 500 (or an instance in year 1) now get their 4xx?"""
    client = target.client()
    for what, method, path, body, status, code in FOUND:
        url = target.concrete(path)
        if isinstance(body, dict):
            kwargs = {"json": body}
        else:
            kwargs = {"data": body, "content_type": "application/json"}
        response = client.open(url, method=method, headers=target.headers("token"), **kwargs)
        assert response.status_code == status, (what, response.get_json())
        assert response.get_json()["error"]["code"] == code, (what, response.get_json())
