"""Real mail servers for the tests, on 127.0.0.1 only: aiosmtpd (SMTP, STARTTLS) and Dovecot (IMAP, TLS).

A test CA and a server certificate for 127.0.0.1/localhost are made at test time
with ``cryptography``; clients trust the CA through ``ca_file`` (certificate
checks stay on). Dovecot runs as an unprivileged-config instance with its own
base_dir, state and log files, a passwd-file and a Maildir in a temporary
folder: no system service is touched.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


@dataclass(frozen=True)
class TestCerts:
    """A CA certificate file (what clients trust) and the server's certificate and key files."""

    ca: Path
    cert: Path
    key: Path


def make_certs(folder: Path) -> TestCerts:
    """A test CA and a server certificate for 127.0.0.1 and localhost, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = _dt.datetime.now(_dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minicex test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    pem = serialization.Encoding.PEM
    certs = TestCerts(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    certs.ca.write_bytes(ca.public_bytes(pem))
    certs.cert.write_bytes(cert.public_bytes(pem))
    certs.key.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return certs


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------- SMTP (aiosmtpd)


@dataclass
class Received:
    """One message the SMTP server took: envelope sender, recipients and the bytes."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS required and AUTH (user ``minicex``); ``refuse`` addresses get 550,
    a message to a ``reject`` address is refused after its data (554)."""

    host: str
    port: int
    user: str
    password: str
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    reject: set[str] = field(default_factory=set)


def start_smtp(certs: TestCerts, *, implicit_tls: bool = False):  # -> (SmtpServer, stop)
    """Start the SMTP server (STARTTLS, or TLS from the first byte); returns its record and a function that stops it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    server = SmtpServer("127.0.0.1", free_port(), "minicex", "test-password-åäö")

    class Handler:
        async def handle_RCPT(self, srv, session, envelope, address, rcpt_options):
            if address in server.refuse:
                return "550 5.1.1 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, srv, session, envelope):
            if server.reject & set(envelope.rcpt_tos):
                return "554 5.6.0 message content rejected"
            server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
            return "250 Message accepted"

    def authenticator(srv, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == server.user and auth_data.password.decode() == server.password
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.cert, certs.key)
    # With implicit TLS the whole connection is encrypted, but aiosmtpd only counts STARTTLS for AUTH.
    tls = (
        {"ssl_context": context, "auth_require_tls": False}
        if implicit_tls
        else {"tls_context": context, "require_starttls": True}
    )
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=server.port,
        authenticator=authenticator,
        auth_required=True,
        server_hostname="127.0.0.1",
        **tls,
    )
    controller.start()
    return server, controller.stop


# ---------------------------------------------------------------------- IMAP (Dovecot)


@dataclass
class ImapServer:
    """Dovecot on 127.0.0.1 (implicit TLS): its port, and a password for every user ``user1``..``user9``.

    ``user10``'s password is ``utf8_password``, beyond ASCII (AUTHENTICATE PLAIN carries it; LOGIN cannot).
    """

    host: str
    port: int
    password: str
    folder: Path
    utf8_password: str = "lösenord-åäö"

    def url(self, user: str, mailbox: str = "INBOX/Returer") -> str:
        """``imaps://user@127.0.0.1:port/mailbox``."""
        return f"imaps://{user}@{self.host}:{self.port}/{mailbox}"


_DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = minicex-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
auth_mechanisms = plain
auth_failure_delay = 0
disable_plaintext_auth = yes
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
"""


def start_dovecot(certs: TestCerts):  # -> (ImapServer, stop)
    """Start Dovecot in the foreground on a free port; returns the server record and a function that stops it."""
    assert DOVECOT is not None
    root = Path(tempfile.mkdtemp(prefix="minicex-dovecot-"))
    if os.geteuid() == 0:
        # Dovecot refuses mail access as root: the mail belongs to "nobody", the processes to Dovecot's users.
        mail = pwd.getpwnam("nobody")
        uid, gid, login_user, internal_user = mail.pw_uid, mail.pw_gid, "dovenull", "dovecot"
    else:
        me = pwd.getpwuid(os.geteuid())
        uid, gid, login_user, internal_user = me.pw_uid, me.pw_gid, me.pw_name, me.pw_name
    os.chmod(root, 0o755)
    (root / "mail").mkdir(mode=0o777)
    (root / "home").mkdir(mode=0o777)
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid) if os.geteuid() == 0 else None
    password = "imap-test-password"
    users = [f"user{n}:{{PLAIN}}{password}::::::\n" for n in range(1, 10)]
    users.append(f"user10:{{PLAIN}}{ImapServer.utf8_password}::::::\n")
    (root / "passwd").write_text("".join(users), encoding="utf-8")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        _DOVECOT_CONF.format(
            root=root,
            port=port,
            cert=certs.cert,
            key=certs.key,
            uid=uid,
            gid=gid,
            login_user=login_user,
            internal_user=internal_user,
        )
    )
    os.chmod(certs.key, 0o644)
    for path in (certs.cert.parent,):
        os.chmod(path, 0o755)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
                proc.kill()
                raise RuntimeError(f"dovecot did not start: {out}\n{log}") from None
            time.sleep(0.05)

    def stop() -> None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)

    return ImapServer("127.0.0.1", port, password, root), stop
