"""A whole measurement through the API, start to signed report."""


def test_whole_measurement_with_both_returns(runner, api):
    """Can a measurement run from step 1 to 12 through a return at each review?"""
    instance = runner.start("2026-Q1")
    task = runner.walk_to(instance["id"], 10)
    task = runner.advance(task, "return", note="Lengkapi data dukung")["next_tasks"][0]
    assert (task["step_no"], task["iteration"]) == (9, 2)
    task = runner.walk_to(instance["id"], 11)
    task = runner.advance(task, "return", note="Perbaiki capaian seksi PMD")["next_tasks"][0]
    assert (task["step_no"], task["iteration"]) == (9, 3)
    task = runner.walk_to(instance["id"], 12)
    result = runner.advance(task)
    assert result["next_tasks"] == []
    body = api.get(f"/api/v1/instances/{instance['id']}").get_json()
    assert body["status"] == "completed"
    assert body["returns"] == 2
    assert body["open_tasks"] == []
