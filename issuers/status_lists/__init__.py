"""Status lists of issued credentials (draft-ietf-oauth-status-list): slot allocation,
entry changes, and the signed list token."""

from issuers.status_lists.allocator import (
    STATUS_LIST_PATH_PREFIX,
    StatusAllocation,
    StatusListAllocator,
    count_lists,
    status_list_uri_path,
)
from issuers.status_lists.entries import get_status, set_status
from issuers.status_lists.models import (
    DEFAULT_LIST_SIZE,
    MAX_LIST_SIZE,
    IssuerStatusEntry,
    IssuerStatusList,
    StatusListPublic,
)
from issuers.status_lists.token import build_status_list_token, packed_entries

__all__ = [
    "DEFAULT_LIST_SIZE",
    "MAX_LIST_SIZE",
    "STATUS_LIST_PATH_PREFIX",
    "IssuerStatusEntry",
    "IssuerStatusList",
    "StatusAllocation",
    "StatusListAllocator",
    "StatusListPublic",
    "build_status_list_token",
    "count_lists",
    "get_status",
    "packed_entries",
    "set_status",
    "status_list_uri_path",
]
