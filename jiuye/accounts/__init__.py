"""Staff accounts: roles scoped to a district (and optionally a town), argon2 passwords, server-side
sessions stored in the database, CSRF tokens, login lockout.  Every login, failed login and logout is an
audit event in the hash chain (:mod:`jiuye.audit`)."""
