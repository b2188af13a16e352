"""Acumatica push notifications in (API.md §8): ``notifications`` reads one (pure),
``services`` issues a store's webhook, receives deliveries and imports what they name."""
