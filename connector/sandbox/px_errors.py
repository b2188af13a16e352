"""Acumatica's own error replies on sign-in and access, as ``HttpError`` bodies (API.md §1.1, §6).

Texts and exception types are the observed ones (examples/login_*_500.json); the stack traces are
plausible reconstructions, there so a client that logs them meets realistic sizes and shapes.
"""

from __future__ import annotations

from .config import SandboxConfig
from .http import Reply, http_error

INVALID_CREDENTIALS = "Error: Invalid credentials. Please try again."
UNDEFINED_COMPANY = "A proper company ID cannot be determined"
PASSWORD_CHANGE_REQUIRED = (
    "You need to change your password. Sign in by using your browser to set a new password."
)
API_LOGIN_LIMIT = "API Login Limit"
INSUFFICIENT_RIGHTS = (
    "The user has insufficient rights to access the Acumatica ERP form that corresponds to the "
    "API entity."
)

_LOGIN_TRACE = (
    "   at PX.Data.PXLogin.PX.Data.IPXLogin.LoginUser(String& userName, String password)\r\n"
    "   at PX.Api.Services.LoginService.Login(String login, String password, String company, "
    "String branch, String locale, String prefix)\r\n"
    "   at PX.Api.ContractBased.ILoginServiceExtensions.LoginForSoapApi(ILoginService "
    "loginService, String login, String password, String company, String branch, String locale)\r\n"
    "   at PX.Api.ContractBased.WebApi.Controllers.AuthController.Login(Credentials "
    "credentials)\r\n"
    "   at lambda_method(Closure , Object , Object[] )\r\n"
    "   at System.Web.Http.Controllers.ReflectedHttpActionDescriptor.ActionExecutor."
    "<>c__DisplayClass10.<GetExecutor>b__9(Object instance, Object[] methodParameters)\r\n"
    "   at System.Web.Http.Controllers.ApiControllerActionInvoker.<InvokeActionAsyncCore>d__0."
    "MoveNext()"
)
_COMPANY_TRACE = (
    "   at PX.Data.PXDatabaseProviderBase.getCompanyID(String companyName, String& "
    "companyLogin)\r\n"
    "   at PX.Data.PXLogin.LoginUser(String& userName, String password, String company)\r\n"
    + _LOGIN_TRACE.split("\r\n", 1)[1]
)
_LICENSE_TRACE = (
    "   at PX.Data.PXLicenseHelper.CheckApiUsersLimit(String userName)\r\n"
    "   at PX.Api.Services.LoginService.Login(String login, String password, String company, "
    "String branch, String locale, String prefix)\r\n"
    "   at PX.Api.ContractBased.WebApi.Controllers.AuthController.Login(Credentials credentials)"
)


def invalid_credentials() -> Reply:
    return http_error(500, INVALID_CREDENTIALS, "PX.Data.PXException", stack_trace=_LOGIN_TRACE)


def undefined_company() -> Reply:
    return http_error(
        500, UNDEFINED_COMPANY, "PX.Data.PXUndefinedCompanyException", stack_trace=_COMPANY_TRACE
    )


def password_change_required() -> Reply:
    return http_error(
        500, PASSWORD_CHANGE_REQUIRED, "PX.Data.PXException", stack_trace=_LOGIN_TRACE
    )


def api_login_limit(config: SandboxConfig) -> Reply:
    """Seat exhaustion. Acumatica's status is 500 (what the C# client special-cases) or, seen once,
    429; ``config.login_limit_status`` picks, the body carries the text clients match either way."""
    return http_error(
        config.login_limit_status,
        API_LOGIN_LIMIT,
        "PX.Data.PXException",
        stack_trace=_LICENSE_TRACE,
    )


def insufficient_rights(entity: str) -> Reply:
    """The documented text, plus PX's "insufficient rights to access the object" naming the entity
    so a client can say which one is missing from the user's role."""
    return http_error(
        403,
        f"You have insufficient rights to access the object ({entity}).",
        "PX.Data.PXException",
        message=INSUFFICIENT_RIGHTS,
    )
