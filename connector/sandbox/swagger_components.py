"""The fixed parts of an Acumatica swagger.json (value types, base Entity, HttpError, response
and parameter components), written as Acumatica's Default/24.200.001 file has them."""

from __future__ import annotations

from typing import Any

_JSON = ("application/json", "text/json")
_VALUE_JSON_TYPES = {
    "StringValue": {"type": "string"},
    "DecimalValue": {"type": "number", "format": "double"},
    "IntValue": {"type": "integer", "format": "int32"},
    "ShortValue": {"type": "integer", "format": "int32"},
    "LongValue": {"type": "integer", "format": "int64"},
    "BooleanValue": {"type": "boolean"},
    "DateTimeValue": {"type": "string", "format": "date-time"},
    "GuidValue": {"type": "string", "format": "uuid"},
    "ByteValue": {"type": "integer", "format": "int32"},
    "DoubleValue": {"type": "number", "format": "double"},
}
INVALID = "The data specified in the request is invalid."
AD_HOC = (
    "The field name, view name, and type of the fields that are not defined in the contract of "
    "the endpoint for this entity."
)
_PRECONDITION = (
    "Either the header of the request specifies that the entity has to be inserted but an entity "
    "with these keys already exists in the database and cannot be inserted, or the header "
    "specifies that the entity has to be updated but there is no entity with these keys in the "
    "database."
)


def ref(name: str, section: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def content(schema: dict) -> dict:
    return {media: {"schema": schema} for media in _JSON}


def _error_response(description: str) -> dict:
    return {"description": description, "content": content(ref("HttpError"))}


def _location(description: str) -> dict:
    return {"Location": {"description": description, "schema": {"type": "string", "format": "uri"}}}


def responses() -> dict[str, Any]:
    return {
        "ContractBasedControllerBase_401": _error_response(
            "The user is not logged in to the system."
        ),
        "ContractBasedControllerBase_500": _error_response("Internal server error."),
        "InvokeAction_204": {
            "description": "The operation that was initiated by the action is completed.",
            "headers": _location(
                "A URL that can be used to obtain the processed entity through the GET HTTP method."
            ),
        },
        "InvokeAction_202": {
            "description": "The operation is in progress.",
            "headers": _location(
                "A URL that can be used to check the status of the operation through the GET "
                "HTTP method."
            ),
        },
        "InvokeAction_400": _error_response(INVALID),
        "InvokeAction_412": _error_response(_PRECONDITION),
        "DeleteByKeys_204": {"description": "The record is successfully deleted."},
        "PutFile_204": {
            "description": "The file is successfully attached.",
            "headers": _location("A URL that can be used to retrieve the file from the system."),
        },
        "DeleteById_204": {"description": "The record is successfully deleted."},
        "PutEntity_400": _error_response(INVALID),
        "PutEntity_412": _error_response(_PRECONDITION),
    }


def parameters() -> dict[str, Any]:
    def query(name: str, description: str, schema: dict | None = None) -> dict:
        return {
            "name": f"${name}",
            "in": "query",
            "description": description,
            "schema": schema or {"type": "string"},
        }

    return {
        "actionName": {
            "name": "actionName",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        },
        "ids": {
            "name": "ids",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "The values of the key fields of the record. The values are "
            "slash-delimited.",
        },
        "select": query("select", "The fields of the entity to be returned from the system."),
        "filter": query(
            "filter",
            "The conditions that determine which records should be selected from the system.",
        ),
        "expand": query("expand", "The linked and detail entities that should be expanded."),
        "custom": query(
            "custom",
            "The fields that are not defined in the contract of the "
            "endpoint to be returned from the system.",
        ),
        "filename": {
            "name": "filename",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "The name of the file that you are going to attach with the extension.",
        },
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "The session ID of the record.",
            "schema": {"type": "string", "format": "uuid"},
        },
        "skip": query(
            "skip",
            "The number of records to be skipped from the list of returned records.",
            {"type": "integer", "format": "int32"},
        ),
        "top": query(
            "top",
            "The number of records to be returned from the system.",
            {"type": "integer", "format": "int32"},
        ),
    }


def base_schemas(*, contract: int = 4) -> dict[str, Any]:
    custom_map = {
        "type": "object",
        "additionalProperties": {"type": "object", "additionalProperties": ref("CustomField")},
    }
    schemas: dict[str, Any] = {
        "Entity": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "rowNumber": {"type": "integer", "format": "int64"},
                "note": ref("StringValue"),
                "custom": custom_map,
                "error": {"type": "string"},
                "files": {"type": "array", "items": ref("FileLink")},
                # Present in later 24.200.001 builds; the sandbox sends _links on every record.
                "_links": {
                    "type": "object",
                    "additionalProperties": {"type": "string", "format": "uri"},
                },
            },
        },
        "FileLink": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "filename": {"type": "string"},
                "href": {"type": "string", "format": "uri"},
                "comment": {"type": "string", "nullable": True},
            },
        },
        "CustomField": {
            "required": ["type"],
            "type": "object",
            "properties": {"type": {"type": "string"}},
            "discriminator": {"propertyName": "type"},
        },
        "HttpError": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "exceptionMessage": {"type": "string", "nullable": True},
                "exceptionType": {"type": "string", "nullable": True},
                "stackTrace": {"type": "string", "nullable": True},
                "modelState": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "messageDetail": {"type": "string"},
            },
            "additionalProperties": {"type": "object"},
        },
    }
    if contract >= 5:
        # Not read from Acumatica's 26.200.001 file (DIFF.md); shaped after the official C#
        # client's StringSingleSelectValue / StringSelectInnerValue models (README.md).
        schemas["StringSelectInnerValue"] = {
            "type": "object",
            "properties": {"ID": {"type": "string"}, "Description": {"type": "string"}},
        }
        schemas["StringSingleSelectValue"] = {
            "type": "object",
            "properties": {"value": ref("StringSelectInnerValue"), "error": {"type": "string"}},
        }
    for name, json_type in _VALUE_JSON_TYPES.items():
        schemas[name] = {
            "type": "object",
            "properties": {"value": dict(json_type), "error": {"type": "string"}},
        }
        custom = "Custom" + name.replace("Value", "Field")
        schemas[custom] = {
            "allOf": [
                ref("CustomField"),
                {
                    "type": "object",
                    "properties": {"value": dict(json_type), "error": {"type": "string"}},
                },
            ]
        }
    return schemas
