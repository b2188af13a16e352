from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "fulfillment"

    def ready(self) -> None:
        from stores.connection_test import step_add
        from stores.signals import store_needs_attention

        from .events.hooks import store_needs_attention_event
        from .push.check import PUSH_STEP

        step_add(PUSH_STEP)
        # The warehouse hears of a store that needs attention (store.needs_attention).
        store_needs_attention.connect(store_needs_attention_event, dispatch_uid="events.store")
