"""Accounts across workers: the place for the lock-out and session cases (issue 10, items 2
and 4, with the accounts engineer's work).

To come here, on the `production` fixture (tests/production/conftest.py): a lock-out that
holds whichever worker the next attempt reaches, and a logout that ends a copied session
cookie on every worker.
"""
