"""The HttpError replies of the entity layer (API.md §6), in one place so every handler answers a
given failure the same way. Where Acumatica's exact text is unknown the text is the sandbox's
choice; README.md ("Entities, queries, writes and actions") lists each of them."""

from __future__ import annotations

from .http import Reply, SandboxHttpError, http_error
from .webapi import INVALID_DATA

NO_ENTITY = "No entity satisfies the condition."
NO_ENTITY_TYPE = "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"
ODATA_EXCEPTION = "Microsoft.Data.OData.ODataException"
PX_EXCEPTION = "PX.Data.PXException"
# PX.Data's message for a request that reaches a form whose long-running operation (started
# in the same session) has not finished.
PREVIOUS_OPERATION = "The previous operation has not been completed yet."


def no_entity() -> Reply:
    """GET/PUT/DELETE/action on a record that does not exist: 500, not 404 (examples/
    get_by_key_not_found_500.json)."""
    return http_error(500, NO_ENTITY, NO_ENTITY_TYPE)


def bad_filter(message: str) -> Reply:
    return http_error(500, message, ODATA_EXCEPTION)


def px_exception(message: str) -> Reply:
    return http_error(500, message, PX_EXCEPTION)


def operation_in_progress() -> Reply:
    return http_error(500, PREVIOUS_OPERATION, PX_EXCEPTION)


def invalid_data(model_state: dict[str, list[str]] | None = None) -> Reply:
    """400 for a body Json.NET cannot bind (a bare value where a ``{"value": …}`` wrapper is
    expected, a value of the wrong type): the swagger's text, plus ASP.NET's ``modelState``
    naming the offending JSON path."""
    body: dict = {"message": INVALID_DATA}
    if model_state:
        body["modelState"] = model_state
    return Reply(400, body)


def precondition_failed(exists: bool) -> Reply:
    """412 for ``If-None-Match: *`` on an existing record / ``If-Match: *`` on a missing one."""
    text = (
        "The entity cannot be inserted because an entity with the same keys already exists."
        if exists
        else "The entity cannot be updated because no entity with these keys exists."
    )
    return http_error(412, text, "PX.Api.ContractBased.PreconditionFailedException")


def fail(reply: Reply) -> SandboxHttpError:
    return SandboxHttpError(reply)


def no_entity_404() -> Reply:
    """PATCH of a record that does not exist (DOC: PATCH answers 404 when nothing matches)."""
    return Reply(404, {"message": NO_ENTITY})
