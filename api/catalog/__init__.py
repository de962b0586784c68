"""The service catalogue: service items (事项) with their guides (办事指南) and one-thing bundles (一件事).

`service` holds the rules and the store calls, `forms` merges the items' forms into a bundle's one form,
`rules` checks references (departments, certificate types, prefill sources), `schemas` the shapes,
`routes` the HTTP API, `cli` the `flask load-catalog` command, and `data/` the seed catalogue.
"""
