"""Every router of the app, in one list."""

from wallet_api.routes import health, issuer_admin, issuer_public, oid4vci, types, wellknown

ROUTERS = [health.router, types.router, wellknown.router, issuer_public.router, issuer_admin.router, oid4vci.router]
