"""Where the API serves the schema registry: clients use http://<api>/registry as the registry URL
(/subjects stays the web UI's). Its own module so that the CLI can name the default URL without importing
the registry's routes, and FastAPI with them."""

PREFIX = "/registry"
