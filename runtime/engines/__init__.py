"""Execution engines: local asyncio (default) and Ray."""
