"""What each field of the store pages says under it: where in Acumatica to find the value
(screen names and ids), what it changes, and what a right value looks like."""

from __future__ import annotations

from connector.acumatica.config import DEFAULT_ENDPOINT_VERSION

HELP = {
    "name": "Your name for this connection, e.g. the company or brand; shown on every page here.",
    "auth_method": (
        "OAuth (recommended): the connector signs in as a Connected Application and reuses its "
        "tokens. Cookie sign-in: only the user's name and password, a new session per job, "
        "signed out after it; Acumatica plans to retire it."
    ),
    "instance_url": (
        "The address you open Acumatica at, up to the site name, e.g. "
        "https://erp.example.com/AcumaticaERP (without /Main or /Frames/… after it)."
    ),
    "client_id": (
        "Integration > Connected Applications (SM303010): the Client ID, copied whole with its "
        "@Tenant ending, e.g. 88358B02-A48D-A50E-F710-39C1636C30F6@MyTenant."
    ),
    "client_secret": (
        "The Shared Secret on the Secrets tab of that connected application; Acumatica shows "
        "its value only once, when you add it."
    ),
    "username": (
        "The Acumatica user the connector signs in as (Users, SM201010); its role needs "
        "Sales Orders, Shipments and Stock Items."
    ),
    "password": "That user's password.",
    "tenant": (
        "Only for instances with several tenants: the tenant's login name from the sign-in "
        "page. Leave blank otherwise."
    ),
    "endpoint_name": (
        "The web service endpoint the connector calls (Integration > Web Service Endpoints, "
        "SM207060). Keep Default unless your partner built your own."
    ),
    "endpoint_version": (
        f"The endpoint version on that same form, e.g. {DEFAULT_ENDPOINT_VERSION}; the connection "
        "test lists the versions your instance has."
    ),
    "order_type": (
        "The order type imported in sales-order mode (Order Types, SO201000); usually SO."
    ),
    "default_warehouse": (
        "Optional. In shipment mode, only shipments from this warehouse are imported "
        "(Warehouses, IN204000), e.g. WHOLESALE."
    ),
    "oauth_scope": (
        'Keep "api offline_access": offline_access gives a refresh token, so the store stays '
        "connected without anyone typing the password again."
    ),
    "shipment_mode": (
        "On: import open Shipments (SO302000), for when Acumatica already creates the shipment. "
        "Off: import open Sales Orders (SO301000)."
    ),
    "include_package_contents": (
        "On: each package written back says which lines and quantities it holds. Needs an "
        "endpoint that exposes package contents on Shipments."
    ),
    "import_interval_minutes": "How often new and changed orders are fetched from Acumatica.",
    "licence_api_users": (
        "Maximum Number of Web Services API Users on the License Monitoring Console "
        "(SM604000): how many API sessions may be open at once (a trial licence allows 2). "
        "Blank: not known."
    ),
    "licence_api_users_reserved": (
        "How many of those API users other programs need (a person's API tool, another "
        "integration). The connector holds at most the API users minus these at once, and each "
        "store gives its session back when its job ends. 0: the connector may use them all."
    ),
    "licence_concurrent_requests": (
        "Maximum Number of Concurrent Web Services API Requests (SM604000). The connector never "
        "sends more at once to this instance. Blank: not known."
    ),
    "licence_requests_per_minute": (
        "Maximum Number of Web Services API Requests per Minute (SM604000). The connector stays "
        "below it; usage against it is shown on the store's page. Blank: not known."
    ),
}
KEEP_STORED = "Stored — leave blank to keep it."
