"""Classification of Acumatica answers into the typed error tree (API.md §1, §6)."""

from __future__ import annotations

import email.utils
import json
import time

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from connector.acumatica import errors as e
from connector.acumatica.classify import classify, error_from_response, parse_retry_after


def _http_error(exception_message, exception_type="PX.Data.PXException"):
    return {
        "message": "An error has occurred.",
        "exceptionMessage": exception_message,
        "exceptionType": exception_type,
    }


def _classify(status, body, headers=None, **kw):
    content = body if isinstance(body, bytes | str) else json.dumps(body)
    hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return classify(status_code=status, content=content, headers=hdrs, **kw)


# Minimal inline copies of the bodies in shared/acumatica/examples, so the core assertions hold
# without ../shared.
INVALID_CREDENTIALS = _http_error("Error: Invalid credentials. Please try again.")
UNKNOWN_TENANT = _http_error(
    "A proper company ID cannot be determined", "PX.Data.PXUndefinedCompanyException"
)
NO_ENTITY = _http_error(
    "No entity satisfies the condition.",
    "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
)
SETUP_NOT_ENTERED = _http_error(
    "The required configuration data is not entered on the Company Branches form.",
    "PX.Data.PXSetupNotEnteredException",
)
OPTIMIZATION = {
    "message": "An error has occurred.",
    "exceptionMessage": "Optimization cannot be performed.The following fields cause the error:\r\n"
    "RealGainAcctID: View CuryRecords has BQL delegate",
}


@pytest.mark.parametrize(
    ("status", "body", "cls", "retryable"),
    [
        (500, INVALID_CREDENTIALS, e.InvalidCredentials, False),
        (500, UNKNOWN_TENANT, e.UnknownTenant, False),
        (500, NO_ENTITY, e.NotFound, False),
        (500, SETUP_NOT_ENTERED, e.SetupNotEntered, False),
        (500, OPTIMIZATION, e.OptimizationFailed, False),
        (
            500,
            _http_error("CannotOptimizeException x", "PX.Api.CannotOptimizeException"),
            e.OptimizationFailed,
            False,
        ),
        (500, _http_error("API Login Limit"), e.LoginLimitReached, True),
        (429, _http_error("API Login Limit"), e.LoginLimitReached, True),
        (
            500,
            _http_error("You need to change your password. Sign in by using your browser."),
            e.PasswordChangeRequired,
            False,
        ),
        (500, _http_error("Your account is locked out."), e.AccountLocked, False),
        (
            500,
            _http_error("Operation failed", "PX.Data.PXInvalidOperationException"),
            e.ServerError,
            True,
        ),
        (503, _http_error("Deadlock"), e.ServerError, True),
        (400, {"message": "The data specified in the request is invalid."}, e.BadRequest, False),
        (401, {"message": "The user is not logged in to the system."}, e.NotLoggedIn, False),
        (403, {"message": "insufficient rights"}, e.Forbidden, False),
        (404, {"message": "not found"}, e.NotFound, False),
        (412, {"message": "precondition"}, e.PreconditionFailed, False),
        (
            422,
            {"error": "raised at least one error", "BoxID": {"value": "X", "error": "bad"}},
            e.ValidationFailed,
            False,
        ),
        (429, {"message": "Too many"}, e.RateLimited, True),
    ],
)
def test_classification(status, body, cls, retryable):
    error = _classify(status, body)
    assert type(error) is cls
    assert error.retryable is retryable
    assert error.status_code == status
    assert isinstance(error, e.AcumaticaError)


def test_invalid_credentials_keeps_acumatica_details():
    error = _classify(500, INVALID_CREDENTIALS, method="POST", url="https://x/entity/auth/login")
    assert error.exception_type == "PX.Data.PXException"
    assert "Invalid credentials" in error.exception_message
    assert "username or password" in str(error)
    assert "POST https://x/entity/auth/login" in str(error)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("invalid_client", e.InvalidClient),
        ("invalid_grant", e.InvalidGrant),
        ("unsupported_grant_type", e.UnsupportedGrantType),
        ("invalid_scope", e.InvalidScope),
        ("unauthorized_client", e.InvalidClient),
    ],
)
def test_oauth_errors(code, cls):
    error = _classify(400, {"error": code, "error_description": "nope"})
    assert type(error) is cls
    assert isinstance(error, e.OAuthError)
    assert error.error == code
    assert error.description == "nope"
    assert not error.retryable


def test_invalid_grant_is_also_invalid_credentials():
    assert isinstance(_classify(400, {"error": "invalid_grant"}), e.InvalidCredentials)


def test_oauth_error_descriptions_win_over_codes():
    assert type(
        _classify(400, {"error": "invalid_grant", "error_description": "API Login Limit"})
    ) is (e.LoginLimitReached)
    assert (
        type(
            _classify(
                400,
                {"error": "invalid_grant", "error_description": "You need to change your password"},
            )
        )
        is e.PasswordChangeRequired
    )


def test_unknown_oauth_error_code_with_description():
    error = _classify(400, {"error": "server_busy", "error_description": "later"})
    assert type(error) is e.OAuthError


def test_validation_failed_collects_every_field_error():
    body = {
        "id": "1",
        "error": "Updating 'Shipment' record raised at least one error. Please review the errors.",
        "Packages": [
            {"BoxID": {"value": "NOPE", "error": "'Box ID' cannot be found in the system."}}
        ],
    }
    error = _classify(422, body)
    assert [(f.path, f.message) for f in error.field_errors] == [
        ("", body["error"]),
        ("Packages[0].BoxID", "'Box ID' cannot be found in the system."),
    ]
    # The message names the precise field, not the generic top-level text.
    assert error.message == "Packages[0].BoxID: 'Box ID' cannot be found in the system."
    assert error.body == body


def test_validation_failed_with_only_top_level_error():
    error = _classify(422, {"error": "Something is wrong."})
    assert error.message == "Something is wrong."


def test_forbidden_names_the_entity():
    error = _classify(403, {"message": "x"}, entity="Shipment")
    assert error.entity == "Shipment"
    assert "Shipment" in str(error)


def test_not_found_names_the_entity():
    error = _classify(500, NO_ENTITY, entity="SalesOrder")
    assert "SalesOrder" in str(error)


@pytest.mark.parametrize(
    ("status", "content_type", "content", "retryable"),
    [
        (500, "text/html", "<html><body>Server Error in '/' Application.</body></html>", True),
        (502, "text/html", "<html>Bad Gateway</html>", True),
        (200, "text/html", "<!DOCTYPE html><title>Welcome to nginx</title>", False),
        (404, "text/html", "<html>IIS 404</html>", False),
        (500, "application/json", "{not json", True),
        (500, "", "", True),
    ],
)
def test_unexpected_response(status, content_type, content, retryable):
    error = classify(status_code=status, content=content, headers={"Content-Type": content_type})
    assert type(error) is e.UnexpectedResponse
    assert error.retryable is retryable


def test_login_limit_as_plain_text_429():
    error = classify(
        status_code=429, content=b"API Login Limit", headers={"Content-Type": "text/plain"}
    )
    assert type(error) is e.LoginLimitReached


def test_rate_limited_retry_after_seconds_and_date():
    assert _classify(429, {}, {"Retry-After": "7"}).retry_after == 7.0
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    retry_after = _classify(429, {}, {"Retry-After": when}).retry_after
    assert 25 <= retry_after <= 31
    assert _classify(429, {}).retry_after is None


def test_parse_retry_after():
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    # A date in the past means "now", never a negative wait.
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_error_from_requests_response():
    response = requests.Response()
    response.status_code = 500
    response._content = json.dumps(NO_ENTITY).encode()
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    response.url = "http://h/AcumaticaERP/entity/Default/24.200.001/SalesOrder/SO/1"
    response.request = requests.Request("GET", response.url).prepare()
    error = error_from_response(response, entity="SalesOrder")
    assert isinstance(error, e.NotFound)
    assert error.method == "GET"
    assert error.url == response.url


def test_repr_and_str_are_short():
    error = e.EndpointNotInstalled(
        endpoint="Default/25.200.001", installed=["Default/24.200.001", "Default/23.200.001"]
    )
    assert str(error) == (
        "Endpoint Default/25.200.001 is not installed on this Acumatica instance; "
        "installed: Default/24.200.001, Default/23.200.001"
    )
    assert repr(error).startswith("EndpointNotInstalled(")


def test_unauthorized_alias():
    assert e.Unauthorized is e.NotLoggedIn


# --- the real bodies in ../shared ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "cls"),
    [
        ("login_failure_invalid_credentials_500.json", 500, e.InvalidCredentials),
        ("login_unknown_tenant_500.json", 500, e.UnknownTenant),
        ("get_by_key_not_found_500.json", 500, e.NotFound),
        ("list_optimization_failure_500.json", 500, e.OptimizationFailed),
        ("setup_not_entered_500.json", 500, e.SetupNotEntered),
        ("put_bill_422_field_error.json", 422, e.ValidationFailed),
    ],
)
def test_shared_examples(shared_dir, name, status, cls):
    content = (shared_dir / "acumatica/examples" / name).read_bytes()
    error = classify(
        status_code=status, content=content, headers={"Content-Type": "application/json"}
    )
    assert type(error) is cls
    assert error.retryable is False


def test_shared_422_example_paths(shared_dir):
    content = (shared_dir / "acumatica/examples/put_bill_422_field_error.json").read_bytes()
    error = classify(status_code=422, content=content, headers={"Content-Type": "application/json"})
    assert [f.path for f in error.field_errors] == ["", "Details[0].Project"]
    assert "cannot be found" in error.message
