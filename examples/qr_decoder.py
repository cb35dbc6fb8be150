"""A minimal, independent decoder and verifier of ecert QR texts, written from docs/qr-format.md.

Uses only base45, zlib, cbor2 and cryptography (plus the standard library) and imports
nothing from the project; it reads the two data files of the spec (§7, §8).
    python examples/qr_decoder.py tests/vectors/qr/valid_customs_1_item_es256.json
"""
import base64, datetime, json, struct, sys, tomllib, zlib
from pathlib import Path

import base45, cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils

DATA = Path(__file__).resolve().parents[1] / "schemas" / "qr_payload"
DICTIONARY = (DATA / "dictionary_v1.bin").read_bytes()
TYPES = tomllib.loads((DATA / "claim_keys.toml").read_text(encoding="utf-8"))["types"]
ALGS = {-7: "ES256", -8: "EdDSA"}

class Refused(Exception):
    code = property(lambda self: self.args[0])

def check(ok, code="malformed"):
    if not ok: raise Refused(code)
def walk(d, pos, depth, tags, count):  # §4, on the bytes, before cbor2 sees them
    check(depth <= 8, "qr_cbor_too_deep"); count[0] += 1; check(count[0] <= 512, "qr_cbor_too_long")
    check(pos < len(d)); major, ai = d[pos] >> 5, d[pos] & 31; pos += 1
    check(ai != 31, "qr_cbor_indefinite"); check(ai < 28)
    if major == 7:
        if ai in (25, 26, 27):
            n = 1 << (ai - 24); check(pos + n <= len(d)); v = struct.unpack({2: ">e", 4: ">f", 8: ">d"}[n], d[pos:pos + n])[0]
            check(v == v and abs(v) != float("inf")); return pos + n
        check(ai in (20, 21, 22)); return pos
    arg = ai
    if ai >= 24:
        n = 1 << (ai - 24); check(pos + n <= len(d)); arg = int.from_bytes(d[pos:pos + n], "big"); pos += n
    if major in (2, 3):
        check(arg <= len(d) - pos)
        try: major == 3 and d[pos:pos + arg].decode("utf-8")
        except UnicodeDecodeError: raise Refused("malformed")
        return pos + arg
    if major == 4:
        check(arg <= len(d) - pos)
        for _ in range(arg): pos = walk(d, pos, depth + 1, tags, count)
    elif major == 5:
        check(2 * arg <= len(d) - pos); seen = set()
        for _ in range(arg):
            start = pos; pos = walk(d, pos, depth + 1, tags, count); key = cbor2.loads(d[start:pos])
            check(isinstance(key, (int, str)) and not isinstance(key, bool) and key not in seen); seen.add(key)
            pos = walk(d, pos, depth + 1, tags, count)
    elif major == 6:
        check(arg in tags, "qr_cbor_tag_unexpected"); pos = walk(d, pos, depth + 1, tags, count)
    return pos

def strict(data, tags=()):
    check(walk(data, 0, 0, tags, [0]) == len(data))
    try: return cbor2.loads(data)
    except Exception: raise Refused("malformed")

def sign1(value, kid_allowed):  # §5
    check(isinstance(value, list) and len(value) == 4); protected, unprotected, payload, sig = value
    check(all(isinstance(x, bytes) for x in (protected, payload, sig)) and unprotected == {} and len(sig) == 64)
    header = strict(protected)
    check(isinstance(header, dict) and set(header) <= {1, 4} and header.get(1) in ALGS)
    kid = header.get(4)
    check(kid is None or (kid_allowed and isinstance(kid, bytes) and 1 <= len(kid) <= 64))
    return protected, header, payload, sig

def verify_sig(alg, key, protected, payload, sig, aad=b""):
    tbs = cbor2.dumps(["Signature1", protected, aad, payload])
    try:
        if alg == "ES256": key.verify(utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")), tbs, ec.ECDSA(hashes.SHA256()))
        else: key.verify(sig, tbs)
        return True
    except InvalidSignature: return False

def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def jwk_key(jwk):
    if jwk["kty"] == "EC": return "ES256", ec.EllipticCurvePublicNumbers(int.from_bytes(b64(jwk["x"]), "big"), int.from_bytes(b64(jwk["y"]), "big"), ec.SECP256R1()).public_key()
    return "EdDSA", ed25519.Ed25519PublicKey.from_public_bytes(b64(jwk["x"]))

def expand(wire, table):  # §7
    check(isinstance(wire, dict)); names = {v if isinstance(v, int) else v["key"]: k for k, v in table.items()}; out = {}
    for key, value in wire.items():
        check(not isinstance(key, int) or key in names); name = names.get(key, key); check(name not in out)
        entry = table.get(name)
        if isinstance(entry, dict) and "fields" in entry:
            fields = entry["fields"]; check(isinstance(value, list) and all(isinstance(r, list) and len(r) == len(fields) for r in value))
            out[name] = [{f: c for f, c in zip(fields, map(scalar, r)) if c is not None} for r in value]
        else: out[name] = plain(value, entry["claims"] if isinstance(entry, dict) else {})
    return out

def scalar(v): v = plain(v, {}); check(not isinstance(v, (dict, list))); return v
def plain(v, table):
    if isinstance(v, dict): return expand(v, table)
    if isinstance(v, list): return [plain(x, table) for x in v]
    if isinstance(v, datetime.date): return v.isoformat()
    check(not isinstance(v, (bytes, cbor2.CBORTag))); return v

def time(v): check(isinstance(v, int) and not isinstance(v, bool) and 946684800 <= v <= 7258118400); return v
def verify(text, issuer_keys, now, leeway_s=5):
    check(isinstance(text, str)); text = text.rstrip("\r\n"); check(len(text) <= 1500, "qr_text_too_long")  # §9.1
    colon = text.find(":", 0, 8); head = text[:colon] if colon >= 0 else ""; family, version = head[:2], head[2:]
    check(colon >= 0 and family in ("KD", "KM") and version.isascii() and version.isdigit(), "qr_prefix_unknown")
    check(int(version) == 1, "qr_version_unsupported"); body = text[colon + 1:]
    check(body != "" and all(c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" for c in body), "qr_encoding_invalid")
    try: raw = base45.b45decode(body)
    except Exception: raise Refused("qr_encoding_invalid")
    d_prot, d_head, d_payload, d_sig = sign1(strict(raw), False)
    pres = strict(d_payload); check(isinstance(pres, dict) and {4, 6, 7, -65537} <= set(pres) <= {4, 6, 7, 10, -65537})
    check(isinstance(pres[-65537], bytes)); i_prot, i_head, i_payload, i_sig = sign1(strict(pres[-65537]), True)
    inflater = zlib.decompressobj(-15, zdict=DICTIONARY)
    try: inflated = inflater.decompress(i_payload, 8193)
    except zlib.error: raise Refused("qr_compression_invalid")
    check(len(inflated) <= 8192 and not inflater.unconsumed_tail, "qr_too_large")
    check(inflater.eof and not inflater.unused_data, "qr_compression_invalid")
    cred = strict(inflated, (100,)); check(isinstance(cred, dict) and {1, 4, 8, -65537} <= set(cred) <= {1, 4, 6, 7, 8, -65537, -65538})
    check(isinstance(pres[7], bytes)); check(4 <= len(pres[7]) <= 16, "qr_jti_invalid")
    check(10 not in pres or (isinstance(pres[10], bytes) and 1 <= len(pres[10]) <= 32))
    check(7 not in cred or (isinstance(cred[7], bytes) and 1 <= len(cred[7]) <= 32))
    check(isinstance(cred[-65537], list) and len(cred[-65537]) == 2); code, wire = cred[-65537]
    qr_type = next((t for t, e in TYPES.items() if e["code"] == code and not isinstance(code, bool)), None); check(qr_type is not None)
    claims = expand(wire, TYPES[qr_type]["claims"]); check(TYPES[qr_type]["prefix"] == family, "typ_invalid")
    check(isinstance(cred[8], dict) and set(cred[8]) == {1} and isinstance(cred[1], str) and cred[1] != "")
    exp, iat = time(cred[4]), time(cred[6]) if 6 in cred else None
    status = cred.get(-65538)
    check(status is None or (isinstance(status, list) and len(status) == 2 and isinstance(status[0], bytes) and 1 <= len(status[0]) <= 32 and isinstance(status[1], int) and not isinstance(status[1], bool) and status[1] >= 0))
    ck = cred[8][1]; check(isinstance(ck, dict) and isinstance(ck.get(-2), bytes) and len(ck[-2]) == 32)
    if ck.get(1) == 1 and ck.get(-1) == 6 and set(ck) == {1, -1, -2}: d_alg, d_key = "EdDSA", ed25519.Ed25519PublicKey.from_public_bytes(ck[-2])
    else:
        check(ck.get(1) == 2 and ck.get(-1) == 1 and set(ck) == {1, -1, -2, -3} and isinstance(ck[-3], bool))
        try: d_alg, d_key = "ES256", ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), (b"\x03" if ck[-3] else b"\x02") + ck[-2])
        except ValueError: raise Refused("malformed")
    p_iat, p_exp = time(pres[6]), time(pres[4])
    keys = [e["jwk"] for e in issuer_keys if e["iss"] == cred[1]]  # §10
    check(0 < len(keys) <= 8, "issuer_untrusted")
    if 4 in i_head:
        keys = [j for j in keys if hashes_kid(j.get("kid", "")) == i_head[4]]; check(keys, "issuer_untrusted")
    keys = [k for k in map(jwk_key, keys) if k[0] == ALGS[i_head[1]]]; check(keys, "signature_invalid")
    check(any(verify_sig(alg, key, i_prot, i_payload, i_sig) for alg, key in keys), "signature_invalid")
    check(now < exp, "expired"); check(iat is None or iat <= now + leeway_s, "not_yet_valid")
    check(ALGS[d_head[1]] == d_alg and verify_sig(d_alg, d_key, d_prot, d_payload, d_sig, text[:colon + 1].encode()), "holder_binding_failed")
    check(0 < p_exp - p_iat <= 900); check(p_iat <= now + leeway_s, "not_yet_valid"); check(now < p_exp and p_iat < exp, "expired")
    return {"valid": True, "type": qr_type, "claims": claims}

def hashes_kid(kid): h = hashes.Hash(hashes.SHA256()); h.update(kid.encode()); return h.finalize()[:8]
def verdict(vector):
    try: return verify(vector["text"], vector["issuer_keys"], vector["now"], vector.get("leeway_s", 5))
    except Refused as refused: return {"valid": False, "code": refused.code}

if __name__ == "__main__":
    print(json.dumps(verdict(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), ensure_ascii=False, indent=2))
