"""The warehouse API (``/api/v1/``): Django REST framework views over the fulfillment services,
authenticated by API tokens and scoped to the tokens' merchants."""
