"""The sync side's use cases, one module each, mapped to their commands by the plugin."""
