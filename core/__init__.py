"""What the apps share: small helpers that belong to no one app.

Neither `studies` nor `evaluation` reaches into the other's modules for these; both import them
from here. `core` has no models and no templates, so it is not an installed app.
"""
