"""The identity server's pages: plain HTML forms that work without JavaScript, every value
escaped. The names and ids below are what a test drives (docs/xero-sandbox.md lists them):

    login page    form#login-form  POST /identity/login    pending (hidden), email, password,
                  button#login; p#login-error when the credentials were wrong
    consent page  form#consent-form POST /identity/consent pending (hidden), tenant_id (one
                  checkbox an organisation, id "tenant-<tenant id>"), button#allow
                  (action=allow), button#cancel (action=cancel); #app-name, #client-id,
                  ul#scopes, #user-email; p#consent-error when nothing was ticked. A request
                  to sign in only has no ul#organisations and no checkbox
    error page    h1#error, p#error-code ("unauthorized_client : Invalid redirect_uri")
    signed out    h1#signed-out (end session without a registered place to go back to)
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = [
    "CONSENT_PATH",
    "LOGIN_PATH",
    "Organisation",
    "consent_page",
    "error_page",
    "login_page",
    "signed_out_page",
]

LOGIN_PATH = "/identity/login"
CONSENT_PATH = "/identity/consent"

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
{body}
</body>
</html>
"""


@dataclass(frozen=True)
class Organisation:
    tenant_id: str
    name: str
    connected: bool


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=escape(title), body=body)


def _message(element_id: str, message: str | None) -> str:
    return f'<p id="{element_id}" role="alert">{escape(message)}</p>\n' if message else ""


def login_page(pending_id: str, app_name: str, message: str | None = None) -> str:
    body = (
        f"<h1>Log in to Xero</h1>\n"
        f'<p id="app-name">to connect {escape(app_name)}</p>\n'
        f"{_message('login-error', message)}"
        f'<form id="login-form" method="post" action="{LOGIN_PATH}">\n'
        f'<input type="hidden" name="pending" id="pending" value="{escape(pending_id)}">\n'
        f'<label for="email">Email address</label>\n'
        f'<input type="email" name="email" id="email" autocomplete="username" required>\n'
        f'<label for="password">Password</label>\n'
        f'<input type="password" name="password" id="password" '
        f'autocomplete="current-password" required>\n'
        f'<button type="submit" id="login">Log in</button>\n'
        f"</form>"
    )
    return _page("Log in | Xero", body)


def _organisation(org: Organisation) -> str:
    box_id = escape(f"tenant-{org.tenant_id}")
    state = " checked disabled" if org.connected else ""
    note = " (already connected)" if org.connected else ""
    return (
        f'<li><input type="checkbox" name="tenant_id" id="{box_id}" '
        f'value="{escape(org.tenant_id)}"{state}>'
        f' <label for="{box_id}">{escape(org.name)}</label>{note}</li>'
    )


def consent_page(
    pending_id: str,
    app: tuple[str, str],
    scope: str,
    user_email: str,
    organisations: list[Organisation] | None,
    message: str | None = None,
) -> str:
    """``app`` is (name, client id); ``organisations`` None when the app only signs in."""
    name, client_id = app
    scopes = "\n".join(f"<li>{escape(s)}</li>" for s in scope.split())
    chooser = ""
    if organisations is not None:
        orgs = "\n".join(_organisation(org) for org in organisations)
        chooser = (
            f'<fieldset><legend>Organisations to connect</legend>\n<ul id="organisations">\n'
            f"{orgs}\n</ul></fieldset>\n"
        )
    body = (
        f'<h1 id="app-name">{escape(name)} wants to access your Xero data</h1>\n'
        f'<p>Client id: <span id="client-id">{escape(client_id)}</span></p>\n'
        f'<p>Logged in as <span id="user-email">{escape(user_email)}</span></p>\n'
        f'<p>It asks for:</p>\n<ul id="scopes">\n{scopes}\n</ul>\n'
        f"{_message('consent-error', message)}"
        f'<form id="consent-form" method="post" action="{CONSENT_PATH}">\n'
        f'<input type="hidden" name="pending" id="pending" value="{escape(pending_id)}">\n'
        f"{chooser}"
        f'<button type="submit" name="action" value="allow" id="allow">Allow access</button>\n'
        f'<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>\n'
        f"</form>"
    )
    return _page("Connect | Xero", body)


def signed_out_page() -> str:
    body = '<h1 id="signed-out">You have logged out of Xero</h1>'
    return _page("Logged out | Xero", body)


def error_page(error: str, description: str) -> str:
    body = (
        f'<h1 id="error">Sorry, something went wrong</h1>\n'
        f"<p>Go back and try again.</p>\n"
        f'<p id="error-code">{escape(error)} : {escape(description)}</p>'
    )
    return _page("Error | Xero", body)
