"""Data intake: reading an uploaded file (reading.py), checking it (checks.py), comparing it
with what is stored and importing or rolling it back in one transaction (store.py), and
keeping a file between its preview and its confirmation (staging.py)."""
