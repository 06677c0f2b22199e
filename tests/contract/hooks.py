"""A check beside schemathesis's own: a schema-valid request may be refused with 422 only
for a rule JSON Schema cannot state.

positive_data_acceptance lets 422 through (see run.sh) because some rules need the
database or another field to decide. This check reads the problem's `errors` and fails
unless every refused field names one of those rules, so a 422 for anything the
document could have said (a blank name, an e-mail shape, an empty page) still fails.
"""

import re

import schemathesis

# The rules JSON Schema cannot state, as the server words them.
UNSTATEABLE = [
    # A referenced id must exist (and be usable): channels, authors, accounts, articles,
    # comments to reply to.
    r"^no .* has (this id|id -?\d+)$",
    # A tip line's value is checked against its kind, which a PATCH may leave stored.
    r" for kind [a-z_]+$",
    # Replies nest a bounded depth, counted from the stored thread.
    r"^replies nest at most",
    # Rules about the resource's own stored id or place in the tree.
    r"^an article cannot be related to itself$",
    r"^a channel cannot move under itself",
    # A field required by another field's value (a PATCH may leave that one stored).
    r"^is required when ",
    # An API token's expiry lies ahead, which depends on the clock.
    r"^must be in the future$",
    # A page is measured in bytes of HTML, and is empty when nothing is left once
    # sanitised; the hook below accepts "must not be empty" for pages only.
    r"^must be at most \d+ bytes$",
    # Where a webhook's host name leads is known only by resolving it (SSRF checks).
    r"^the host .* does not resolve$",
    r"^the host .* resolves to .*, which webhooks may not reach$",
    r"^must not be empty$",
]


@schemathesis.check
def refusals_are_only_for_rules_json_schema_cannot_state(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        errors = response.json().get("errors", [])
    except ValueError:
        errors = []
    unexplained = [
        e for e in errors
        if not any(re.search(rule, e.get("message", "")) for rule in UNSTATEABLE)
        or (e.get("message") == "must not be empty" and not e.get("field", "").startswith("pages."))
    ]
    if unexplained or not errors:
        raise AssertionError(
            f"schema-valid data refused for a rule the schema could state: {unexplained or response.text}"
        )
    return None
