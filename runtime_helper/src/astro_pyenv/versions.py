"""Airflow version comparison that ignores PEP 440 local labels (``2.7.2+astro.3`` == ``2.7.2``)."""
from __future__ import annotations


def public_version(version: str) -> str:
    """Drop the local label (everything from ``+``) and surrounding whitespace."""
    return version.strip().split("+", 1)[0]


def same_release(host_version: str, target_version: str) -> bool:
    """True when both versions name the same public release, whatever their local labels."""
    host, target = public_version(host_version), public_version(target_version)
    return bool(host) and host.lower() == target.lower()
