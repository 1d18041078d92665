"""Load and performance scripts: run each with `python -m bench.<name>`; see README.md."""
