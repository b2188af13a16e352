"""The upgrade cut-over of a store's endpoint version: check (fields and actions compared, a
dry-run import on both versions, the connection test on the new one), switch, roll back.
``services`` is the public face; ``manage.py endpoint_cutover`` and the store page's
"Endpoint upgrade" page call it."""

from .services import (
    CutoverRefused,
    CutoverReport,
    endpoint_cutover_apply,
    endpoint_cutover_check,
    endpoint_cutover_rollback,
)

__all__ = [
    "CutoverRefused",
    "CutoverReport",
    "endpoint_cutover_apply",
    "endpoint_cutover_check",
    "endpoint_cutover_rollback",
]
