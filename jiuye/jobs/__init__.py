"""Background jobs started from a page (import, match, bulk approval, pay, supervise).

A job row (``jobs``) records who asked for what, its state and result.  The work itself calls the same
service as the CLI command, inside the same kind of transaction, so the same locks and guarantees hold: a
second ``pay`` waits for the first and then finds nothing left to pay; a killed worker's transaction
rolls back and leaves nothing half done (matching resumes from its last committed chunk).
"""
