"""The checks of what the connector will use once signed in: the endpoint, the integration
user's access to the entities it reads and writes, the order type, the default warehouse and,
when they are sent, package contents."""

from __future__ import annotations

from urllib.parse import quote

from connector.acumatica import (
    AcumaticaError,
    EndpointInfo,
    Forbidden,
    NotFound,
    UnexpectedResponse,
    odata,
    values,
)
from connector.acumatica.endpoints import is_supported

from ..endpoint_versions import proposal_from, supported_text
from .checks_site import tenant_of
from .outcome import USER_ROLES, USERS, Context, Outcome, fail, ok, skip, warn


def check_endpoint(ctx: Context) -> Outcome:
    store = ctx.store
    wanted = f"{store.endpoint_name}/{store.endpoint_version}"
    info = ctx.acumatica.discover(refresh=True)
    proposal = proposal_from(info.endpoints, name=store.endpoint_name)
    for endpoint in info.endpoints:
        # Web API routes are case-insensitive: "default" reaches "Default".
        if endpoint.name.lower() == store.endpoint_name.lower() and (
            endpoint.version == store.endpoint_version
        ):
            return _installed(wanted, store.endpoint_version, proposal)
    installed = ", ".join(info.installed) or "none"
    supported = [e for e in info.endpoints if is_supported(e.version)]
    closest = closest_endpoint(
        tuple(supported) or info.endpoints, store.endpoint_name, store.endpoint_version
    )
    use = (
        f"Set Endpoint Name/Version to {closest.name} / {closest.version}, the closest installed, "
        if closest
        else "Install an endpoint "
    )
    return fail(
        f"Endpoint {wanted} is not installed on this Acumatica instance. Installed: {installed}.",
        f"{use}or install {wanted} on Web Service Endpoints (SM207060).",
    )


def _installed(wanted: str, version: str, proposal) -> Outcome:
    """The store's endpoint is installed: is it one the connector supports, and is a newer
    supported one installed beside it?"""
    if not is_supported(version):
        use = (
            f"Set Endpoint Version to {proposal.proposed}, the newest installed one it supports"
            if proposal.proposed
            else "Install one of those on Web Service Endpoints (SM207060) and set Endpoint "
            "Version to it"
        )
        return fail(
            f"Endpoint {wanted} is installed, but the connector does not support version "
            f"{version}: it knows the field names and values of Default {supported_text()} "
            "only, so it could misread or miswrite orders on this one.",
            f"{use}.",
        )
    if proposal.newer_than(version):
        return ok(
            f"Endpoint {wanted} is installed. A newer one the connector supports, "
            f"{proposal.name}/{proposal.proposed}, is installed too: the store page's endpoint "
            "upgrade check compares them and switches when nothing the connector uses differs."
        )
    return ok(f"Endpoint {wanted} is installed.")


def closest_endpoint(
    endpoints: tuple[EndpointInfo, ...], name: str, version: str
) -> EndpointInfo | None:
    """The installed endpoint nearest to ``name``/``version``: same name first, then the
    nearest version, the older one on a tie (a newer contract may change the syntax)."""

    def number(text: str) -> float:
        try:
            major, minor, patch = (int(p) for p in text.split("."))
        except ValueError:
            return 0.0
        return major + minor / 1_000 + patch / 1_000_000

    if not endpoints:
        return None
    target = number(version)
    same_name = [e for e in endpoints if e.name.lower() == name.lower()] or list(endpoints)
    return min(same_name, key=lambda e: (abs(number(e.version) - target), number(e.version)))


def entity_access(entity: str, label: str, screen: str, select: str, rights: str):
    def check(ctx: Context) -> Outcome:
        try:
            ctx.acumatica.list(entity, top=1, select=select)
        except Forbidden:
            return fail(
                f"Acumatica refused the integration user access to {label} (HTTP 403 on {entity}).",
                f"In {USER_ROLES}, give a role of user “{ctx.store.username}” access to {label} "
                f"({screen}): {rights}. Or add a role that has it to the user in {USERS}.",
            )
        except NotFound as exc:
            if exc.status_code != 404:
                raise
            return fail(
                f"Endpoint {ctx.store.endpoint_name}/{ctx.store.endpoint_version} has no "
                f"{entity} entity.",
                "Use the Default endpoint, or add the entity to this one on Web Service "
                "Endpoints (SM207060).",
            )
        return ok(f"The integration user can read {label} ({screen}).")

    check.__name__ = f"check_access_{entity}"
    return check


def check_order_type(ctx: Context) -> Outcome:
    order_type = ctx.store.order_type
    # The Default endpoint has no order-type entity: a first order of the type is the evidence.
    found = ctx.acumatica.list(
        "SalesOrder",
        filter=odata.eq("OrderType", order_type),
        top=1,
        select="OrderType,OrderNbr",
    )
    if found:
        number = values.value_of(found[0], "OrderNbr")
        return ok(f"Sales orders of type {order_type} exist (e.g. {order_type} {number}).")
    return warn(
        f"No sales order of type {order_type} was found: either the order type does not exist "
        "in Acumatica, or it has no orders yet. The Default endpoint cannot list order types, "
        "so the test cannot tell which.",
        f"Check that {order_type} is listed on Order Types (SO201000) (the two-letter code, e.g. "
        "SO). If it exists and simply has no orders yet, nothing needs to change.",
    )


def check_default_warehouse(ctx: Context) -> Outcome:
    store = ctx.store
    warehouse_id = store.default_warehouse.strip()
    if not warehouse_id:
        imported = store.get_shipment_mode_display().lower()
        return skip(
            "No default warehouse is set, so there is nothing to check "
            f"({imported} of every warehouse are imported)."
        )
    try:
        found = ctx.acumatica.get(
            "Warehouse", warehouse_id, select="WarehouseID,Description,Active"
        )
    except Forbidden:
        return warn(
            f"Warehouse {warehouse_id} could not be checked: the integration user's role has no "
            "access to Warehouses (IN204000).",
            f"Give the role View access to Warehouses (IN204000) in {USER_ROLES} so the test can "
            f"check it, or make sure yourself that {warehouse_id} exists.",
        )
    except NotFound as exc:
        if exc.status_code == 404:
            return warn(
                f"Warehouse {warehouse_id} could not be checked: the endpoint has no Warehouse "
                "entity.",
                f"Make sure {warehouse_id} is listed on Warehouses (IN204000).",
            )
        known = _warehouse_ids(ctx)
        listed = f" Its warehouses: {', '.join(known)}." if known else ""
        return fail(
            f"Acumatica has no warehouse {warehouse_id}.{listed}",
            "Enter a Warehouse ID from Warehouses (IN204000), or leave Default Warehouse blank.",
        )
    description = values.value_of(found, "Description")
    if values.value_of(found, "Active") is False:
        return warn(
            f"Warehouse {warehouse_id} exists but is not active.",
            "Activate it on Warehouses (IN204000), or choose another default warehouse.",
        )
    return ok(f"Warehouse {warehouse_id}{f' ({description})' if description else ''} exists.")


def _warehouse_ids(ctx: Context) -> list[str]:
    try:
        rows = ctx.acumatica.list("Warehouse", select="WarehouseID", top=50)
    except AcumaticaError:
        return []  # only a hint for the message: the check's verdict does not depend on it
    return [str(values.value_of(row, "WarehouseID")) for row in rows]


def check_package_contents(ctx: Context) -> Outcome:
    store = ctx.store
    if not store.include_package_contents:
        return skip("“Include package contents” is off, so the endpoint does not need them.")
    endpoint = f"{store.endpoint_name}/{store.endpoint_version}"
    # The endpoint's own OpenAPI document says which fields it maps; $adHocSchema would list
    # only custom fields, and an empty Packages list proves nothing.
    url = f"{ctx.acumatica.settings.endpoint_url}/swagger.json?company={quote(tenant_of(ctx))}"
    try:
        document = ctx.acumatica.get_link(url)
    except (NotFound, UnexpectedResponse) as exc:
        if (exc.status_code or 0) >= 500:
            raise
        return warn(
            f"Package contents could not be checked: the endpoint's swagger.json could not be "
            f"read (HTTP {exc.status_code}).",
            "Make sure the endpoint maps Shipment > Packages > PackageContents on Web Service "
            "Endpoints (SM207060), or turn off “Include package contents”.",
        )
    fields = _schema_properties(document, "ShipmentPackage")
    if "PackageContents" in fields:
        return ok(f"Endpoint {endpoint} exposes ShipmentPackage.PackageContents.")
    return fail(
        f"Endpoint {endpoint} does not expose the contents of shipment packages "
        "(ShipmentPackage.PackageContents), which “Include package contents” sends.",
        "Turn off “Include package contents”, or map Shipment > Packages > PackageContents "
        "on this endpoint on Web Service Endpoints (SM207060): Acumatica's own Default "
        "endpoint maps it, a customised or custom endpoint may not.",
    )


def _schema_properties(document: object, name: str) -> set[str]:
    """Property names of a schema in an OpenAPI 3 (``components.schemas``) or Swagger 2
    (``definitions``) document, through ``allOf``."""
    if not isinstance(document, dict):
        return set()
    schemas = document.get("components", {}).get("schemas") or document.get("definitions") or {}
    schema = schemas.get(name) or {}
    found: set[str] = set()
    for part in schema.get("allOf", [schema]):
        if isinstance(part, dict):
            found.update(part.get("properties", {}))
    return found
