"""Server-rendered pages (Jinja2, Vietnamese by default) around one shared base template."""
