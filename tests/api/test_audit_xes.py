"""Tests for the XES event log (app/services/audit/xes.py through `GET /api/v1/audit`): a
walked measurement read back by pm4py, and a process model discovered from it."""

from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from tests.api.test_audit import exported

XES = "{http://www.xes-standard.org/}"


def walk_with_a_return(runner, period: str) -> dict:
    """A measurement walked to its signature, its recap returned once by the Sekcam."""
    steps = runner.definition()
    instance = runner.start(period)
    decision = next(no for no, step in steps.items() if step["kind"] == "decision")
    task = runner.walk_to(instance["id"], decision)
    returned = runner.advance(task, decision="return", note="Lengkapi rekap")
    task = returned["next_tasks"][0]
    while task is not None:
        body = runner.advance(task)
        task = (body["next_tasks"] or [None])[0]
    return instance


@pytest.fixture
def walked(api, runner) -> dict:
    """One finished measurement with a return, and one left open at step 3."""
    finished = walk_with_a_return(runner, "2026-Q1")
    open_one = runner.start("2026-Q2")
    runner.walk_to(open_one["id"], 3)
    return {"finished": finished, "open": open_one}


def read_log(api, tmp_path, **params):
    import pm4py  # heavy: only these tests load it

    path = tmp_path / "audit.xes"
    response = exported(api, format="xes", **params)
    assert response.headers["Content-Type"].startswith("application/xml")
    assert response.headers["Content-Disposition"].endswith('.xes"')
    path.write_bytes(response.data)
    return pm4py.read_xes(str(path), return_legacy_log_object=True), response.data


def test_the_log_has_a_trace_per_measurement_and_an_event_per_opening_and_move(
    api, runner, walked, app, tmp_path
):
    """Does pm4py read one trace per measurement, with its id, title, period and SOP, and
    for every task a `start` at its opening and a `complete` at its move, named by the step,
    with the user, his role, the outcome and the task's working minutes?"""
    log, _ = read_log(api, tmp_path)
    traces = {trace.attributes["sakip:instance_id"]: trace for trace in log}
    finished, open_one = walked["finished"], walked["open"]
    assert set(traces) == {finished["id"], open_one["id"]}
    steps = runner.definition()
    trace = traces[finished["id"]]
    assert trace.attributes["sakip:title"] == finished["title"]
    assert trace.attributes["sakip:period"] == "2026-Q1"
    assert trace.attributes["sakip:sop"] == finished["sop"]
    assert trace.attributes["sakip:returns"] == 1
    with app.app_context():
        tasks = db.session.execute(
            sa.select(Task).where(Task.instance_id == finished["id"]).order_by(Task.id)
        ).scalars()
        expected = [(t.step_no, t.iteration, t.opened_at, t.closed_at, t.working_minutes,
                     t.outcome.value) for t in tasks]  # fmt: skip
    # Two rounds of the recap and its check: every step once, the returned ones twice.
    assert len(expected) == len(steps) + 2
    assert len(trace) == 2 * len(expected)
    starts = [e for e in trace if e["lifecycle:transition"] == "start"]
    completes = [e for e in trace if e["lifecycle:transition"] == "complete"]
    assert len(starts) == len(completes) == len(expected)
    for event, (no, iteration, _opened, closed, minutes, outcome) in zip(
        completes, expected, strict=True
    ):
        assert (event["concept:name"], event["sakip:step_no"]) == (steps[no]["name"], no)
        assert event["sakip:iteration"] == iteration
        assert event["org:resource"] == runner.actor_of(no)
        assert event["org:role"] == steps[no]["actors"][0]
        assert event["sakip:outcome"] == outcome
        assert event["sakip:working_minutes"] == minutes
        assert abs(event["time:timestamp"] - closed) < timedelta(milliseconds=1)
    for event, (no, iteration, opened, *_rest) in zip(starts, expected, strict=True):
        assert (event["concept:name"], event["sakip:iteration"]) == (steps[no]["name"], iteration)
        assert "+".join(steps[no]["actors"]) == event["org:role"]
        assert abs(event["time:timestamp"] - opened) < timedelta(milliseconds=1)
    outcomes = [e["sakip:outcome"] for e in completes]
    assert outcomes.count("returned") == 1 and "approved" in outcomes
    # Each task opens before it closes, and the log is in time order within the trace.
    times = [event["time:timestamp"] for event in trace]
    assert times == sorted(times)
    # The open measurement: steps 1 and 2 done, step 3 open (a start without a complete).
    lifecycle = [(e["sakip:step_no"], e["lifecycle:transition"]) for e in traces[open_one["id"]]]
    assert lifecycle == [(1, "start"), (1, "complete"), (2, "start"), (2, "complete"),
                         (3, "start")]  # fmt: skip


def test_a_model_discovered_from_the_log_has_the_sop_steps_as_activities(
    api, runner, walked, tmp_path
):
    """Does pm4py discover, from the log, a directly-follows graph and a Petri net whose
    activities are the SOP's steps, with the return from the check back to the recap?"""
    import pm4py

    log, _ = read_log(api, tmp_path)
    steps = runner.definition()
    names = {step["name"] for step in steps.values()}
    completed = pm4py.filter_event_attribute_values(
        log, "lifecycle:transition", ["complete"], level="event"
    )
    dfg, first, last = pm4py.discover_dfg(completed)
    assert {a for edge in dfg for a in edge} == names
    decision = next(no for no, step in steps.items() if step["kind"] == "decision")
    back = steps[decision]["on_return"]
    assert (steps[decision]["name"], steps[back]["name"]) in dfg
    assert set(first) == {steps[min(steps)]["name"]}
    assert set(last) == {steps[max(steps)]["name"], steps[2]["name"]}
    net, _initial, _final = pm4py.discover_petri_net_inductive(completed)
    labels = {t.label for t in net.transitions if t.label is not None}
    assert labels == names


def test_the_log_is_well_formed_xes_and_filters_by_actor(api, walked, tmp_path):
    """Is the file one `log` of the XES namespace declaring the extensions it uses, every
    event with the global attributes and its time in the office's zone; and does `actor`
    keep only that user's moves?"""
    log, content = read_log(api, tmp_path)
    root = ElementTree.fromstring(content)
    assert root.tag == f"{XES}log" and root.get("xes.version") == "1849-2016"
    prefixes = {e.get("prefix") for e in root.findall(f"{XES}extension")}
    assert prefixes == {"concept", "time", "org", "lifecycle"}
    for event in root.iter(f"{XES}event"):
        keys = {child.get("key") for child in event}
        assert {"concept:name", "time:timestamp", "lifecycle:transition"} <= keys
        assert {key.split(":")[0] for key in keys} <= prefixes | {"sakip"}
        stamp = event.find(f"{XES}date[@key='time:timestamp']").get("value")
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(hours=7), stamp
    only, _ = read_log(api, tmp_path, actor="sekcam")
    assert len(only) == 2
    resources = {e["org:resource"] for trace in only for e in trace if "org:resource" in e}
    assert resources == {"sekcam"}


def test_the_xes_export_is_audited(api, walked, tmp_path):
    """Is each XES export an audit event with its format and the count of moves?"""
    read_log(api, tmp_path)
    events = api.get("/api/v1/audit?action=audit.exported", as_="admin").get_json()["items"]
    assert [event["data"]["format"] for event in events] == ["xes"]
    assert events[0]["data"]["count"] > 0
