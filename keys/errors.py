"""Errors raised by the key and JWS layer.

``keys`` sits at the bottom of the dependency graph, like ``cryptography``: it raises its
own small tree and the verifiers translate it into the domain codes of ``schemas.errors``.
"""


class KeyLayerError(Exception):
    """Base of every error raised by ``keys``."""


class JWSError(KeyLayerError):
    """A compact JWS could not be verified."""


class JWSMalformed(JWSError):
    pass


class JWSAlgorithmRefused(JWSError):
    """alg none, an algorithm not allowed for the key, or a key supplied by the header."""


class JWSSignatureInvalid(JWSError):
    pass


class JWSKeyUnknown(JWSError):
    pass


class JWKInvalid(KeyLayerError):
    pass


class NoActiveKey(KeyLayerError):
    pass


class JSONDocumentRefused(KeyLayerError, ValueError):
    """A JSON document nested deeper or longer than ``keys.json_document`` reads.

    A ``ValueError`` like every other "not JSON": callers that turn one into their 4xx code
    turn this into the same code."""
