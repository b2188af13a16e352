"""The email that carries a credentials link to the merchant. It holds the link and what the
merchant needs to know about it, nothing of the store's settings or secrets."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMessage
from django.utils import timezone

SUBJECT_PREFIX = "[Acumatica connector]"


def handoff_email_send(
    *, to: str, store_name: str, merchant_name: str, url: str, expires_at: dt.datetime
) -> None:
    """Send it through Django's email backend (files under VAR_DIR/mail in the demo); raises
    what the backend raises."""
    expires = timezone.localtime(expires_at)
    body = "\n".join(
        [
            "Hello,",
            "",
            f"Your warehouse is connecting {merchant_name}'s Acumatica to its systems "
            f"(connection “{store_name}”) and asks you to enter the Acumatica sign-in for it:",
            "",
            url,
            "",
            "The page asks for your Acumatica site's address, the Connected Application's "
            "Client ID and Shared Secret (Integration > Connected Applications, SM303010), and "
            "the integration user's name and password. It can test the connection before you "
            "submit. What you enter is stored encrypted; nobody at the warehouse can read the "
            "secrets back.",
            "",
            f"The link works once, until {expires:%Y-%m-%d %H:%M %Z}. Do not forward it: "
            "whoever opens it can enter the credentials.",
            "",
            "If you did not expect this email, ignore it.",
        ]
    )
    EmailMessage(
        subject=f"{SUBJECT_PREFIX} Enter the Acumatica sign-in for {store_name}",
        body=body,
        to=[to],
    ).send(fail_silently=False)
