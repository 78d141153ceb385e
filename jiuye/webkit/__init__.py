"""Web plumbing shared by every room's ``views.py``: templates, formatting filters, responses.

Infrastructure: it imports no domain room.  The rooms' views import it; :mod:`jiuye.web` assembles the
rooms' routers into the application (and nothing imports :mod:`jiuye.web`).
"""
