"""HTML error pages as IIS and http.sys send them to remote clients.

A client that expects JSON from every Acumatica URL meets these in production (unknown paths,
bodiless POSTs without Content-Length, an app pool restarting, a proxy in front), so the sandbox
serves the same pages rather than friendlier JSON.
"""

from __future__ import annotations

from .http import Reply

_IIS_STYLE = (
    "body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;"
    "background:#EEEEEE;}\n"
    "fieldset{padding:0 15px 10px 15px;}\n"
    "h1{font-size:2.4em;margin:0;color:#FFF;}\n"
    "h2{font-size:1.7em;margin:0;color:#CC0000;}\n"
    "h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}\n"
    "#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;"
    'font-family:"trebuchet MS", Verdana, sans-serif;color:#FFF;background-color:#555555;}\n'
    "#content{margin:0 0 0 2%;position:relative;}\n"
    ".content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}\n"
)

# status -> (title, explanation) of IIS's "custom error" page for remote clients.
_IIS_PAGES = {
    404: (
        "404 - File or directory not found.",
        "The resource you are looking for might have been removed, had its name changed, "
        "or is temporarily unavailable.",
    ),
    500: (
        "500 - Internal server error.",
        "There is a problem with the resource you are looking for, and it cannot be displayed.",
    ),
    502: (
        "502 - Web server received an invalid response while acting as a gateway or proxy server.",
        "There is a problem with the page you are looking for, and it cannot be displayed. "
        "When the Web server (while acting as a gateway or proxy) contacted the upstream content "
        "server, it received an invalid response from the content server.",
    ),
}

# status -> (title, text) of the bare pages http.sys answers when the request never reaches IIS's
# worker process (app pool stopped or recycling, malformed request).
_HTTP_SYS_PAGES = {
    400: ("Bad Request", "HTTP Error 400. The request is badly formed."),
    411: (
        "Length Required",
        "HTTP Error 411. The request must be chunked or have a content length.",
    ),
    503: ("Service Unavailable", "HTTP Error 503. The service is unavailable."),
}

HTML_ERROR_STATUSES = tuple(sorted(set(_IIS_PAGES) | set(_HTTP_SYS_PAGES)))


def error_page(status: int) -> Reply:
    """The page IIS (or http.sys) would answer with for this status."""
    if status in _HTTP_SYS_PAGES:
        title, text = _HTTP_SYS_PAGES[status]
        html = (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">'
            f"\r\n<HTML><HEAD><TITLE>{title}</TITLE>\r\n"
            '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
            f"<BODY><h2>{title}</h2>\r\n<hr><p>{text}</p>\r\n</BODY></HTML>\r\n"
        )
        return Reply(status, html, content_type="text/html; charset=us-ascii")
    title, text = _IIS_PAGES.get(status, _IIS_PAGES[500])
    html = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\r\n<head>\r\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>\r\n'
        f"<title>{title}</title>\r\n"
        f'<style type="text/css">\r\n<!--\r\n{_IIS_STYLE}-->\r\n</style>\r\n</head>\r\n<body>\r\n'
        '<div id="header"><h1>Server Error</h1></div>\r\n<div id="content">\r\n'
        ' <div class="content-container"><fieldset>\r\n'
        f"  <h2>{title}</h2>\r\n  <h3>{text}</h3>\r\n"
        " </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n"
    )
    return Reply(status, html, content_type="text/html")
