"""Hotspots (热点): open and recent orders clustered by place and category for the map."""
