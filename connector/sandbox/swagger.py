"""``…/entity/<endpoint>/<version>/swagger.json``: an OpenAPI 3.0.1 document generated from
schema.py, laid out like Acumatica's own Default/24.200.001 file (same schema, operation,
parameter and response names), so that clients which build themselves from it (easy-acumatica's
ModelFactory/ServiceFactory read ``components.schemas``, ``paths``, ``operationId``, ``tags``
and ``$ref`` parameters) see the served entities as they would on a real instance.

The sandbox poses as a 2024 R2 build, which serves OpenAPI 3.0.1 for every installed endpoint,
older contract versions included (their own releases served Swagger 2.0).
"""

from __future__ import annotations

from typing import Any

from . import swagger_components
from .schema import EndpointSchema, EntityDef, version_tuple
from .swagger_components import (
    AD_HOC,
    INVALID,
    base_schemas,
    content,
    ref,
    responses,
)

WORKFLOW_ACTIONS_SINCE = "25.200.001"


def _entity_schema(entity: EntityDef, *, workflow_actions: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for definition in entity.fields:
        if definition.kind == "detail":
            properties[definition.name] = {"type": "array", "items": ref(definition.type_name)}
        else:
            properties[definition.name] = ref(definition.type_name)
    if workflow_actions:
        # 25.200.001 on (swagger/extracts/DIFF.md): the workflow actions a record offers.
        properties["_workflowActions"] = {
            "type": "object",
            "additionalProperties": ref(f"{entity.name}CustomAction"),
        }
    return {"allOf": [ref("Entity"), {"type": "object", "properties": properties}]}


def _action_schema(entity: EntityDef, parameters: dict[str, Any] | None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "required": ["entity", "parameters"] if parameters else ["entity"],
        "type": "object",
        "properties": {"entity": ref(entity.name)},
    }
    if parameters is not None:
        schema["properties"]["parameters"] = {
            "type": "object",
            "properties": parameters,
            "description": "The parameters of the action.",
        }
    return schema


def _read_and_delete(
    name: str, param: str, by: str, get_summary: str, delete_summary: str, one: dict
) -> dict:
    """GET and DELETE of one record, by its key fields ("Keys") or its session id ("Id")."""
    return {
        "get": _operation(
            name,
            get_summary,
            f"{name}_GetBy{by}",
            parameters=_params(param, "select", "filter", "expand", "custom"),
            responses=_standard(("200", {"description": "The requested record.", "content": one})),
        ),
        "delete": _operation(
            name,
            delete_summary,
            f"{name}_DeleteBy{by}",
            parameters=_params(param),
            responses=_standard(("204", ref(f"DeleteBy{by}_204", "responses"))),
        ),
    }


def _operation(tag: str, summary: str, operation_id: str, **extra: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"tags": [tag], "summary": summary, "operationId": operation_id}
    op.update(extra)
    return op


def _standard(*codes_and_refs: tuple[str, dict]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "401": ref("ContractBasedControllerBase_401", "responses"),
        "500": ref("ContractBasedControllerBase_500", "responses"),
    }
    responses.update(dict(codes_and_refs))
    return responses


def _params(*names: str) -> list[dict[str, str]]:
    return [ref(name, "parameters") for name in names]


def _entity_paths(entity: EntityDef) -> dict[str, Any]:
    name = entity.name
    one = content(ref(name))
    many = content({"type": "array", "items": ref(name)})
    invalid_entity = {"description": INVALID, "content": one}
    action_responses = (
        ("204", ref("InvokeAction_204", "responses")),
        ("202", ref("InvokeAction_202", "responses")),
        ("400", ref("InvokeAction_400", "responses")),
        ("412", ref("InvokeAction_412", "responses")),
        ("422", invalid_entity),
    )

    def invocation(schema_name: str) -> dict[str, Any]:
        return {
            "description": "The record to which the action should be applied and the parameters "
            "of the action.",
            "content": content(ref(schema_name)),
            "required": True,
            "x-bodyName": "invocation",
        }

    paths: dict[str, Any] = {}
    for action in entity.actions:
        paths[f"/{name}/{action.name}"] = {
            "post": _operation(
                name,
                "Performs an action in the system.",
                f"{name}_InvokeAction_{action.name}",
                requestBody=invocation(action.name),
                responses=_standard(*action_responses),
            )
        }
    paths[f"/{name}/{{actionName}}"] = {
        "post": _operation(
            name,
            "Performs an action in the system.",
            f"{name}_InvokeAction_CustomAction",
            parameters=_params("actionName"),
            requestBody=invocation(f"{name}CustomAction"),
            responses=_standard(*action_responses),
        )
    }
    paths[f"/{name}/$adHocSchema"] = {
        "get": _operation(
            name,
            "Retrieves the schema of custom fields of the entity from the system.",
            f"{name}_GetAdHocSchema",
            responses=_standard(
                (
                    "200",
                    {
                        "description": AD_HOC,
                        "content": one,
                    },
                )
            ),
        )
    }
    query = ("select", "filter", "expand", "custom")
    paths[f"/{name}/{{ids}}"] = _read_and_delete(
        name,
        "ids",
        "Keys",
        "Retrieves a record by the values of its key fields from the system.",
        "Deletes the record by the values of its key fields.",
        one,
    )
    paths[f"/{name}/{{ids}}/files/{{filename}}"] = {
        "put": _operation(
            name,
            "Attaches a file to a record.",
            f"{name}_PutFile",
            parameters=_params("ids", "filename"),
            responses=_standard(("204", ref("PutFile_204", "responses"))),
        )
    }
    paths[f"/{name}/{{id}}"] = _read_and_delete(
        name,
        "id",
        "Id",
        "Retrieves a record by the value of the session entity ID from the system.",
        "Deletes the record by its session identifier.",
        one,
    )
    paths[f"/{name}"] = {
        "get": _operation(
            name,
            "Retrieves records that satisfy the specified conditions from the system.",
            f"{name}_GetList",
            parameters=_params(*query, "skip", "top"),
            responses=_standard(
                (
                    "200",
                    {
                        "description": "The list of records that satisfy the specified conditions.",
                        "content": many,
                    },
                )
            ),
        ),
        "put": _operation(
            name,
            "Creates a record or updates an existing record.",
            f"{name}_PutEntity",
            parameters=_params(*query),
            requestBody={
                "description": "The record to be passed to the system.",
                "content": one,
                "required": True,
                "x-bodyName": "entity",
            },
            responses=_standard(
                ("200", {"description": "The created or updated record.", "content": one}),
                ("400", ref("PutEntity_400", "responses")),
                ("412", ref("PutEntity_412", "responses")),
                ("422", invalid_entity),
            ),
        ),
    }
    if entity.read_only:
        # What the sandbox does not serve is not offered: a client building itself from this
        # document gets only the reads of a setup entity.
        paths = {path: {"get": ops["get"]} for path, ops in paths.items() if "get" in ops}
    return paths


def build(
    schema: EndpointSchema, endpoint_name: str, version: str, server_url: str
) -> dict[str, Any]:
    """``server_url`` is the site URL (``http://host/AcumaticaERP``) or the endpoint URL;
    ``servers`` gets the endpoint URL, as on a real instance."""
    schemas = base_schemas(contract=schema.contract)
    paths: dict[str, Any] = {}
    workflow = version_tuple(schema.version) >= version_tuple(WORKFLOW_ACTIONS_SINCE)
    for name in _reachable(schema):
        entity = schema.entities[name]
        schemas[name] = _entity_schema(
            entity,
            workflow_actions=workflow and name in schema.top_level and not entity.read_only,
        )
    for name in schema.top_level:
        entity = schema.entities[name]
        paths.update(_entity_paths(entity))
        for action in entity.actions:
            action_parameters = {p: ref(t) for p, t in action.parameters} or None
            schemas[action.name] = _action_schema(entity, action_parameters)
        if entity.read_only:
            continue
        schemas[f"{name}CustomAction"] = _action_schema(
            entity, {"custom": base_schemas()["Entity"]["properties"]["custom"]}
        )
        schemas[f"{name}CustomAction"]["required"] = ["entity"]
    endpoint_url = server_url.rstrip("/")
    suffix = f"/entity/{endpoint_name}/{version}"
    if not endpoint_url.endswith(suffix):
        endpoint_url += suffix
    return {
        "openapi": "3.0.1",
        # info.version is the contract version ("5" in Acumatica's 26.200.001 file).
        "info": {"title": f"{endpoint_name}/{version}", "version": str(schema.contract)},
        "servers": [{"url": endpoint_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses(),
            "parameters": swagger_components.parameters(),
        },
        "tags": [
            {"name": name, "description": schema.entities[name].screen} for name in schema.top_level
        ],
    }


def _reachable(schema: EndpointSchema) -> list[str]:
    """Served entities reachable from the top-level ones, in a stable order."""
    seen: list[str] = []
    pending = list(schema.top_level)
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.append(name)
        pending.extend(f.type_name for f in schema.entities[name].nested_fields)
    return seen
