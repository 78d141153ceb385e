"""The entitlement and payment ledger (issue 4): transitions, approval, payment batches, reversals."""
