"""Why a store's Acumatica client cannot be built at all (before any request is sent).

Import, write-back and the live diagnosis catch ``StoreClientUnavailable`` once instead of
listing its kinds: the Instance URL is not allowed (``UnsafeInstanceURL``) or the stored secrets
cannot be decrypted with the configured keys (``CredentialsKeyError``).
"""


class StoreClientUnavailable(Exception):
    """The store's settings or secrets do not allow an Acumatica client to be built."""
