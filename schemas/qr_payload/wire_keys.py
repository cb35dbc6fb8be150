"""Integer map keys of the two signed maps (wire constants, never renumbered).

Registered CWT claim keys (RFC 8392, RFC 8747 for cnf, RFC 9711 EAT for nonce) where one
exists; one private-use key (RFC 8392 §4: below -65536) for what has no registered name.
"""

ISS = 1
EXP = 4
IAT = 6
CTI = 7
CNF = 8
NONCE = 10
CNF_COSE_KEY = 1  # cnf: {1: COSE_Key} (RFC 8747 §3.2)

#: issuer part: [type code, compact claims]; presentation: the issuer part's COSE_Sign1 bytes
PRIVATE_CREDENTIAL = -65537
#: issuer part: [status list id (bytes), index] - the credential's Token Status List entry in
#: 20-odd bytes instead of the ~70 of the draft's {"status_list": {"idx", "uri"}}; private
#: (not the registered CWT "status" 65535) because the shape is not the draft's
PRIVATE_STATUS = -65538

#: iat is optional in the issuer part: exp and the type's validity already bound its life,
#: and its 6 bytes (9 QR characters) were part of what kept five customs goods over v15
ISSUER_PART_REQUIRED = frozenset({ISS, EXP, CNF, PRIVATE_CREDENTIAL})
ISSUER_PART_OPTIONAL = frozenset({CTI, IAT, PRIVATE_STATUS})
STATUS_LIST_ID_MAX_BYTES = 32
PRESENTATION_REQUIRED = frozenset({IAT, EXP, CTI, PRIVATE_CREDENTIAL})
PRESENTATION_OPTIONAL = frozenset({NONCE})

JTI_MIN_BYTES, JTI_MAX_BYTES = 4, 16
#: what our presenters put in: unique enough per issuer part (single use marks jti + the
#: issuer part digest), and each byte is 1.5 QR characters
JTI_BYTES = 4
CTI_MAX_BYTES = 32
NONCE_MAX_BYTES = 32
#: a presentation lives seconds to minutes; longer would make a screenshot worth stealing
MAX_PRESENTATION_TTL_S = 900
