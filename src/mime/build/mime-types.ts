/**
 * A table of common file name extensions and their media types (IANA registrations, and the
 * de-facto `application/x-…` names where no registration exists), used to label attachments
 * from their file names the way Python's `mimetypes` does — without reading any system file, so
 * the result is the same on every machine.
 */

/**
 * Extension (lowercase, without the dot) → media type. The first extension listed for a media
 * type is its default extension (see {@link extensionForMimeType}).
 */
const TABLE: ReadonlyArray<readonly [string, string]> = [
  // Text
  ["txt", "text/plain"],
  ["text", "text/plain"],
  ["log", "text/plain"],
  ["conf", "text/plain"],
  ["ini", "text/plain"],
  ["html", "text/html"],
  ["htm", "text/html"],
  ["shtml", "text/html"],
  ["css", "text/css"],
  ["csv", "text/csv"],
  ["tsv", "text/tab-separated-values"],
  ["md", "text/markdown"],
  ["markdown", "text/markdown"],
  ["rtf", "text/rtf"],
  ["ics", "text/calendar"],
  ["ifb", "text/calendar"],
  ["vcf", "text/vcard"],
  ["vcard", "text/vcard"],
  ["xml", "text/xml"],
  ["xsl", "text/xml"],
  ["js", "text/javascript"],
  ["mjs", "text/javascript"],
  ["cjs", "text/javascript"],
  ["eml", "message/rfc822"],
  ["mht", "message/rfc822"],
  ["mhtml", "message/rfc822"],
  ["mime", "message/rfc822"],
  ["yaml", "application/yaml"],
  ["yml", "application/yaml"],
  ["toml", "application/toml"],
  ["sgml", "text/sgml"],
  ["srt", "application/x-subrip"],
  ["vtt", "text/vtt"],
  ["asm", "text/x-asm"],
  ["c", "text/x-c"],
  ["h", "text/x-c"],
  ["cc", "text/x-c"],
  ["cpp", "text/x-c"],
  ["hpp", "text/x-c"],
  ["java", "text/x-java-source"],
  ["py", "text/x-python"],
  ["rb", "text/x-ruby"],
  ["sh", "application/x-sh"],
  ["bat", "application/x-msdownload"],
  ["diff", "text/x-diff"],
  ["patch", "text/x-diff"],
  ["tex", "application/x-tex"],
  ["ts", "video/mp2t"],
  // Images
  ["png", "image/png"],
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["jpe", "image/jpeg"],
  ["jfif", "image/jpeg"],
  ["gif", "image/gif"],
  ["bmp", "image/bmp"],
  ["webp", "image/webp"],
  ["svg", "image/svg+xml"],
  ["svgz", "image/svg+xml"],
  ["ico", "image/vnd.microsoft.icon"],
  ["tif", "image/tiff"],
  ["tiff", "image/tiff"],
  ["heic", "image/heic"],
  ["heif", "image/heif"],
  ["avif", "image/avif"],
  ["jxl", "image/jxl"],
  ["jp2", "image/jp2"],
  ["psd", "image/vnd.adobe.photoshop"],
  ["xbm", "image/x-xbitmap"],
  ["xpm", "image/x-xpixmap"],
  ["pbm", "image/x-portable-bitmap"],
  ["pgm", "image/x-portable-graymap"],
  ["ppm", "image/x-portable-pixmap"],
  ["pnm", "image/x-portable-anymap"],
  ["ras", "image/x-cmu-raster"],
  ["rgb", "image/x-rgb"],
  ["xwd", "image/x-xwindowdump"],
  ["cgm", "image/cgm"],
  ["djvu", "image/vnd.djvu"],
  // Audio
  ["mp3", "audio/mpeg"],
  ["mpga", "audio/mpeg"],
  ["m4a", "audio/mp4"],
  ["aac", "audio/aac"],
  ["oga", "audio/ogg"],
  ["ogg", "audio/ogg"],
  ["opus", "audio/ogg"],
  ["wav", "audio/wav"],
  ["flac", "audio/flac"],
  ["mid", "audio/midi"],
  ["midi", "audio/midi"],
  ["aif", "audio/x-aiff"],
  ["aiff", "audio/x-aiff"],
  ["au", "audio/basic"],
  ["snd", "audio/basic"],
  ["weba", "audio/webm"],
  ["amr", "audio/amr"],
  ["ra", "audio/x-pn-realaudio"],
  ["m3u", "audio/x-mpegurl"],
  // Video
  ["mp4", "video/mp4"],
  ["m4v", "video/mp4"],
  ["mpeg", "video/mpeg"],
  ["mpg", "video/mpeg"],
  ["mpe", "video/mpeg"],
  ["mov", "video/quicktime"],
  ["qt", "video/quicktime"],
  ["webm", "video/webm"],
  ["ogv", "video/ogg"],
  ["avi", "video/x-msvideo"],
  ["wmv", "video/x-ms-wmv"],
  ["mkv", "video/x-matroska"],
  ["flv", "video/x-flv"],
  ["3gp", "video/3gpp"],
  ["3g2", "video/3gpp2"],
  ["m3u8", "application/vnd.apple.mpegurl"],
  // Documents
  ["pdf", "application/pdf"],
  ["ps", "application/postscript"],
  ["eps", "application/postscript"],
  ["ai", "application/postscript"],
  ["doc", "application/msword"],
  ["dot", "application/msword"],
  ["docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  ["dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template"],
  ["xls", "application/vnd.ms-excel"],
  ["xlt", "application/vnd.ms-excel"],
  ["xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
  ["xltx", "application/vnd.openxmlformats-officedocument.spreadsheetml.template"],
  ["ppt", "application/vnd.ms-powerpoint"],
  ["pps", "application/vnd.ms-powerpoint"],
  ["pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"],
  ["ppsx", "application/vnd.openxmlformats-officedocument.presentationml.slideshow"],
  ["odt", "application/vnd.oasis.opendocument.text"],
  ["ods", "application/vnd.oasis.opendocument.spreadsheet"],
  ["odp", "application/vnd.oasis.opendocument.presentation"],
  ["odg", "application/vnd.oasis.opendocument.graphics"],
  ["epub", "application/epub+zip"],
  ["mobi", "application/x-mobipocket-ebook"],
  ["pages", "application/vnd.apple.pages"],
  ["numbers", "application/vnd.apple.numbers"],
  ["key", "application/vnd.apple.keynote"],
  ["msg", "application/vnd.ms-outlook"],
  ["one", "application/onenote"],
  ["vsd", "application/vnd.visio"],
  ["xps", "application/vnd.ms-xpsdocument"],
  ["dvi", "application/x-dvi"],
  // Data and code
  ["json", "application/json"],
  ["map", "application/json"],
  ["jsonld", "application/ld+json"],
  ["geojson", "application/geo+json"],
  ["xhtml", "application/xhtml+xml"],
  ["xht", "application/xhtml+xml"],
  ["rss", "application/rss+xml"],
  ["atom", "application/atom+xml"],
  ["rdf", "application/rdf+xml"],
  ["wasm", "application/wasm"],
  ["sql", "application/sql"],
  ["pem", "application/x-pem-file"],
  ["crt", "application/x-x509-ca-cert"],
  ["cer", "application/pkix-cert"],
  ["der", "application/x-x509-ca-cert"],
  ["p7s", "application/pkcs7-signature"],
  ["p7m", "application/pkcs7-mime"],
  ["p7c", "application/pkcs7-mime"],
  ["p10", "application/pkcs10"],
  ["p12", "application/x-pkcs12"],
  ["pfx", "application/x-pkcs12"],
  ["asc", "application/pgp-signature"],
  ["sig", "application/pgp-signature"],
  ["gpg", "application/pgp-encrypted"],
  ["pgp", "application/pgp-encrypted"],
  ["torrent", "application/x-bittorrent"],
  ["swf", "application/x-shockwave-flash"],
  ["latex", "application/x-latex"],
  ["pl", "text/x-perl"],
  ["php", "application/x-httpd-php"],
  // Fonts
  ["woff", "font/woff"],
  ["woff2", "font/woff2"],
  ["ttf", "font/ttf"],
  ["otf", "font/otf"],
  ["eot", "application/vnd.ms-fontobject"],
  // Archives and packages
  ["zip", "application/zip"],
  ["gz", "application/gzip"],
  ["tgz", "application/gzip"],
  ["bz2", "application/x-bzip2"],
  ["xz", "application/x-xz"],
  ["zst", "application/zstd"],
  ["tar", "application/x-tar"],
  ["7z", "application/x-7z-compressed"],
  ["rar", "application/vnd.rar"],
  ["jar", "application/java-archive"],
  ["apk", "application/vnd.android.package-archive"],
  ["deb", "application/vnd.debian.binary-package"],
  ["rpm", "application/x-rpm"],
  ["dmg", "application/x-apple-diskimage"],
  ["iso", "application/x-iso9660-image"],
  ["msi", "application/x-msi"],
  ["cab", "application/vnd.ms-cab-compressed"],
  ["exe", "application/x-msdownload"],
  ["dll", "application/x-msdownload"],
  ["bin", "application/octet-stream"],
  ["dat", "application/octet-stream"],
  ["so", "application/octet-stream"],
  ["o", "application/octet-stream"],
  ["obj", "application/octet-stream"],
  ["class", "application/java-vm"],
  ["bcpio", "application/x-bcpio"],
  ["cpio", "application/x-cpio"],
  ["shar", "application/x-shar"],
  ["sv4cpio", "application/x-sv4cpio"],
  ["ustar", "application/x-ustar"],
];

const BY_EXTENSION = new Map<string, string>();
const BY_TYPE = new Map<string, string>();
for (const [extension, type] of TABLE) {
  if (!BY_EXTENSION.has(extension)) BY_EXTENSION.set(extension, type);
  if (!BY_TYPE.has(type)) BY_TYPE.set(type, extension);
}

/** The media type given to a file whose extension is missing or not in the table. */
export const DEFAULT_MIME_TYPE = "application/octet-stream";

/**
 * The media type of a file, from the extension of its name (case-insensitive; a path is fine:
 * only the part after the last `/` or `\` counts). Returns {@link DEFAULT_MIME_TYPE} when the
 * name has no extension or the extension is not in the table. Never throws.
 */
export function mimeTypeForFilename(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  // "README" has no extension, and neither has ".profile" (as with Python's os.path.splitext).
  if (dot <= 0) return DEFAULT_MIME_TYPE;
  const extension = base.slice(dot + 1).toLowerCase();
  return BY_EXTENSION.get(extension) ?? DEFAULT_MIME_TYPE;
}

/**
 * The usual extension (without the dot) for a media type — `image/jpeg` → `jpg` — or undefined
 * when the type is not in the table. Parameters (`; charset=…`) and case are ignored. Never throws.
 */
export function extensionForMimeType(mediaType: string): string | undefined {
  const semicolon = mediaType.indexOf(";");
  const bare = (semicolon < 0 ? mediaType : mediaType.slice(0, semicolon)).trim().toLowerCase();
  return BY_TYPE.get(bare);
}
