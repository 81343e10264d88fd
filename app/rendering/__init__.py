"""Presentation as pure functions returning str or bytes: labels and numbers (`format`),
drawings (`svg`) and documents (`pdf`)."""
