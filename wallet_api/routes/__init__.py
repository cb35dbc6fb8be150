"""Every router of the app, in one list."""

from wallet_api.routes import health, issuer_admin, issuer_public, oid4vci, types, wellknown
from wallet_api.routes import verifier, verifier_openid4vp
from wallet_api.routes import wallet_auth, wallet_credentials, wallet_holders, wallet_presentations
from wallet_api.routes import qr_customs, qr_desk, qr_printable, qr_wallet
from wallet_api.routes import service_admin
from wallet_api.console import router as console

ROUTERS = [health.router, types.router, wellknown.router, issuer_public.router, issuer_admin.router, oid4vci.router, verifier.router, verifier_openid4vp.router, wallet_holders.router, wallet_auth.router, wallet_credentials.router, wallet_presentations.router, qr_customs.router, qr_wallet.router, qr_desk.router, qr_printable.router, console.router, service_admin.router]
