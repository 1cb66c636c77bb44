#!/usr/bin/env python3
"""Messages built by Python's email package, for our parser to read.

Usage: python3 py-build.py OUTDIR general|seed

Writes each message to OUTDIR/NAME.eml with as_bytes() and prints a JSON manifest: per message its
file, the subject and addresses as given, and its leaf parts in document order with what was put
into them (content type, file name, disposition, Content-ID, SHA-256 of the bytes, or the text).
"general" uses EmailMessage (set_content, add_alternative, add_related, add_attachment) and the
legacy MIMEMultipart/MIMEText/MIMEImage/MIMEApplication classes; "seed" builds the two examples of
the seed's email chapter: a MIMEMultipart('alternative') of two MIMETexts, and a MIMEImage with a
Content-Disposition: attachment header (the image is the whole message).
"""
import hashlib
import json
import os
import sys
import email.policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

DATE = "Tue, 03 Mar 2026 10:00:00 +0000"
# Not real images: a PNG/JPEG signature and deterministic bytes (every value 0-255, CR and LF too).
PNG = b"\x89PNG\r\n\x1a\n" + bytes((i * 7 + 3) % 256 for i in range(900))
JPEG = b"\xff\xd8\xff\xe0" + bytes((i * 13 + 5) % 256 for i in range(1500))
BINARY = bytes(range(256)) * 8


def sha(data):
    return hashlib.sha256(data).hexdigest()


def leaf(content_type, data=None, text=None, filename=None, disposition=None, cid=None):
    entry = {"type": content_type, "filename": filename, "disposition": disposition, "contentId": cid}
    if text is not None:
        entry["text"] = text
    else:
        entry["sha256"] = sha(data)
        entry["length"] = len(data)
    return entry


def headers(msg, subject, sender, to):
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = DATE


def general():
    out = []

    m = EmailMessage()
    headers(m, "Grüße aus Köln ✓", "Jürgen Müller <juergen@example.org>", "Bob <bob@example.net>, carol@example.com")
    text = "Grüße, world ✓\nSecond line.\n"
    m.set_content(text)
    out.append(("py-01-plain-utf8", m, [leaf("text/plain", text=text)], email.policy.SMTP))

    m = EmailMessage()
    headers(m, "Alternative — text and HTML", "alice@example.org", "bob@example.net")
    text, html = "Café menu\n", "<p>Café <b>menu</b></p>\n"
    m.set_content(text)
    m.add_alternative(html, subtype="html")
    out.append(("py-02-alternative", m, [leaf("text/plain", text=text), leaf("text/html", text=html)], None))

    m = EmailMessage()
    headers(m, "Related: an inline logo", "alice@example.org", "bob@example.net")
    text, html = "See the logo.\n", '<p>Logo: <img src="cid:logo.1@py.example"></p>\n'
    m.set_content(text)
    m.add_alternative(html, subtype="html")
    m.get_payload()[1].add_related(PNG, "image", "png", cid="<logo.1@py.example>")
    out.append(("py-03-related", m, [
        leaf("text/plain", text=text), leaf("text/html", text=html),
        leaf("image/png", PNG, disposition="inline", cid="logo.1@py.example")], email.policy.SMTP))

    m = EmailMessage()
    headers(m, "Attachments", "alice@example.org", "bob@example.net")
    long_name = "Ein sehr langer Dateiname für den Bericht über das Jahr 2026 — Entwurf Nummer drei.jpg"
    m.set_content("Three attachments.\n")
    m.add_attachment(BINARY, maintype="application", subtype="octet-stream", filename="données.bin")
    m.add_attachment("Привет, мир!\n", subtype="plain", filename="заметки.txt")
    m.add_attachment(JPEG, maintype="image", subtype="jpeg", filename=long_name)
    out.append(("py-04-attachments", m, [
        leaf("text/plain", text="Three attachments.\n"),
        leaf("application/octet-stream", BINARY, filename="données.bin", disposition="attachment"),
        leaf("text/plain", text="Привет, мир!\n", filename="заметки.txt", disposition="attachment"),
        leaf("image/jpeg", JPEG, filename=long_name, disposition="attachment")], email.policy.SMTP))

    m = EmailMessage()
    headers(m, "日本語の件名とキリル文字 — Тема", "山田 <yamada@example.jp>", "Иван <ivan@example.ru>")
    ja, ru = "日本語の本文です。\n", "<p>Привет из KOI8-R</p>\n"
    m.set_content(ja, charset="iso-2022-jp")
    m.add_alternative(ru, subtype="html", charset="koi8-r")
    out.append(("py-05-cjk-cyrillic", m, [leaf("text/plain", text=ja), leaf("text/html", text=ru)], None))

    inner = EmailMessage()
    headers(inner, "The forwarded one — ✓", "dave@example.com", "alice@example.org")
    inner.set_content("Inner text ✓\n")
    m = EmailMessage()
    headers(m, "Fwd: The forwarded one — ✓", "alice@example.org", "bob@example.net")
    m.set_content("Forwarding.\n")
    m.add_attachment(inner)
    out.append(("py-06-forward", m, [leaf("text/plain", text="Forwarding.\n"), leaf("text/plain", text="Inner text ✓\n")],
                email.policy.SMTP))

    m = MIMEMultipart()
    m["Subject"] = Header("Legacy classes: Grüße", "utf-8")
    m["From"] = formataddr(("Jürgen", "juergen@example.org"))
    m["To"] = "bob@example.net"
    m["Date"] = DATE
    html = "<p>Grüße ✓</p>"
    m.attach(MIMEText(html, "html", "utf-8"))
    app = MIMEApplication(BINARY[:300], Name="x.bin")
    app.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "Grüße.bin"))
    m.attach(app)
    image = MIMEImage(JPEG, "jpeg")
    image.add_header("Content-ID", "<legacy.jpg@py.example>")
    m.attach(image)
    out.append(("py-07-legacy-mixed", m, [
        leaf("text/html", text=html),
        leaf("application/octet-stream", BINARY[:300], filename="Grüße.bin", disposition="attachment"),
        leaf("image/jpeg", JPEG, cid="legacy.jpg@py.example")], None))

    latin = "Café crème, naïve façade.\n"
    m = MIMEText(latin, "plain", "iso-8859-1")
    m["Subject"] = Header("Façade", "iso-8859-1")
    m["From"] = "alice@example.org"
    m["To"] = "bob@example.net"
    m["Date"] = DATE
    out.append(("py-08-legacy-latin1", m, [leaf("text/plain", text=latin)], None))

    m = EmailMessage()
    names = ", ".join(formataddr(("Получатель %d — Zoë" % i, "r%d@example.org" % i)) for i in range(50))
    headers(m, ("Fünfzig Empfänger " * 30).strip(), "alice@example.org", names)
    m.set_content("Many recipients.\n")
    out.append(("py-09-many-recipients", m, [leaf("text/plain", text="Many recipients.\n")], email.policy.SMTP))

    m = EmailMessage()
    headers(m, "Long lines", "alice@example.org", "bob@example.net")
    long_text = ("Sehr lange Zeile ohne Umbruch — " * 60).strip() + "\n"
    m.set_content(long_text)
    m.add_attachment("a;b;c\n1;2;3\n", subtype="csv", filename="tabelle.csv", disposition="inline")
    out.append(("py-10-long-lines", m, [
        leaf("text/plain", text=long_text),
        leaf("text/csv", text="a;b;c\n1;2;3\n", filename="tabelle.csv", disposition="inline")], email.policy.SMTP))
    return out


def seed():
    """The seed's two examples, as its chapter builds them (MIMEMultipart, MIMEText, MIMEImage)."""
    out = []
    text, html = "Hello, this is the plain text part.\n", "<html><body><p>Hello, this is the <b>HTML</b> part.</p></body></html>\n"
    m = MIMEMultipart("alternative")
    m["Subject"] = "Multipart alternative test"
    m["From"] = "sender@example.org"
    m["To"] = "receiver@example.net"
    m.attach(MIMEText(text, "plain"))
    m.attach(MIMEText(html, "html"))
    out.append(("seed-alternative", m, [leaf("text/plain", text=text), leaf("text/html", text=html)], None))

    # The seed's image message is the MIMEImage itself (no multipart), named and marked as an attachment.
    m = MIMEImage(PNG, "png", name="picture.png")
    m.add_header("Content-Disposition", 'attachment; filename="picture.png"')
    m["Subject"] = "Image attachment test"
    m["From"] = "sender@example.org"
    m["To"] = "receiver@example.net"
    out.append(("seed-image", m, [leaf("image/png", PNG, filename="picture.png", disposition="attachment")], None))
    return out


def main(outdir, which):
    built = general() if which == "general" else seed()
    manifest = []
    for name, message, leaves, policy in built:
        path = os.path.join(outdir, name + ".eml")
        data = message.as_bytes(policy=policy) if policy else message.as_bytes()
        with open(path, "wb") as f:
            f.write(data)
        manifest.append({"name": name, "file": path, "subject": str(message["Subject"]), "leaves": leaves})
    json.dump(manifest, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
