"""Joint inspections: one visit by every department that must see the premises, rectification, re-inspection."""
