"""Deployment manifests for a real cluster, rendered from the hub's one principal/ACL table:
Strimzi custom resources (``strimzi``) and a compose file (``compose``); ``render`` writes both."""
