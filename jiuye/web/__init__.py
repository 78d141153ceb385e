"""The top floor: assembles every room's ``views`` router into one FastAPI application (``jiuye serve``).

Nothing imports this package.  See :func:`jiuye.web.app.create_app`.
"""
