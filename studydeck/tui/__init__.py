"""The Textual app: app.py builds it; screens/, widgets/ and drawing/ hold its parts.  Only this package imports textual."""
