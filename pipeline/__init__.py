"""outreach: offline translation support for announcements (sources → catalogues → texts)."""

__version__ = "0.1.0"
