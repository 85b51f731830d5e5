"""Who is behind a flow: user, groups and device, from proxy auth, a header or the network."""

from warden.identity.config import IdentityConfig, load_identity_config
from warden.identity.resolver import Identity, IdentityResolver
from warden.identity.users_file import UsersFile, hash_password

__all__ = [
    "Identity",
    "IdentityConfig",
    "IdentityResolver",
    "UsersFile",
    "hash_password",
    "load_identity_config",
]
