"""An aiosmtpd server for the interop tests (started by peers.ts with Debian's /usr/bin/python3).

Two listeners on 127.0.0.1: a plain one that offers STARTTLS (AUTH only after it, aiosmtpd's
default), and an implicit-TLS one (AUTH offered at once: the connection is encrypted from the
first byte). AUTH PLAIN and LOGIN check one user and password. RCPT TO the reject address gets
550 5.1.1. 8BITMIME and SMTPUTF8 are on; the data is kept as bytes (decode_data=False).

Every accepted message is written to OUT_DIR as NNNNNN.eml (the data exactly as received, after
dot-unstuffing) and then NNNNNN.json (the envelope and session), the JSON last and renamed into
place, so a reader that sees the JSON sees the whole message. Both are written before the 250
reply to the data goes out.

Usage: python3 aiosmtpd_peer.py PLAIN_PORT IMPLICIT_PORT CERT KEY USER PASSWORD REJECT OUT_DIR
"""

import asyncio
import json
import logging
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main() -> None:
    plain_port, implicit_port, cert, key, user, password, reject, out_dir = sys.argv[1:9]
    # aiosmtpd warns on every AUTH that Session.login_data is deprecated (it sets it itself).
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Handler(reject, out_dir)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

    common = dict(
        hostname="aiosmtpd.inetkit.test",
        enable_SMTPUTF8=True,
        decode_data=False,
        authenticator=authenticator,
    )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    plain = loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(handler, tls_context=context, loop=loop, **common),
            "127.0.0.1",
            int(plain_port),
        )
    )
    implicit = loop.run_until_complete(
        loop.create_server(
            # Already encrypted, so AUTH needs no STARTTLS (aiosmtpd only knows its own STARTTLS).
            lambda: SMTP(handler, auth_require_tls=False, loop=loop, **common),
            "127.0.0.1",
            int(implicit_port),
            ssl=context,
        )
    )
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        plain.close()
        implicit.close()


class Handler:
    def __init__(self, reject: str, out_dir: str) -> None:
        self.reject = reject.lower()
        self.out_dir = out_dir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() == self.reject:
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.append(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out_dir, "%06d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        user = session.auth_data
        meta = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "mailOptions": envelope.mail_options,
            "rcptOptions": envelope.rcpt_options,
            "smtpUtf8": envelope.smtp_utf8,
            "user": user.decode("utf-8", "replace") if isinstance(user, bytes) else None,
            # session.ssl is set by STARTTLS only; the transport knows about implicit TLS too.
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "heloName": session.host_name,
        }
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 OK: message %d stored" % self.count


if __name__ == "__main__":
    main()
