"""Tests for `flask reminders send` (app/cli_reminders.py), the command cron or a timer runs."""

import time_machine

# The scenario's fixtures, asked for by name below.
from tests.services.test_reminders import (  # noqa: F401
    DOMAIN,
    NOW,
    arrived,
    expected_mails,
    late_tasks,
    people,
    smtp,
)


def test_the_command_mails_each_reminder_once_however_often_it_runs(app, request):
    """Does `flask reminders send`, run three times at 10:00, mail each reminder once and
    say what it did each time?"""
    server = request.getfixturevalue("smtp")
    tasks = request.getfixturevalue("late_tasks")
    runner = app.test_cli_runner()
    with time_machine.travel(NOW, tick=False):
        outputs = [runner.invoke(args=["reminders", "send"]).output for _ in range(3)]
    assert outputs[0] == "Reminders: 8 recorded, 7 sent, 0 failed (tried again on the next run).\n"
    assert (
        outputs[1]
        == outputs[2]
        == ("Reminders: 0 recorded, 0 sent, 0 failed (tried again on the next run).\n")
    )
    assert arrived(server) == expected_mails(tasks)


def test_the_command_without_mail_records_in_the_app(app, request):
    """Without MAIL_SERVER, does the command record the reminders and say mail is off?"""
    request.getfixturevalue("late_tasks")
    with time_machine.travel(NOW, tick=False):
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0
    assert result.output == (
        "Reminders: 8 recorded, 0 sent, 0 failed (tried again on the next run)"
        " (e-mail off: MAIL_SERVER is not set).\n"
    )
