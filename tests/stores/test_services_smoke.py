from stores.credentials import acumatica_client_for
from stores.models import StoreSecrets, StoreStatus


def test_a_new_store_is_a_draft_and_its_client_signs_in_to_the_sandbox(sandbox, store_factory):
    store = store_factory(sandbox)
    assert store.status == StoreStatus.DRAFT
    with acumatica_client_for(store, keep_tokens=True) as client:
        orders = client.list("SalesOrder", top=2)
    assert len(orders) == 2
    secrets = StoreSecrets.objects.get(store=store)
    # The grant's refresh token was kept, encrypted, for the next job.
    assert secrets.refresh_token and sandbox.config.password not in secrets.password
