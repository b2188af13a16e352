"""The stores pages: ``store`` (the list, a store's page, editing it and its actions) and
``wizard`` (Add Connection); ``guards`` are the checks every page runs first and ``review``
what the wizard's last step shares with the store's page."""
