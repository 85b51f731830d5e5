"""A real OpenLDAP server (Debian's slapd) on loopback, with people in it, for login tests.

    with LdapDirectory(tmp_path, {"alice": "alice-pw", "bob": "bob-pw"}) as directory:
        directory.spec   # the proxy_auth.ldap value that points Warden at it
        directory.stop(); directory.start()   # the directory going away and coming back

    LdapDirectory(tmp_path, people, tls=pki, host=ip, name="ldap.corp.test")
        serves ldaps:// on `ip` with that PKI's server certificate, and names itself in
        the spec as `name` (ldap3 checks the certificate against DNS names only)

The service account is the directory's root DN; people live under ou=people with their
login as cn and a salted SHA password (slappasswd), as an administrator would set it up.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Self

from tests.support.processes import ProxyProcess, free_port
from tests.support.testca import TestPKI

__all__ = ["LdapDirectory", "slapd_skip_reason"]

SLAPD = Path("/usr/sbin/slapd")
SUFFIX = "dc=corp,dc=example"
SERVICE_DN = f"cn=warden-svc,{SUFFIX}"
PEOPLE = f"ou=people,{SUFFIX}"


def slapd_skip_reason() -> str | None:
    """None when slapd can run here, else why not (for pytest.skip)."""
    for tool in (SLAPD, Path("/usr/sbin/slapadd"), Path("/usr/sbin/slappasswd")):
        if not tool.exists():
            return f"no {tool} (apt-get install slapd)"
    return None


class LdapDirectory:
    def __init__(
        self,
        home: Path,
        people: dict[str, str],
        service_password: str = "svc-pw",
        tls: TestPKI | None = None,
        host: str = "127.0.0.1",
        name: str | None = None,
    ):
        self.home = home
        self.host, self.name = host, name or host
        self.port = free_port()
        self.service_password = service_password
        self.tls = tls
        certificates = (
            f"TLSCACertificateFile {tls.ca_cert}\nTLSCertificateFile {tls.server_cert}\n"
            f"TLSCertificateKeyFile {tls.server_key}\n"
            if tls
            else ""
        )
        self._conf = home / "slapd.conf"
        self._process: ProxyProcess | None = None
        (home / "db").mkdir(parents=True)
        self._conf.write_text(
            f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {home}/slapd.pid
{certificates}
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{SERVICE_DN}"
rootpw {_hashed(service_password)}
directory {home}/db
"""
        )
        entries = [
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp",
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        ]
        entries += [
            f"dn: cn={name},{PEOPLE}\nobjectClass: inetOrgPerson\ncn: {name}\nsn: {name}\n"
            f"userPassword: {_hashed(password)}"
            for name, password in people.items()
        ]
        ldif = home / "people.ldif"
        ldif.write_text("\n\n".join(entries) + "\n")
        subprocess.run(
            ["/usr/sbin/slapadd", "-f", str(self._conf), "-l", str(ldif)],
            check=True,
            capture_output=True,
        )

    @property
    def spec(self) -> str:
        """proxy_auth.ldap in mitmproxy's syntax: ldap[s]:host:port:bind-dn:password:subtree."""
        scheme = "ldaps" if self.tls else "ldap"
        return f"{scheme}:{self.name}:{self.port}:{SERVICE_DN}:{self.service_password}:{PEOPLE}"

    def start(self) -> Self:
        # -d 0: stay in the foreground (ProxyProcess owns it) without debug output.
        url = f"{'ldaps' if self.tls else 'ldap'}://{self.host}:{self.port}/"
        cmd = [str(SLAPD), "-f", str(self._conf), "-h", url, "-d", "0"]
        log = self.home / "slapd.log"
        self._process = ProxyProcess(cmd, self.port, host=self.host, log_path=log).start()
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.home / "db", ignore_errors=True)


def _hashed(password: str) -> str:
    done = subprocess.run(
        ["/usr/sbin/slappasswd", "-s", password], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()
