import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_MIME_TYPE,
  extensionForMimeType,
  mimeTypeForFilename,
} from "../../../src/mime/build/mime-types.js";

describe("mimeTypeForFilename", () => {
  it("maps common extensions, case-insensitively", () => {
    const cases: Array<[string, string]> = [
      ["photo.jpg", "image/jpeg"],
      ["PHOTO.JPEG", "image/jpeg"],
      ["logo.png", "image/png"],
      ["anim.gif", "image/gif"],
      ["icon.svg", "image/svg+xml"],
      ["report.pdf", "application/pdf"],
      ["notes.txt", "text/plain"],
      ["index.html", "text/html"],
      ["data.csv", "text/csv"],
      ["data.json", "application/json"],
      ["archive.zip", "application/zip"],
      ["archive.tar.gz", "application/gzip"],
      ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
      ["song.mp3", "audio/mpeg"],
      ["clip.mp4", "video/mp4"],
      ["invite.ics", "text/calendar"],
      ["card.vcf", "text/vcard"],
      ["mail.eml", "message/rfc822"],
      ["font.woff2", "font/woff2"],
    ];
    for (const [name, type] of cases) assert.equal(mimeTypeForFilename(name), type, name);
  });

  it("uses only the last path segment and the last extension", () => {
    assert.equal(mimeTypeForFilename("dir.d/file"), DEFAULT_MIME_TYPE);
    assert.equal(mimeTypeForFilename("C:\\x.png\\file.pdf"), "application/pdf");
    assert.equal(mimeTypeForFilename("a/b.txt/c.jpg"), "image/jpeg");
  });

  it("falls back to application/octet-stream", () => {
    for (const name of [
      "",
      "README",
      ".profile",
      "file.",
      "x.unknownext",
      "x.__proto__",
      "x.constructor",
      "x.toString",
    ]) {
      assert.equal(mimeTypeForFilename(name), DEFAULT_MIME_TYPE, JSON.stringify(name));
    }
  });

  it("knows the types of common attachments", () => {
    const probe = ["jpg", "png", "pdf", "docx", "zip", "mp4", "woff", "ics", "json", "tar"];
    for (const ext of probe) assert.notEqual(mimeTypeForFilename(`a.${ext}`), DEFAULT_MIME_TYPE, ext);
  });
});

describe("extensionForMimeType", () => {
  it("gives the usual extension, ignoring case and parameters", () => {
    assert.equal(extensionForMimeType("image/jpeg"), "jpg");
    assert.equal(extensionForMimeType("IMAGE/PNG"), "png");
    assert.equal(extensionForMimeType("text/plain; charset=utf-8"), "txt");
    assert.equal(extensionForMimeType("text/html"), "html");
    assert.equal(extensionForMimeType("message/rfc822"), "eml");
    assert.equal(extensionForMimeType("application/x-unknown"), undefined);
    assert.equal(extensionForMimeType("__proto__"), undefined);
  });

  it("round-trips: the default extension maps back to the same type", () => {
    for (const type of [
      "image/jpeg",
      "application/pdf",
      "text/csv",
      "audio/mpeg",
      "application/zip",
      "font/woff2",
    ]) {
      assert.equal(mimeTypeForFilename(`f.${extensionForMimeType(type)}`), type);
    }
  });
});
