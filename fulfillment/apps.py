from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "fulfillment"

    def ready(self) -> None:
        from stores.connection_test import step_add

        from .push.check import PUSH_STEP

        step_add(PUSH_STEP)
