"""Forms of the stores pages. They parse and validate what a person typed, with the messages of
``stores.validation``; the views hand the cleaned values to ``stores.services``.

``steps`` holds the wizard's step forms, ``edit`` the edit page (the credentials and settings
steps on one form), ``actions`` activate and pause; ``values`` what they share and
``help_texts`` what each field says under it."""

from .actions import ActivateForm, PauseForm
from .edit import StoreEditForm, edit_initial
from .handoff import LinkCredentialsForm, RevokeLinkForm, SendLinkForm
from .help_texts import HELP, KEEP_STORED
from .steps import (
    CredentialsForm,
    SettingsForm,
    StoreBasicsForm,
    credentials_initial,
    settings_initial,
)
from .values import (
    CREDENTIAL_FIELDS,
    LICENCE_FIELDS,
    SECRET_FIELDS,
    SETTINGS_FIELDS,
    StoreValuesForm,
    add_service_errors,
)

__all__ = [
    "CREDENTIAL_FIELDS",
    "HELP",
    "KEEP_STORED",
    "LICENCE_FIELDS",
    "SECRET_FIELDS",
    "SETTINGS_FIELDS",
    "ActivateForm",
    "CredentialsForm",
    "LinkCredentialsForm",
    "PauseForm",
    "RevokeLinkForm",
    "SendLinkForm",
    "SettingsForm",
    "StoreBasicsForm",
    "StoreEditForm",
    "StoreValuesForm",
    "add_service_errors",
    "credentials_initial",
    "edit_initial",
    "settings_initial",
]
