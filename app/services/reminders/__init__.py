"""Reminders: in-app notifications of tasks, e-mailed once, and their escalation.

`moves` records what a move makes (returned to you, waiting for your review) inside the
move's transaction; `due` finds what the clock makes (due soon, overdue, escalated);
`recording` writes both with one INSERT … SELECT that a twin row turns into nothing;
`mail` claims and sends the pending e-mails; `sender` is `flask reminders send`;
`inbox` is what a user reads and marks.
"""
