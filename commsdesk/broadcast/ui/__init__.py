"""The Broadcast panel: OBS scenes, slides on air, stream health."""
