"""`python -m wallet_api.cli.main`."""
from wallet_api.cli.main import main

main()
