#!/usr/bin/env python3
"""status_list.py - an independent decoder of IETF OAuth Token Status List tokens
(draft-ietf-oauth-status-list), written from the draft with Python's standard
library and python3-cryptography (Debian) only, so tests can check what our C
builds with code that shares nothing with it.

    status_list.py --cert CERT.pem (--token FILE | --url URL) --idx N [--idx M]...
                   [--uri URI] [--now SECONDS] [--no-verify]

Checks the compact JWS (RFC 7515): header typ "statuslist+jwt", alg ES256/384/512
verified against the public key of CERT.pem (the raw r||s signature of JWS
converted to DER for the library), optionally sub == URI and exp against now;
then inflates lst (base64url of a zlib stream, RFC 1950) and reads each index in
the draft's bit order: status i sits in bits i*bits .. i*bits+bits-1 counted
from the least significant bit of byte 0 (draft section 4.1).

Prints one JSON object on stdout:
    {"sub": ..., "iat": ..., "exp": ..., "ttl": ..., "bits": 2, "size": 1048576,
     "kid": "...", "statuses": {"7": 1}, "status": 1}
("status" is the value of the first --idx). Exit 0 when the token checks, 1 when
it does not (the reason on stderr and as {"error": ...}), 2 on usage errors.
"""

import argparse
import base64
import hashlib
import json
import sys
import time
import urllib.request
import zlib

MAX_LIST_BYTES = 16 * 1024 * 1024
MAX_TOKEN_BYTES = 16 * 1024 * 1024


class Refused(Exception):
    pass


def b64url_decode(text):
    if "=" in text or any(c in text for c in "+/ \n"):
        raise Refused("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_token(args):
    if args.token:
        with open(args.token, "rb") as f:
            data = f.read(MAX_TOKEN_BYTES + 1)
    else:
        req = urllib.request.Request(args.url, headers={"Accept": "application/statuslist+jwt"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            data = resp.read(MAX_TOKEN_BYTES + 1)
    if len(data) > MAX_TOKEN_BYTES:
        raise Refused("token larger than 16 MiB")
    return data.decode("ascii").strip()


def verify_signature(cert_path, alg, signing_input, signature):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from cryptography.exceptions import InvalidSignature

    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    key = cert.public_key()
    digests = {"ES256": (hashes.SHA256(), 32), "ES384": (hashes.SHA384(), 48),
               "ES512": (hashes.SHA512(), 66)}
    if alg not in digests or not isinstance(key, ec.EllipticCurvePublicKey):
        raise Refused("alg %r is not an ECDSA algorithm this decoder checks" % alg)
    digest, width = digests[alg]
    if len(signature) != 2 * width:
        raise Refused("signature is %d bytes, %s needs %d" % (len(signature), alg, 2 * width))
    r = int.from_bytes(signature[:width], "big")
    s = int.from_bytes(signature[width:], "big")
    try:
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(digest))
    except InvalidSignature:
        raise Refused("signature does not verify under %s" % cert_path)
    der = cert.public_bytes(serialization.Encoding.DER)
    return base64.b64encode(hashlib.sha256(der).digest()[:8]).decode()


def get_status(data, bits, idx):
    """The draft's bit order: least significant bits of byte 0 first."""
    if bits not in (1, 2, 4, 8):
        raise Refused("bits must be 1, 2, 4 or 8")
    if idx < 0 or idx >= len(data) * 8 // bits:
        raise Refused("index %d is beyond the list's %d entries" % (idx, len(data) * 8 // bits))
    bit = idx * bits
    return (data[bit // 8] >> (bit % 8)) & ((1 << bits) - 1)


def decode(args):
    token = load_token(args)
    parts = token.split(".")
    if len(parts) != 3:
        raise Refused("not a compact JWS")
    header = json.loads(b64url_decode(parts[0]))
    typ = str(header.get("typ", ""))
    if typ.lower().removeprefix("application/") != "statuslist+jwt":
        raise Refused("typ is %r, not statuslist+jwt" % typ)
    if "crit" in header:
        raise Refused("crit header")
    kid = None
    if not args.no_verify:
        kid = verify_signature(args.cert, header.get("alg"),
                               (parts[0] + "." + parts[1]).encode("ascii"),
                               b64url_decode(parts[2]))
        if "kid" in header and header["kid"] != kid:
            raise Refused("header kid %r is not the certificate's %r" % (header["kid"], kid))
    claims = json.loads(b64url_decode(parts[1]))
    if args.uri is not None and claims.get("sub") != args.uri:
        raise Refused("sub %r is not %r" % (claims.get("sub"), args.uri))
    now = args.now if args.now is not None else int(time.time())
    if "exp" in claims and now > claims["exp"]:
        raise Refused("expired at %s" % claims["exp"])
    if "iat" not in claims:
        raise Refused("no iat")
    sl = claims.get("status_list")
    if not isinstance(sl, dict) or not isinstance(sl.get("bits"), int) or \
            not isinstance(sl.get("lst"), str):
        raise Refused("status_list needs bits and lst")
    inflater = zlib.decompressobj(wbits=15)
    data = inflater.decompress(b64url_decode(sl["lst"]), MAX_LIST_BYTES)
    if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
        raise Refused("lst is not exactly one zlib stream of at most 16 MiB")
    statuses = {str(i): get_status(data, sl["bits"], i) for i in args.idx}
    out = {"sub": claims.get("sub"), "iat": claims.get("iat"), "exp": claims.get("exp"),
           "ttl": claims.get("ttl"), "bits": sl["bits"], "size": len(data) * 8 // sl["bits"],
           "kid": header.get("kid"), "statuses": statuses}
    if args.idx:
        out["status"] = statuses[str(args.idx[0])]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--token", help="file holding the token text")
    src.add_argument("--url", help="GET the token from this URL")
    p.add_argument("--cert", help="PEM certificate of the list's signer")
    p.add_argument("--idx", type=int, action="append", default=[], help="index to read")
    p.add_argument("--uri", help="the URI the token's sub must equal")
    p.add_argument("--now", type=int, help="clock for exp (seconds since the epoch)")
    p.add_argument("--no-verify", action="store_true", help="skip the signature check")
    args = p.parse_args()
    if not args.no_verify and not args.cert:
        p.error("--cert is required (or --no-verify)")
    try:
        out = decode(args)
    except (Refused, ValueError, zlib.error) as e:
        print(json.dumps({"error": str(e)}))
        print("status_list.py: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
