"""The wire shapes of the HTTP API's answers, as pydantic models, one module per area.

They describe today's bodies exactly: routes declare them with ``response_model`` (see
``wallet_api.api_models.base.typed``) and the OpenAPI document is built from them. Keys a
body leaves out are optional fields without a value; ``typed`` serializes with
``exclude_unset``, so leaving a key out never turns into ``"key": null`` on the wire.
"""
