"""Callback wiring: the router and one module a page (see registry.py), each parsing its
inputs, calling the data layer and the figure builders, and returning outputs."""
