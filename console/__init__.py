"""The staff console and the Open311 API: a Sanic app of server-rendered pages (create_app)."""
