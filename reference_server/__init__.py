"""The reference server: the whole contract in spec/, as a raw ASGI application."""
