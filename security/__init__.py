"""Security tooling that is not part of the running app: the dependency audit (`make audit`)."""
