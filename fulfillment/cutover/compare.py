"""Two endpoint versions against what the connector reads and writes (pure: no database, no
HTTP). Each version is judged by its own swagger, as the instance serves it, and by what the
client knows of it (``connector.acumatica.endpoints``):

* a **problem** blocks the switch: a field the connector needs is missing on the new version,
  or the swagger disagrees with the client's knowledge (another name or type than the client
  would send or read), or an action is missing;
* a **difference** is what changes and the client handles: a renamed field, a drop-down that
  becomes ``StringSingleSelectValue``, an optional field one version lacks;
* **unused** lists what the new version adds to the top-level entities that the connector does
  not touch (25.200.001's ``_workflowActions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.acumatica.endpoints import EndpointVersion

from .surface import ACTIONS, OPTIONAL, TYPES, surface


@dataclass(frozen=True)
class FieldChange:
    entity: str
    field: str  # the connector's name
    pinned: str  # "LastModified: DateTimeValue", or "—" when absent
    target: str
    note: str

    def as_dict(self) -> dict[str, str]:
        return {
            "entity": self.entity,
            "field": self.field,
            "pinned": self.pinned,
            "target": self.target,
            "note": self.note,
        }


@dataclass
class Comparison:
    pinned: str
    target: str
    differences: list[FieldChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    fields_checked: int = 0


def properties(schemas: Mapping[str, Any], entity: str) -> dict[str, str]:
    """An entity's properties in a swagger document's schemas: name → type (``StringValue``,
    ``ShipmentDetail[]``, ``object``)."""
    schema = schemas.get(entity)
    if not isinstance(schema, Mapping):
        return {}
    found: dict[str, str] = {}
    for part in schema.get("allOf", [schema]):
        if not isinstance(part, Mapping):
            continue
        for name, prop in (part.get("properties") or {}).items():
            if isinstance(prop, Mapping):
                found[name] = _type_of(prop)
    return found


def _type_of(prop: Mapping[str, Any]) -> str:
    ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else str(prop.get("type", "?"))
    return f"{name}[]" if prop.get("type") == "array" else name


def _expected(ev: EndpointVersion, entity: str, name: str) -> tuple[str, str] | None:
    """(name, type) the client sends and reads on ``ev``; None when it knows the field absent."""
    if not ev.has(entity, name):
        return None
    return ev.name_of(entity, name), ev.type_of(entity, name, TYPES[(entity, name)])


def _shown(found: tuple[str, str] | None) -> str:
    return "—" if found is None else f"{found[0]}: {found[1]}"


def compare(
    *,
    pinned: EndpointVersion,
    pinned_swagger: Mapping[str, Any],
    target: EndpointVersion,
    target_swagger: Mapping[str, Any],
) -> Comparison:
    result = Comparison(pinned=pinned.version, target=target.version)
    documents = {pinned.version: pinned_swagger, target.version: target_swagger}
    schemas = {
        version: (doc.get("components") or {}).get("schemas") or doc.get("definitions") or {}
        for version, doc in documents.items()
    }
    for entity, names in surface().items():
        served = {v: properties(schemas[v], entity) for v in schemas}
        for name in names:
            result.fields_checked += 1
            seen = {}
            for ev in (pinned, target):
                expected = _expected(ev, entity, name)
                seen[ev.version] = expected
                if expected is None:
                    continue
                # The pinned version's mismatches are warnings: they do not get worse by
                # switching; the target's block the switch.
                found = result.problems if ev is target else result.warnings
                actual_type = served[ev.version].get(expected[0])
                if actual_type is None:
                    found.append(
                        f"{entity}.{expected[0]} is not in Default/{ev.version}'s swagger, "
                        "but the connector reads or writes it there."
                    )
                elif actual_type != expected[1]:
                    found.append(
                        f"{entity}.{expected[0]} is {actual_type} in Default/{ev.version}'s "
                        f"swagger; the connector expects {expected[1]}."
                    )
            before, after = seen[pinned.version], seen[target.version]
            if before != after:
                result.differences.append(
                    FieldChange(entity, name, _shown(before), _shown(after), _note(before, after))
                )
            if after is None and (entity, name) not in OPTIONAL:
                result.problems.append(
                    f"Default/{target.version} has no {entity}.{name}, which the connector needs."
                )
    for entity, action in ACTIONS:
        for version, doc in documents.items():
            if f"/{entity}/{action}" not in (doc.get("paths") or {}):
                result.problems.append(f"Default/{version} has no action {entity}/{action}.")
    used = surface()
    for entity in ("SalesOrder", "Shipment"):
        old = properties(schemas[pinned.version], entity)
        new = properties(schemas[target.version], entity)
        known = {target.name_of(entity, n) for n in used.get(entity, [])}
        for name in sorted(set(new) - set(old) - known):
            result.unused.append(f"{entity}.{name} (new in {target.version}, not used)")
    return result


def _note(before: tuple[str, str] | None, after: tuple[str, str] | None) -> str:
    if before is None:
        return "added: the connector sends and reads it from this version on"
    if after is None:
        return "absent: the connector leaves it out on this version"
    notes = []
    if before[0] != after[0]:
        notes.append(f"renamed {before[0]} → {after[0]}")
    if before[1] != after[1]:
        if "SingleSelect" in after[1]:
            notes.append("drop-down wrapped: sent as {ID}, read by its Description")
        elif "SingleSelect" in before[1]:
            notes.append("drop-down unwrapped: a plain value again")
        else:
            notes.append(f"type {before[1]} → {after[1]}")
    return "; ".join(notes) + " (the client translates)"
