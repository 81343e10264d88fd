"""SOP definitions: load and validate the definition files, and pin their versions.

A definition file is YAML (see the shipped ones in `app/sops/`). Each distinct
content becomes a numbered `SopVersion` row holding a frozen copy, and an instance
runs on the copy it started with, so editing the file never changes a run in progress.
"""

import hashlib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, post_dump, validate

from app.errors import DomainError
from app.extensions import db
from app.models import ROLE_CODE, SYSTEM_ROLES, SopVersion

# An actor's code is the role its users hold: any well-formed code but a system role's.
ACTOR_CODE = [
    validate.Regexp(ROLE_CODE, error="not a role code (a-z, 0-9, _; at most 40 characters)"),
    validate.NoneOf(SYSTEM_ROLES, error="{input!r} is a system role, not an SOP actor"),
]
STEP_KINDS = ("task", "decision")
STANDARD_UNITS = ("minute", "day")
GENERATOR_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# The document generators a step's `generated_outputs` may name. The reports service
# registers its own, so this module needs no report imports; until something registers,
# only the form of a name is checked.
_generator_names: frozenset[str] | None = None
# Generators whose document carries a signature: only the signing service makes their
# outputs (it asks for the signer's password), never an upload or the plain generate.
_signing_generators: frozenset[str] = frozenset()


def register_generators(names: Iterable[str], *, signing: bool = False) -> None:
    """Add `names` to the document generators definitions may name (`signing`: ones that only
    the signing service may run)."""
    global _generator_names, _signing_generators
    names = frozenset(names)
    _generator_names = (_generator_names or frozenset()) | names
    if signing:
        _signing_generators |= names


def known_generators() -> frozenset[str] | None:
    """Return the registered generator names, or None when none are registered yet."""
    return _generator_names


class _DefinitionLoader(yaml.SafeLoader):
    """YAML 1.1 reads `no:` as false; in a definition only true and false are booleans."""


_DefinitionLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_DefinitionLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class SopDefinitionError(ValueError):
    """A definition file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Standard:
    value: int
    unit: str


@dataclass(frozen=True)
class Step:
    no: int
    name: str
    kind: str
    actors: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    required_outputs: tuple[str, ...]
    standard: Standard
    next: int | None
    on_return: int | None
    # (kind, generator name) pairs: outputs the system can render itself.
    generated_outputs: tuple[tuple[str, str], ...] = ()
    # Decisions only: the step whose work this decision reviews.
    reviews: int | None = None

    @property
    def is_decision(self) -> bool:
        return self.kind == "decision"

    def generator_of(self, kind: str) -> str | None:
        """Name the generator that renders output `kind`, if the system can make it."""
        return dict(self.generated_outputs).get(kind)

    @property
    def signed_outputs(self) -> tuple[str, ...]:
        """The outputs made only by signing (their generator is a signing one)."""
        return tuple(k for k, name in self.generated_outputs if name in _signing_generators)


@dataclass(frozen=True)
class Actor:
    code: str
    name: str
    # The actor a late task of this actor is escalated to (another actor of the same SOP).
    escalates_to: str | None = None


@dataclass(frozen=True)
class SopDefinition:
    code: str
    title: str
    organisation: str
    identity: dict[str, Any]
    actors: tuple[Actor, ...]
    steps: tuple[Step, ...]
    # Look-ups every card and move makes, built once with the definition.
    _steps_by_no: dict[int, Step] = field(init=False, repr=False, compare=False)
    _actor_names: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_steps_by_no", {step.no: step for step in self.steps})
        object.__setattr__(self, "_actor_names", {a.code: a.name for a in self.actors})

    def step(self, no: int) -> Step:
        """Return step `no`; a missing step is a bug in a validated definition."""
        try:
            return self._steps_by_no[no]
        except KeyError:
            raise KeyError(f"{self.code} has no step {no}") from None

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    @property
    def starters(self) -> tuple[str, ...]:
        """The actor roles that may start a run: those of the first step (an admin may too)."""
        return self.first_step.actors

    @property
    def signing_step(self) -> Step | None:
        """The step whose output only signing makes, if the SOP has one."""
        return next((step for step in self.steps if step.signed_outputs), None)

    def actor(self, code: str) -> Actor | None:
        """Return the actor `code`, or None when the SOP has no such actor."""
        return next((actor for actor in self.actors if actor.code == code), None)

    def actor_names(self, codes: tuple[str, ...]) -> list[str]:
        """Name the actors of `codes` as the SOP's lanes call them."""
        return [self._actor_names.get(code, code) for code in codes]


class _StandardSchema(Schema):
    class Meta:
        unknown = RAISE

    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100_000))
    unit = fields.String(required=True, validate=validate.OneOf(STANDARD_UNITS))


class _StepSchema(Schema):
    class Meta:
        unknown = RAISE

    no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=999))
    name = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    kind = fields.String(required=True, validate=validate.OneOf(STEP_KINDS))
    actors = fields.List(
        fields.String(validate=ACTOR_CODE), required=True, validate=validate.Length(min=1)
    )
    inputs = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)
    outputs = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True)
    required_outputs = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)), load_default=list
    )
    standard = fields.Nested(_StandardSchema, required=True)
    next = fields.Integer(required=True, allow_none=True, strict=True)
    on_return = fields.Integer(load_default=None, allow_none=True, strict=True)
    reviews = fields.Integer(load_default=None, allow_none=True, strict=True)
    generated_outputs = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(validate=validate.Regexp(GENERATOR_NAME)),
        load_default=dict,
    )

    @post_dump
    def omit_empty_optional_fields(self, data, **kwargs):
        # A definition without these fields keeps the content hash it had before they
        # existed, so upgrading registers no new version of it.
        if not data.get("generated_outputs"):
            data.pop("generated_outputs", None)
        if data.get("reviews") is None:
            data.pop("reviews", None)
        return data


class _ActorSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=ACTOR_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    escalates_to = fields.String(load_default=None, allow_none=True, validate=ACTOR_CODE)

    @post_dump
    def omit_no_escalation(self, data, **kwargs):
        # As for a step's optional fields: the content hash stays as it was without it.
        if data.get("escalates_to") is None:
            data.pop("escalates_to", None)
        return data


class _DefinitionSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,78}$"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    organisation = fields.String(load_default="")
    identity = fields.Dict(load_default=dict)
    actors = fields.List(
        fields.Nested(_ActorSchema), required=True, validate=validate.Length(min=1)
    )
    steps = fields.List(fields.Nested(_StepSchema), required=True, validate=validate.Length(min=1))


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            part = f"[{key}]" if isinstance(key, int) else (f".{key}" if prefix else str(key))
            out.extend(_flatten(value, prefix + part))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {' '.join(messages)}"]
    return [f"{prefix}: {messages}"]


def _check_generated_outputs(data: dict, generators: Collection[str] | None) -> list[str]:
    """Check that each generated output is one of the step's outputs, made by a known
    generator (`generators` None: any well-formed name)."""
    problems: list[str] = []
    for i, step in enumerate(data["steps"]):
        for kind, name in step["generated_outputs"].items():
            where = f"steps[{i}].generated_outputs"
            if kind not in step["outputs"]:
                problems.append(f"{where}: {kind!r} is not among the outputs")
            if generators is not None and name not in generators:
                known = ", ".join(sorted(generators)) or "none"
                problems.append(f"{where}: unknown generator {name!r} (known: {known})")
    return problems


def _check_graph(data: dict) -> list[str]:
    """Check the flow: unique numbers, existing targets, one end, every step reachable."""
    problems = _check_actors(data["actors"])
    actors = {a["code"] for a in data["actors"]}
    steps = data["steps"]
    for i, step in enumerate(steps):
        earlier = [s["no"] for s in steps[:i]]
        problems += _check_step(f"steps[{i}]", step, steps, actors)
        if step["kind"] == "decision":
            problems += _check_decision(f"steps[{i}]", step, steps, earlier)
        else:
            problems += _check_decision_fields_absent(f"steps[{i}]", step)
    if problems:
        return problems
    return _check_one_end(steps) + _check_reachable(steps)


def _check_actors(actors: list[dict]) -> list[str]:
    """Check that actor codes are unique and each escalation names another actor."""
    problems: list[str] = []
    codes = [a["code"] for a in actors]
    for i, actor in enumerate(actors):
        where = f"actors[{i}]"
        if codes.count(actor["code"]) > 1:
            problems.append(f"{where}.code: actor {actor['code']!r} is listed twice")
        target = actor["escalates_to"]
        if target is not None and target not in codes:
            problems.append(f"{where}.escalates_to: {target!r} is not one of the SOP's actors")
        elif target == actor["code"]:
            problems.append(f"{where}.escalates_to: an actor cannot escalate to itself")
    return problems


def _check_step(where: str, step: dict, steps: list[dict], actors: set[str]) -> list[str]:
    """Check one step's number, actors, required outputs and next step."""
    problems: list[str] = []
    numbers = [s["no"] for s in steps]
    if numbers.count(step["no"]) > 1:
        problems.append(f"{where}.no: step number {step['no']} is used twice")
    for code in step["actors"]:
        if code not in actors:
            problems.append(f"{where}.actors: {code!r} is not one of the SOP's actors")
    for kind in step["required_outputs"]:
        if kind not in step["outputs"]:
            problems.append(f"{where}.required_outputs: {kind!r} is not among the outputs")
    if step["next"] is not None and step["next"] not in numbers:
        problems.append(f"{where}.next: refers to unknown step {step['next']}")
    return problems


def _check_decision(where: str, step: dict, steps: list[dict], earlier: list[int]) -> list[str]:
    """Check a decision's return target, its approval target and the step it reviews."""
    problems: list[str] = []
    numbers = [s["no"] for s in steps]
    if step["on_return"] is None:
        problems.append(f"{where}.on_return: a decision needs a return target")
    elif step["on_return"] not in numbers:
        problems.append(f"{where}.on_return: refers to unknown step {step['on_return']}")
    elif step["on_return"] == step["no"]:
        problems.append(f"{where}.on_return: a decision cannot return to itself")
    if step["next"] is None:
        problems.append(f"{where}.next: a decision needs a step to approve to")
    reviewed = step["reviews"]
    if reviewed is not None and reviewed not in earlier:
        problems.append(f"{where}.reviews: must name a step listed before it, not {reviewed}")
    return problems


def _check_decision_fields_absent(where: str, step: dict) -> list[str]:
    """Check that a plain task carries none of a decision's fields."""
    problems: list[str] = []
    if step["on_return"] is not None:
        problems.append(f"{where}.on_return: only a decision step can return")
    if step["reviews"] is not None:
        problems.append(f"{where}.reviews: only a decision step reviews")
    return problems


def _check_one_end(steps: list[dict]) -> list[str]:
    ends = [s["no"] for s in steps if s["next"] is None]
    if len(ends) != 1:
        return [f"steps: exactly one step must end the SOP (next: null), found {ends}"]
    return []


def _check_reachable(steps: list[dict]) -> list[str]:
    """Check that every step can be reached from the first by approvals and returns."""
    by_no = {s["no"]: s for s in steps}
    seen: set[int] = set()
    frontier = [steps[0]["no"]]
    while frontier:
        no = frontier.pop()
        if no in seen:
            continue
        seen.add(no)
        step = by_no[no]
        frontier.extend(n for n in (step["next"], step["on_return"]) if n is not None)
    first = steps[0]["no"]
    return [
        f"steps: step {s['no']} cannot be reached from step {first}"
        for s in steps
        if s["no"] not in seen
    ]


def parse_definition(
    data: Any, source: str, generators: Collection[str] | None = None
) -> SopDefinition:
    """Validate a definition's data; raise `SopDefinitionError` naming `source` and the field.

    Generated outputs must name one of `generators` (by default the registered ones)."""
    return _parse(data, source, known_generators() if generators is None else generators)


def _parse(data: Any, source: str, generators: Collection[str] | None) -> SopDefinition:
    """Validate and build a definition; `generators` None accepts any well-formed name."""
    if not isinstance(data, dict):
        raise SopDefinitionError(
            f"{source}: the file must hold a mapping, not {type(data).__name__}"
        )
    try:
        clean = _DefinitionSchema().load(data)
    except ValidationError as err:
        raise SopDefinitionError(f"{source}: " + "; ".join(_flatten(err.messages))) from None
    problems = _check_graph(clean) + _check_generated_outputs(clean, generators)
    if problems:
        raise SopDefinitionError(f"{source}: " + "; ".join(problems))
    return _build(clean)


def _build(clean: dict) -> SopDefinition:
    return SopDefinition(
        code=clean["code"],
        title=clean["title"],
        organisation=clean["organisation"],
        identity=clean["identity"],
        actors=tuple(Actor(a["code"], a["name"], a["escalates_to"]) for a in clean["actors"]),
        steps=tuple(
            Step(
                no=s["no"],
                name=s["name"],
                kind=s["kind"],
                actors=tuple(s["actors"]),
                inputs=tuple(s["inputs"]),
                outputs=tuple(s["outputs"]),
                required_outputs=tuple(s["required_outputs"]),
                standard=Standard(**s["standard"]),
                next=s["next"],
                on_return=s["on_return"],
                generated_outputs=tuple(s["generated_outputs"].items()),
                reviews=s["reviews"],
            )
            for s in clean["steps"]
        ),
    )


# Parsed files by path, kept while the file's modification time and size (and the
# generators it was checked against) stay the same.
_files: dict[Path, tuple[tuple[int, int, frozenset[str] | None], tuple[SopDefinition, dict]]] = {}


def load_definition_file(path: Path | str) -> tuple[SopDefinition, dict]:
    """Read and validate one definition file; answer the definition and its canonical data."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as err:
        raise SopDefinitionError(f"{path}: cannot be read ({err.strerror})") from None
    stamp = (stat.st_mtime_ns, stat.st_size, known_generators())
    cached = _files.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    result = _read_definition_file(path)
    _files[path] = (stamp, result)
    return result


def _read_definition_file(path: Path) -> tuple[SopDefinition, dict]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DefinitionLoader)
    except OSError as err:
        raise SopDefinitionError(f"{path}: cannot be read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise SopDefinitionError(f"{path}: not valid YAML ({err})") from None
    definition = parse_definition(data, str(path))
    return definition, _DefinitionSchema().dump(_DefinitionSchema().load(data))


def _content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def sync_definitions(sop_dir: Path | str) -> list[SopVersion]:
    """Register every definition file of `sop_dir` whose content is new as a new version."""
    versions = []
    for path in sorted(Path(sop_dir).glob("*.yaml")):
        definition, data = load_definition_file(path)
        versions.append(_register(definition.code, definition.title, data))
    return versions


def _register(code: str, title: str, data: dict) -> SopVersion:
    content_sha256 = _content_hash(data)
    existing = db.session.scalar(
        sa.select(SopVersion).filter_by(code=code, content_sha256=content_sha256)
    )
    if existing:
        return existing
    latest = db.session.scalar(sa.select(sa.func.max(SopVersion.version)).filter_by(code=code))
    row = SopVersion(
        code=code,
        version=(latest or 0) + 1,
        title=title,
        content_sha256=content_sha256,
        definition=data,
    )
    db.session.add(row)
    db.session.flush()
    return row


def latest_version(code: str) -> SopVersion:
    """Return the newest registered version of SOP `code`, or a 404 naming it."""
    if "\x00" in code:
        # No code of ours holds a NUL, and PostgreSQL cannot even compare text that does.
        raise DomainError(404, "unknown_sop", sop=code)
    row = db.session.scalar(
        sa.select(SopVersion).filter_by(code=code).order_by(SopVersion.version.desc()).limit(1)
    )
    if row is None:
        raise DomainError(404, "unknown_sop", sop=code)
    return row


def list_latest_versions() -> list[SopVersion]:
    """Return the newest version of every SOP, by code."""
    newest = (
        sa.select(SopVersion.code, sa.func.max(SopVersion.version).label("version"))
        .group_by(SopVersion.code)
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(SopVersion)
            .join(
                newest,
                sa.and_(SopVersion.code == newest.c.code, SopVersion.version == newest.c.version),
            )
            .order_by(SopVersion.code)
        )
    )


def merged_actors(definitions: Iterable[SopDefinition]) -> tuple[Actor, ...]:
    """The actors of `definitions`, each code once, as the first definition naming it has it."""
    actors: dict[str, Actor] = {}
    for definition in definitions:
        for actor in definition.actors:
            actors.setdefault(actor.code, actor)
    return tuple(actors.values())


def actor_codes() -> set[str]:
    """Return the actor codes of every registered SOP version: the roles users may hold
    besides the system roles."""
    return {
        actor.code
        for version in db.session.scalars(sa.select(SopVersion))
        for actor in definition_of(version).actors
    }


# Versions never change once registered, so every worker may keep its own parsed copy.
_parsed: dict[str, SopDefinition] = {}


def definition_of(version: SopVersion) -> SopDefinition:
    """Return the parsed definition frozen in `version`."""
    parsed = _parsed.get(version.content_sha256)
    if parsed is None:
        # Checked against the generators when it was registered; one retired since then must
        # not stop the runs pinned to this version (generating it is refused instead).
        parsed = _parse(version.definition, f"sop_version {version.id}", generators=None)
        _parsed[version.content_sha256] = parsed
    return parsed
