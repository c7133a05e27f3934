"""Ganzhi (感知): owner experience management for property-management companies."""
