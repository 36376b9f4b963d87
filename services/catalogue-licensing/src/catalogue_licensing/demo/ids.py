"""The fixed ids and the author of the demo data, shared by the loaders of its parts.

Fixed, so a reload finds what it loaded before, and so other components can name demo rows: the
gateway's demo vendor client is scoped to NORDLYS_LYDBOK (gateway/cli/demo.py DEMO_SCOPES).
"""

from __future__ import annotations

import uuid

from chassis.auth import Principal

# Who the audit trail and the events name as the author of the demo data.
DEMO_PRINCIPAL = Principal(subject="demo-data", roles=frozenset({"programme_admin"}))

# Vendors.
NORDLYS_LYDBOK = uuid.UUID("0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f70")
FJORDAVIS_DIGITAL = uuid.UUID("0193a5c2-7b4e-7d22-9f3a-2c6e8b1d4f71")
KINOTEKET_STROM = uuid.UUID("0193a5c2-7b4e-7d23-9f3a-2c6e8b1d4f72")
ORDKILDE_LAERING = uuid.UUID("0193a5c2-7b4e-7d24-9f3a-2c6e8b1d4f73")

# Products: active ones reach libraries through agreements; the drafts show that a vendor never
# sees another vendor's draft.
NORDLYS_LYDBOKER = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000001")  # active
NORDLYS_SKOLE = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000002")  # draft, the demo vendor's
AVISARKIVET = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000003")  # active
KINOTEKET = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000004")  # active
LYDSALEN = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000005")  # draft, another vendor's
ORDKILDE_SPRAK = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000006")  # active
ORDKILDE_LEKSIKON = uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000007")  # active

# Procurement rounds: last year's, concluded (its awards are the 2026 agreements); this year's,
# in negotiation; and one open for offers.
ROUND_CONCLUDED = uuid.UUID("0193a5c2-7b4e-7a01-9c00-000000000001")
ROUND_NEGOTIATION = uuid.UUID("0193a5c2-7b4e-7a01-9c00-000000000002")
ROUND_OPEN = uuid.UUID("0193a5c2-7b4e-7a01-9c00-000000000003")
