"""The holder's wallet: holders, devices, sign-in, stored credentials, submissions.

Plain functions taking a SQLModel ``Session``; the routes in ``wallet_api/routes/wallet_*.py``
only parse and delegate.
"""
