"""Who signs and who initials (paraf) a generated document, as the office's paper forms have
it, found from the SOP definition and the accounts (no role code is written here):

- the people who prepare a document are the actors of the step that generates it (the Tim
  SAKIP for the kertas kerja and the recap); each initials it in the paraf box;
- a section's kertas kerja is signed by its Kepala Seksi (the section's head);
- a document that is not one section's is acknowledged (*mengetahui*) by the actor the
  preparers escalate to (the Sekretaris Camat for the Tim SAKIP).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import OrgUnit, User, UserRole
from app.services.sop_definitions import SopDefinition, Step


@dataclass(frozen=True)
class Signatory:
    """A person on a signature line: name and NIP (None prints a dotted NIP)."""

    full_name: str
    nip: str | None


@dataclass(frozen=True)
class Position:
    """A place on a document for one signature: the title printed above it (e.g. "Kepala
    Seksi Pemerintahan") and who holds it (None: a blank line to sign by hand)."""

    title: str
    signatory: Signatory | None


@dataclass(frozen=True)
class Paraf:
    """The paraf box of the people who prepared a document: their role's name and each of
    them."""

    title: str
    people: list[Signatory]


def holders_of(roles: tuple[str, ...]) -> list[Signatory]:
    """Return the active accounts holding one of `roles`, oldest first."""
    users = db.session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active_account.is_(True))
        .order_by(User.id)
        .distinct()
    ).all()
    return [Signatory(user.full_name, user.nip) for user in users]


def generating_step(definition: SopDefinition, generator: str) -> Step | None:
    """Return the step that generates documents of `generator`, if the SOP has one."""
    return next(
        (s for s in definition.steps if generator in dict(s.generated_outputs).values()), None
    )


def paraf_of(definition: SopDefinition, generator: str) -> Paraf | None:
    """Return the paraf box of the people who prepare `generator`'s document, or None when
    no step of the SOP generates it."""
    step = generating_step(definition, generator)
    if step is None:
        return None
    names = definition.actor_names(step.actors)
    return Paraf(" / ".join(names), holders_of(step.actors))


def section_head(section_code: str, section_name: str) -> Position:
    """Return the Kepala Seksi's signature place of a section's kertas kerja."""
    unit = db.session.scalar(sa.select(OrgUnit).filter_by(code=section_code))
    head = unit.head if unit is not None else None
    signatory = Signatory(head.full_name, head.nip) if head is not None else None
    return Position(f"Kepala {section_name}", signatory)


def acknowledger(definition: SopDefinition, generator: str) -> Position | None:
    """Return who acknowledges (*mengetahui*) `generator`'s document: the actor the
    preparers escalate to, or None when the SOP names none."""
    step = generating_step(definition, generator)
    if step is None:
        return None
    escalations = {definition.actor(code).escalates_to for code in step.actors} - {None}
    above = [definition.actor(code) for code in sorted(escalations) if definition.actor(code)]
    if not above:
        return None
    holders = holders_of((above[0].code,))
    return Position(above[0].name, holders[0] if holders else None)
